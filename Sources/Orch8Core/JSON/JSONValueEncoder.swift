import Foundation

/// Encodes `Encodable` types into a ``JSON`` value (the inverse of ``JSONValueDecoder``): `Date` becomes
/// an RFC 3339 string, `UUID` its lowercase string, ``JSON`` fields are kept as they are.
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value` into a JSON value.
    /// - Throws: `EncodingError` only if a type's own `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSON {
        try encodeToJSON(value, path: [])
    }
}

private func encodeToJSON<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> JSON {
    switch value {
    case let json as JSON: return json
    case let s as String: return .string(s)
    case let b as Bool: return .bool(b)
    case let i as any FixedWidthInteger:
        // Every integer type (see the decoder); beyond Int64 only a double can carry it.
        return Int64(exactly: i).map(JSON.int) ?? .double(Double(i))
    case let f as Float: return .double(Double(f))
    case let d as Double: return .double(d)
    case let date as Date: return .string(RFC3339.format(date))
    case let uuid as UUID: return .string(uuid.lowercasedText)
    case let representable as any JSONValueRepresentable: return representable.jsonValue
    default:
        let encoder = _JSONValueEncoder(node: Node(), codingPath: path)
        try value.encode(to: encoder)
        return encoder.node.value
    }
}

/// Mutable node written by containers; a class so nested containers can write into their parent.
private final class Node {
    enum Kind {
        case unset
        case single(JSON)
        case object([String: Node])
        case array([Node])
    }
    var kind: Kind = .unset

    var value: JSON {
        switch kind {
        case .unset: return .emptyObject
        case .single(let json): return json
        case .object(let members): return .object(members.mapValues(\.value))
        case .array(let elements): return .array(elements.map(\.value))
        }
    }
}

private struct _JSONValueEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    func set(_ key: Key, _ child: Node) {
        guard case .object(var members) = node.kind else { return }
        members[key.stringValue] = child
        node.kind = .object(members)
    }

    mutating func encodeNil(forKey key: Key) throws {
        let child = Node()
        child.kind = .single(.null)
        set(key, child)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = Node()
        child.kind = .single(try encodeToJSON(value, path: codingPath + [key]))
        set(key, child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = Node()
        set(key, child)
        return _JSONValueEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Node()
        set(key, child)
        return _JSONValueEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { _JSONValueEncoder(node: node, codingPath: codingPath) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = Node()
        set(key, child)
        return _JSONValueEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let elements) = node.kind { return elements.count }
        return 0
    }

    func append(_ child: Node) {
        guard case .array(var elements) = node.kind else { return }
        elements.append(child)
        node.kind = .array(elements)
    }

    mutating func encodeNil() throws {
        let child = Node()
        child.kind = .single(.null)
        append(child)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = Node()
        child.kind = .single(try encodeToJSON(value, path: codingPath + [IndexKey(index: count)]))
        append(child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = Node()
        let path = codingPath + [IndexKey(index: count)]
        append(child)
        return _JSONValueEncoder(node: child, codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Node()
        let path = codingPath + [IndexKey(index: count)]
        append(child)
        return _JSONValueEncoder(node: child, codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node()
        let path = codingPath + [IndexKey(index: count)]
        append(child)
        return _JSONValueEncoder(node: child, codingPath: path)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.kind = .single(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.kind = .single(try encodeToJSON(value, path: codingPath))
    }
}
