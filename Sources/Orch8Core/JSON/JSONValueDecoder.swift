import Foundation

/// Decodes `Decodable` types from a ``JSON`` value.
///
/// We do not use Foundation's `JSONDecoder` for wire types because it cannot tell `3000` from `3000.0`,
/// and the sequence DSL gives those different meanings (milliseconds vs seconds). Decoding from our own
/// ``JSON`` keeps the lexical kind of every number. A field typed ``JSON`` receives the value as it is;
/// a field typed `Date` reads an RFC 3339 string.
public struct JSONValueDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes a value of `type` from `json`.
    /// - Throws: `DecodingError` whose ``Swift/DecodingError/wireMessage`` names the field and the problem.
    public func decode<T: Decodable>(_ type: T.Type, from json: JSON) throws -> T {
        if let direct = json as? T { return direct }
        return try T(from: _JSONValueDecoder(value: json, codingPath: []))
    }

    /// Parses `bytes` as JSON and decodes a value of `type` from it.
    /// - Throws: ``JSONParseError`` for malformed text, `DecodingError` for a well-formed body of the wrong shape.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try decode(type, from: try JSON.parse(bytes))
    }
}

private struct _JSONValueDecoder: Decoder {
    let value: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch(
                [String: JSON].self,
                .init(codingPath: codingPath, debugDescription: "expected object, found \(value.typeName)")
            )
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw DecodingError.typeMismatch(
                [JSON].self,
                .init(codingPath: codingPath, debugDescription: "expected array, found \(value.typeName)")
            )
        }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(value: value, codingPath: codingPath)
    }
}

private func mismatch(_ expected: String, _ value: JSON, _ path: [any CodingKey]) -> DecodingError {
    DecodingError.typeMismatch(
        Any.self,
        .init(codingPath: path, debugDescription: "expected \(expected), found \(value.typeName)")
    )
}

/// Conversions shared by the three container kinds.
private func decodeValue<T: Decodable>(_ type: T.Type, from value: JSON, path: [any CodingKey]) throws -> T {
    if T.self == JSON.self { return value as! T }
    if T.self == String.self {
        guard case .string(let s) = value else { throw mismatch("string", value, path) }
        return s as! T
    }
    if T.self == Bool.self {
        guard case .bool(let b) = value else { throw mismatch("boolean", value, path) }
        return b as! T
    }
    // Every integer type, not a list of them: a type missing from a list would fall through to
    // `T(from:)`, which asks this decoder for the same type again, forever.
    if let integerType = T.self as? any FixedWidthInteger.Type {
        return try decodeInteger(integerType, value, path) as! T
    }
    if T.self == Float.self {
        guard let d = value.doubleValue else { throw mismatch("number", value, path) }
        return Float(d) as! T
    }
    if T.self == Double.self {
        guard let d = value.doubleValue else { throw mismatch("number", value, path) }
        return d as! T
    }
    if T.self == Date.self {
        guard case .string(let s) = value else { throw mismatch("RFC 3339 timestamp string", value, path) }
        guard let date = RFC3339.parse(s) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: path, debugDescription: "invalid RFC 3339 timestamp '\(s)'")
            )
        }
        return date as! T
    }
    if T.self == UUID.self {
        guard case .string(let s) = value else { throw mismatch("UUID string", value, path) }
        guard let uuid = UUID(text: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "invalid UUID '\(s)'"))
        }
        return uuid as! T
    }
    return try T(from: _JSONValueDecoder(value: value, codingPath: path))
}

private func decodeInteger<I: FixedWidthInteger>(_ type: I.Type, _ value: JSON, _ path: [any CodingKey]) throws -> I {
    guard let i = value.intValue else {
        throw mismatch(I.isSigned ? "integer" : "non-negative integer", value, path)
    }
    guard let exact = I(exactly: i) else {
        let message =
            i < 0 && !I.isSigned
            ? "expected non-negative integer, found \(i)" : "integer \(i) out of range for \(I.self)"
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: message))
    }
    return exact
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSON]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func value(for key: Key) throws -> JSON {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                .init(codingPath: codingPath, debugDescription: "missing field `\(key.stringValue)`")
            )
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { members[key.stringValue]?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, from: try value(for: key), path: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue] else { return nil }
        if value.isNull, T.self != JSON.self { return nil }
        return try decodeValue(type, from: value, path: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try _JSONValueDecoder(value: try value(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try _JSONValueDecoder(value: try value(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        _JSONValueDecoder(value: .object(members), codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        _JSONValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSON]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSON], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> (JSON, [any CodingKey]) {
        let path = codingPath + [IndexKey(index: currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSON.self,
                .init(codingPath: path, debugDescription: "array has no element \(currentIndex)")
            )
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try decodeValue(type, from: value, path: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try _JSONValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try _JSONValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return _JSONValueDecoder(value: value, codingPath: path)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let value: JSON
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeValue(type, from: value, path: codingPath)
    }
}

/// A coding key for an array position, rendered as `[n]` in messages.
struct IndexKey: CodingKey {
    var index: Int
    init(index: Int) { self.index = index }
    var stringValue: String { "[\(index)]" }
    init?(stringValue: String) { nil }
    var intValue: Int? { index }
    init?(intValue: Int) { self.index = intValue }
}

extension DecodingError {
    /// A one-line message for API users that names the field path and the problem, such as
    /// `blocks[0].retry.max_attempts: expected integer, found string`.
    public var wireMessage: String {
        let (path, detail): ([any CodingKey], String)
        switch self {
        case .keyNotFound(let key, let context): (path, detail) = (context.codingPath + [key], "missing field")
        case .typeMismatch(_, let context): (path, detail) = (context.codingPath, context.debugDescription)
        case .valueNotFound(_, let context): (path, detail) = (context.codingPath, context.debugDescription)
        case .dataCorrupted(let context): (path, detail) = (context.codingPath, context.debugDescription)
        @unknown default: return "\(self)"
        }
        var rendered = ""
        for key in path {
            if key.intValue != nil, key is IndexKey {
                rendered += key.stringValue
            } else {
                rendered += rendered.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return rendered.isEmpty ? detail : "\(rendered): \(detail)"
    }
}
