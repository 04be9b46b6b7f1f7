extension ExpressionFunctions {
    /// `format_date(iso, fmt = "%Y-%m-%d")`: see ``Strftime`` for the directives and
    /// ``WrittenTimestamp`` for the accepted inputs; null for text that is not a timestamp.
    static func formatDate(_ args: [JSON]) -> JSON? {
        guard args.count == 1 || args.count == 2, case .string(let text) = args[0],
            let time = WrittenTimestamp(text)
        else { return nil }
        var pattern = "%Y-%m-%d"
        if args.count == 2 {
            guard case .string(let given) = args[1] else { return nil }
            pattern = given
        }
        return .string(Strftime.format(time, pattern))
    }

    /// `day_of_week(iso)`: 0 = Monday … 6 = Sunday, on the written wall clock.
    static func dayOfWeek(_ value: JSON) -> JSON? {
        guard case .string(let text) = value, let time = WrittenTimestamp(text) else { return nil }
        return .int(time.weekday)
    }
}
