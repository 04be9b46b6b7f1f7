/// Measures values against a byte budget without serializing them.
enum JSONSize {
    /// Whether `value` fits in `limit` bytes: a string by its UTF-8 length, anything else by an
    /// estimate of its compact JSON length (numbers count 24 bytes, escapes in strings nothing). Stops walking as soon as the limit is
    /// passed, so checking a huge value costs no more than the limit.
    static func fits(_ value: JSON, within limit: Int) -> Bool {
        if case .string(let s) = value { return s.utf8.count <= limit }
        var remaining = limit
        return consume(value, &remaining)
    }

    private static func consume(_ value: JSON, _ remaining: inout Int) -> Bool {
        switch value {
        case .null: remaining -= 4
        case .bool(let b): remaining -= b ? 4 : 5
        case .int, .double: remaining -= 24
        case .string(let s): remaining -= s.utf8.count + 2
        case .array(let elements):
            remaining -= 1 + max(elements.count, 1)
            for element in elements where remaining >= 0 {
                guard consume(element, &remaining) else { return false }
            }
        case .object(let members):
            remaining -= 1 + max(members.count, 1)
            for (key, member) in members where remaining >= 0 {
                remaining -= key.utf8.count + 3
                guard consume(member, &remaining) else { return false }
            }
        }
        return remaining >= 0
    }
}
