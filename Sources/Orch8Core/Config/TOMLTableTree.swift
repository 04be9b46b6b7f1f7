/// The tables of a document while it is being read. TOML forbids defining a table or key twice, and
/// which redefinitions count depends on how a table came to be (a `[header]`, a prefix of a header,
/// dotted keys), so every node remembers that and where it was first written.
final class TOMLNode {
    enum Kind {
        /// Created as a prefix of a header (`a` in `[a.b]`); a later `[a]` may still define it.
        case implicitTable
        /// Defined by its own `[header]`.
        case headerTable
        /// Created by a dotted key (`a` in `a.b = 1`); only more dotted keys may add to it.
        case dottedTable
        /// A value, inline tables included (they are closed once written).
        case value(TOMLValue)
    }

    var kind: Kind
    var children: [String: TOMLNode] = [:]
    /// Where it was first written, for "defined twice" messages.
    let offset: Int

    init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// The finished value: a table of the children's values, or the value itself.
    var value: TOMLValue {
        if case .value(let value) = kind { return value }
        return .table(children.mapValues(\.value))
    }
}

/// One part of a key as written: its text and where it starts.
struct TOMLKeyPart {
    var name: String
    var offset: Int
}

extension TOMLParser {
    /// Walks or creates the tables of a `[header]` and returns the table it defines.
    mutating func defineTable(_ key: [TOMLKeyPart]) throws(TOMLError) -> TOMLNode {
        var node = root
        var path: [String] = []
        for (index, part) in key.enumerated() {
            path.append(part.name)
            let isLast = index == key.count - 1
            guard let child = node.children[part.name] else {
                let created = TOMLNode(isLast ? .headerTable : .implicitTable, offset: part.offset)
                node.children[part.name] = created
                node = created
                continue
            }
            switch child.kind {
            case .implicitTable:
                if isLast { child.kind = .headerTable }
            case .headerTable:
                if isLast {
                    throw error(
                        "table [\(dotted(path))] is defined twice (first at line \(position(of: child.offset).line))",
                        at: part.offset
                    )
                }
            case .dottedTable:
                if isLast {
                    throw error(
                        "table [\(dotted(path))] was already defined by dotted keys at line "
                            + "\(position(of: child.offset).line); a [header] cannot define it again",
                        at: part.offset
                    )
                }
            case .value(let value):
                throw error(alreadyAValue: path, value, node: child, at: part.offset)
            }
            node = child
        }
        return node
    }

    /// Puts `value` at the dotted `key` under `table` (whose path is `tablePath`).
    mutating func insert(
        _ value: TOMLValue,
        at key: [TOMLKeyPart],
        in table: TOMLNode,
        tablePath: [String]
    ) throws(TOMLError) {
        var node = table
        var path = tablePath
        for part in key.dropLast() {
            path.append(part.name)
            guard let child = node.children[part.name] else {
                let created = TOMLNode(.dottedTable, offset: part.offset)
                node.children[part.name] = created
                node = created
                continue
            }
            switch child.kind {
            case .dottedTable:
                break
            case .implicitTable, .headerTable:
                throw error(
                    "table \(dotted(path)) is defined by a [header] (line \(position(of: child.offset).line)); "
                        + "dotted keys elsewhere cannot add to it",
                    at: part.offset
                )
            case .value(let existing):
                throw error(alreadyAValue: path, existing, node: child, at: part.offset)
            }
            node = child
        }
        let last = key[key.count - 1]
        path.append(last.name)
        if let existing = node.children[last.name] {
            throw error(
                "key \(dotted(path)) is defined twice (first at line \(position(of: existing.offset).line))",
                at: last.offset
            )
        }
        node.children[last.name] = TOMLNode(.value(value), offset: last.offset)
    }

    private func error(alreadyAValue path: [String], _ value: TOMLValue, node: TOMLNode, at offset: Int) -> TOMLError {
        let line = position(of: node.offset).line
        if case .table = value {
            return error("\(dotted(path)) is an inline table (line \(line)); it cannot be extended", at: offset)
        }
        return error(
            "key \(dotted(path)) already holds \(value.typeName.first.map { "aeiou".contains($0) } == true ? "an" : "a") \(value.typeName) (line \(line)); it cannot be a table",
            at: offset
        )
    }

    func dotted(_ path: [String]) -> String {
        path.map { name in
            name.isEmpty || !name.utf8.allSatisfy(TOMLParser.isBareKeyByte) ? "\"\(name)\"" : name
        }.joined(separator: ".")
    }
}
