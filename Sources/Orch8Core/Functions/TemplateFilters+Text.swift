extension TemplateFilters {
    /// `upper`: Unicode uppercase (`ß` → `SS`).
    static func upper(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let text = try arguments.input(value) else { return .null }
        return .string(text.uppercased())
    }

    /// `lower`: Unicode lowercase.
    static func lower(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let text = try arguments.input(value) else { return .null }
        return .string(text.lowercased())
    }

    /// `trim`: removes Unicode whitespace (spaces, tabs, newlines, no-break spaces) at both ends.
    static func trim(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let text = try arguments.input(value) else { return .null }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return .string(String(scalars[first...last]))
    }

    /// `truncate(n[, 'suffix'])`: the first `n` characters (grapheme clusters), then `suffix` (default
    /// none) only if something was cut. The suffix is not counted in `n`, as in the original:
    /// `"Hello world" | truncate(5, '…')` is `"Hello…"`.
    static func truncate(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(1...2)
        let length = try arguments.integer(at: 0, named: "length", default: 0)
        guard length >= 0 else { throw arguments.error("length must not be negative, got \(length)") }
        let suffix = try arguments.text(at: 1, named: "suffix", default: "")
        guard let text = try arguments.input(value) else { return .null }
        guard let end = text.index(text.startIndex, offsetBy: Int(clamping: length), limitedBy: text.endIndex),
            end != text.endIndex
        else { return .string(text) }
        return .string(String(text[..<end]) + suffix)
    }

    /// `replace('search', replacement)`: every occurrence, left to right, without overlaps. The
    /// replacement is inserted as inline templates insert values: strings raw, anything else as
    /// JSON text (`null` → `"null"`). An empty search text leaves the value unchanged.
    static func replace(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(2...2)
        let search = Array(try arguments.text(at: 0, named: "search text", default: "").utf8)
        let replacement: [UInt8] =
            if case .string(let s) = arguments.values[1] { Array(s.utf8) } else {
                arguments.values[1].serializedBytes()
            }
        guard let text = try arguments.input(value) else { return .null }
        let haystack = Array(text.utf8)
        var out: [UInt8] = []
        var copied = 0
        var tooLarge = false
        ByteSearch.forEachMatch(of: search, in: haystack) { offset in
            out.append(contentsOf: haystack[copied..<offset])
            out.append(contentsOf: replacement)
            copied = offset + search.count
            // Checked while building: 4 MiB of "a" with a 1 MiB replacement per "a" must fail, not allocate.
            tooLarge = out.count > maxResultBytes
            return !tooLarge
        }
        guard !tooLarge else { throw arguments.resultTooLarge() }
        if copied == 0 && out.isEmpty { return .string(text) }
        out.append(contentsOf: haystack[copied...])
        return .string(String(decoding: out, as: UTF8.self))
    }

    /// `split('sep')`: the parts between occurrences of `sep` (default `","`), as an array of strings;
    /// an empty separator splits into characters. Like Rust, Python and JavaScript, `""` splits into
    /// `[""]`.
    static func split(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...1)
        let separator = try arguments.text(at: 0, named: "separator", default: ",")
        guard let text = try arguments.input(value) else { return .null }
        var budget = ByteAllowance(limit: maxResultBytes)
        var parts: [JSON] = []
        if separator.isEmpty {
            for character in text {
                let part = String(character)
                guard budget.spend(part.utf8.count + 3) else { throw arguments.resultTooLarge() }
                parts.append(.string(part))
            }
            return .array(parts)
        }
        let haystack = Array(text.utf8)
        let needle = Array(separator.utf8)
        var start = 0
        ByteSearch.forEachMatch(of: needle, in: haystack) { offset in
            guard budget.spend(offset - start + 3) else { return false }
            parts.append(.string(String(decoding: haystack[start..<offset], as: UTF8.self)))
            start = offset + needle.count
            return true
        }
        guard budget.spend(haystack.count - start + 3) else { throw arguments.resultTooLarge() }
        parts.append(.string(String(decoding: haystack[start...], as: UTF8.self)))
        return .array(parts)
    }

    /// `join('sep')`: the elements of an array separated by `sep` (default `","`); strings raw, other
    /// elements as JSON text (`null` → `"null"`).
    static func join(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...1)
        let separator = Array(try arguments.text(at: 0, named: "separator", default: ",").utf8)
        switch value {
        case .null: return .null
        case .array(let elements):
            var out: [UInt8] = []
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(contentsOf: separator) }
                if case .string(let s) = element { out.append(contentsOf: s.utf8) } else { element.write(into: &out) }
                guard out.count <= maxResultBytes else { throw arguments.resultTooLarge() }
            }
            return .string(String(decoding: out, as: UTF8.self))
        default:
            throw arguments.error("expected an array, got \(value.typeName)")
        }
    }

    /// `default(<literal>)`: the literal when the value is null or the empty string.
    static func defaultValue(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(1...1)
        switch value {
        case .null, .string(""): return arguments.values[0]
        default: return value
        }
    }
}

/// A byte allowance drawn down while a result is built.
struct ByteAllowance {
    var remaining: Int

    init(limit: Int) { remaining = limit }

    /// Takes `bytes`; false once the allowance is overdrawn.
    mutating func spend(_ bytes: Int) -> Bool {
        remaining -= bytes
        return remaining >= 0
    }
}
