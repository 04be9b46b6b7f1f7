extension CronExpression {
    /// The macros and the 7-field expressions they stand for.
    static let macros: [String: String] = [
        "@yearly": "0 0 0 1 1 * *", "@annually": "0 0 0 1 1 * *", "@monthly": "0 0 0 1 * * *",
        "@weekly": "0 0 0 * * 0 *", "@daily": "0 0 0 * * * *", "@midnight": "0 0 0 * * * *",
        "@hourly": "0 0 * * * * *",
    ]

    /// The seven field texts of `text`, filling in what the 5- and 6-field forms leave out.
    /// - Throws: ``CronExpressionError`` for an empty expression, an unknown macro or a wrong number of
    ///   fields.
    static func fieldTexts(of text: String) throws(CronExpressionError) -> [Substring] {
        guard !text.isEmpty else { throw CronExpressionError("the expression is empty") }
        if text.hasPrefix("@") {
            guard let expansion = macros[text.lowercased()] else {
                let known = macros.keys.sorted().joined(separator: ", ")
                throw CronExpressionError("unknown macro '\(text)', expected one of \(known)")
            }
            return expansion.split(separator: " ")
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        switch fields.count {
        case 5: return ["0"] + fields + ["*"]
        case 6: return fields + ["*"]
        case 7: return fields
        default:
            throw CronExpressionError(
                "expected 5 fields (min hour dom mon dow), 6 (sec min hour dom mon dow) or 7 "
                    + "(sec min hour dom mon dow year), found \(fields.count) in '\(text)'"
            )
        }
    }

    /// The values one field allows, as bits and as an ascending list, and whether it restricts
    /// anything (is not `*` or `?`).
    /// - Throws: ``CronExpressionError`` naming the field and its text.
    static func parse(
        _ text: Substring,
        as field: CronField
    ) throws(CronExpressionError) -> (bits: UInt64, values: [Int], restricted: Bool) {
        func problem(_ message: String) -> CronExpressionError {
            CronExpressionError("\(field.name) field '\(text)': \(message)")
        }
        if text == "*" || (text == "?" && field.acceptsQuestionMark) {
            return (bits(field.starRange), Array(field.starRange), false)
        }
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw problem("empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw problem("more than one '/' in '\(item)'") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value > 0 else {
                    throw problem("step '\(parts[1])' must be a positive integer")
                }
                step = value
            }
            let span: ClosedRange<Int>
            let base = parts[0]
            if base == "*" {
                span = field.starRange
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                switch bounds.count {
                case 1:
                    let start = try value(bounds[0], field, problem)
                    // `5/10`: from 5 to the end of the range, every 10.
                    span = start...(parts.count == 2 ? field.range.upperBound : start)
                case 2:
                    let start = try value(bounds[0], field, problem)
                    let end = try value(bounds[1], field, problem)
                    guard start <= end else { throw problem("range \(base) runs backwards") }
                    span = start...end
                default:
                    throw problem("'\(base)' is not a value or a range a-b")
                }
            }
            for value in stride(from: span.lowerBound, through: span.upperBound, by: step) {
                values.insert(field == .dayOfWeek && value == 7 ? 0 : value)
            }
        }
        let sorted = values.sorted()
        return (field == .year ? 0 : bits(sorted), sorted, true)
    }

    /// A number or (for months and days of week) a name, inside the field's range.
    private static func value(
        _ text: Substring,
        _ field: CronField,
        _ problem: (String) -> CronExpressionError
    ) throws(CronExpressionError) -> Int {
        let value: Int
        if let number = Int(text) {
            value = number
        } else if let named = field.names[text.uppercased()] {
            value = named
        } else if text.isEmpty {
            throw problem("missing value")
        } else {
            let names = field.names.isEmpty ? "" : " or a name such as \(field == .month ? "JAN" : "MON")"
            throw problem("'\(text)' is not a number\(names)")
        }
        guard field.range.contains(value) else {
            throw problem("\(value) is out of range \(field.range.lowerBound)-\(field.range.upperBound)")
        }
        return value
    }

    private static func bits(_ values: some Sequence<Int>) -> UInt64 {
        values.reduce(0) { $0 | (1 << UInt64($1)) }
    }
}
