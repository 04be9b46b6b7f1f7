extension ExpressionFunctions {
    /// `slice(x, start, end?)`: the elements of an array (or characters of a string) from `start` up to,
    /// not including, `end`. As in Python, negative indices count from the end and out-of-range
    /// indices are clamped, so `slice(x, -2)` is the last two; an omitted or null `end` means the end.
    static func slice(_ args: [JSON]) -> JSON? {
        guard args.count == 2 || args.count == 3, let start = integer(args[1]) else { return nil }
        var end: Int64?
        if args.count == 3, !args[2].isNull {
            guard let value = integer(args[2]) else { return nil }
            end = value
        }
        switch args[0] {
        case .array:
            guard let elements = array(args[0]) else { return nil }
            let range = clampedRange(start: start, end: end, count: elements.count)
            return .array(Array(elements[range]))
        case .string(let s):
            let range = clampedRange(start: start, end: end, count: s.count)
            let lower = s.index(s.startIndex, offsetBy: range.lowerBound)
            let upper = s.index(lower, offsetBy: range.count)
            return .string(String(s[lower..<upper]))
        default:
            return nil
        }
    }

    /// Python's slice bounds: negative from the end, then clamped to `0...count`.
    private static func clampedRange(start: Int64, end: Int64?, count: Int) -> Range<Int> {
        let count = Int64(count)
        func resolve(_ index: Int64) -> Int {
            // `index + count` cannot overflow: `index` is negative and `count` is not.
            let absolute = index < 0 ? index + count : index
            return Int(min(max(absolute, 0), count))
        }
        let lower = resolve(start)
        let upper = resolve(end ?? count)
        return lower..<max(lower, upper)
    }

    /// `sort(arr, order = "asc")`: numbers numerically, strings by Unicode code point; an array
    /// mixing the two (or holding anything else) yields null, as does an order other than
    /// `"asc"`/`"desc"`.
    static func sort(_ args: [JSON]) -> JSON? {
        guard args.count == 1 || args.count == 2, let elements = array(args[0]) else { return nil }
        var descending = false
        if args.count == 2 {
            switch args[1] {
            case "asc": descending = false
            case "desc": descending = true
            default: return nil
            }
        }
        if let numbers = numbersOnly(elements) {
            let sorted = numbers.sorted { a, b in
                descending ? Numeric.compare(a.number, b.number) > 0 : Numeric.compare(a.number, b.number) < 0
            }
            return .array(sorted.map(\.value))
        }
        if let strings = stringsOnly(elements) {
            let sorted = strings.sorted { a, b in
                descending ? b.utf8.lexicographicallyPrecedes(a.utf8) : a.utf8.lexicographicallyPrecedes(b.utf8)
            }
            return .array(sorted.map(JSON.string))
        }
        return nil
    }

    /// The elements with their numbers, if all are JSON numbers (numeric strings sort as strings here:
    /// an array of strings is text to order, not numbers).
    private static func numbersOnly(_ elements: [JSON]) -> [(value: JSON, number: Numeric)]? {
        var result: [(value: JSON, number: Numeric)] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            switch element {
            case .int(let i): result.append((element, .int(i)))
            case .double(let d): result.append((element, .double(d)))
            default: return nil
            }
        }
        return result
    }

    private static func stringsOnly(_ elements: [JSON]) -> [String]? {
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let s) = element else { return nil }
            result.append(s)
        }
        return result
    }
}
