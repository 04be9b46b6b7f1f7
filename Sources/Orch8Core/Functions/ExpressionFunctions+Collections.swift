extension ExpressionFunctions {
    /// `len(x)`: characters (grapheme clusters, as people count them) of a string, elements of an
    /// array, members of an object; null for anything else.
    static func len(_ value: JSON) -> JSON? {
        switch value {
        case .string(let s): return .int(Int64(s.count))
        case .array(let a): return .int(Int64(a.count))
        case .object(let o): return .int(Int64(o.count))
        default: return nil
        }
    }

    /// The members of an object no larger than ``maxCollectionCount``.
    static func object(_ value: JSON) -> [String: JSON]? {
        guard case .object(let members) = value, members.count <= maxCollectionCount else { return nil }
        return members
    }

    /// `keys(obj)`: the member names, sorted (objects have no order of their own).
    static func keys(_ value: JSON) -> JSON? {
        guard let members = object(value) else { return nil }
        return .array(sortedKeys(members).map(JSON.string))
    }

    /// `values(obj)`: the member values in the order of ``keys(_:)``.
    static func values(_ value: JSON) -> JSON? {
        guard let members = object(value) else { return nil }
        return .array(sortedKeys(members).compactMap { members[$0] })
    }

    private static func sortedKeys(_ members: [String: JSON]) -> [String] {
        // Code-point order, the order `serialized()` and the original's maps use.
        members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `contains(haystack, needle)`: element of an array, substring of a string, or member name of an
    /// object.
    static func contains(_ haystack: JSON, _ needle: JSON) -> JSON? {
        switch haystack {
        case .array:
            guard let elements = array(haystack) else { return nil }
            return .bool(elements.contains(needle))
        case .string(let s):
            guard case .string(let n) = needle else { return nil }
            return .bool(ByteSearch.firstMatch(of: Array(n.utf8), in: Array(s.utf8)) != nil)
        case .object:
            guard let members = object(haystack), case .string(let key) = needle else { return nil }
            return .bool(members[key] != nil)
        default:
            return nil
        }
    }

    /// `starts_with(str, prefix)`.
    static func startsWith(_ string: JSON, _ prefix: JSON) -> JSON? {
        guard case .string(let s) = string, case .string(let p) = prefix else { return nil }
        return .bool(s.utf8.starts(with: p.utf8))
    }

    /// `ends_with(str, suffix)`.
    static func endsWith(_ string: JSON, _ suffix: JSON) -> JSON? {
        guard case .string(let s) = string, case .string(let p) = suffix else { return nil }
        return .bool(s.utf8.reversed().starts(with: p.utf8.reversed()))
    }

    /// `count(arr, x)`: how many elements equal `x`.
    static func count(_ value: JSON, _ needle: JSON) -> JSON? {
        guard let elements = array(value) else { return nil }
        return .int(Int64(elements.lazy.filter { $0 == needle }.count))
    }

    /// `unique(arr)`: the first occurrence of every distinct element, in order.
    static func unique(_ value: JSON) -> JSON? {
        guard let elements = array(value) else { return nil }
        var seen = Set<JSON>()
        return .array(elements.filter { seen.insert($0).inserted })
    }
}
