public import Foundation

/// A parsed cron expression (ORCH8-SPEC §7.9): the set of local wall-clock times at which a schedule
/// fires.
///
/// Accepted forms, fields separated by blanks:
/// - 7 fields `sec min hour dom mon dow year`;
/// - 6 fields `sec min hour dom mon dow` (any year);
/// - 5 fields, Unix `min hour dom mon dow` (second 0, any year);
/// - the macros `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly`.
///
/// Each field is `*`, or a comma-separated list of values, ranges `a-b` and steps (`*/15`, `1-30/5`,
/// `5/10` = from 5 to the end every 10). Months and days of week may be written as three-letter names
/// (`JAN`, `mon`), any case; day-of-week 0 and 7 are both Sunday; `?` is accepted for `*` in the two
/// day fields. When both day-of-month and day-of-week are restricted (neither is `*` nor `?`) a day
/// matches if either matches, as in classic cron; otherwise both must.
///
/// ``nextFire(after:in:)`` finds the next time in a time zone, skipping whole years, months, days,
/// hours and minutes that cannot match, and gives up (nil) when there is none within 400 years (the
/// Gregorian calendar repeats after that, so such an expression never fires).
public struct CronExpression: Sendable, Hashable {
    /// The text as given, trimmed.
    public let source: String
    let seconds: UInt64
    let minutes: UInt64
    let hours: UInt64
    /// Bits 1...31.
    let daysOfMonth: UInt64
    /// Bits 1...12.
    let months: UInt64
    /// Bits 0...6, Sunday = 0.
    let daysOfWeek: UInt64
    /// The years allowed, ascending; nil for any year.
    let years: [Int]?
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `text`.
    /// - Throws: ``CronExpressionError`` naming the field, its text and the problem.
    public init(_ text: String) throws(CronExpressionError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        source = trimmed
        let fields = try Self.fieldTexts(of: trimmed)
        var parsed: [CronField: (bits: UInt64, values: [Int], restricted: Bool)] = [:]
        for (field, fieldText) in zip(CronField.allCases, fields) {
            parsed[field] = try Self.parse(fieldText, as: field)
        }
        func bits(_ field: CronField) -> UInt64 { parsed[field]?.bits ?? 0 }
        seconds = bits(.second)
        minutes = bits(.minute)
        hours = bits(.hour)
        daysOfMonth = bits(.dayOfMonth)
        months = bits(.month)
        daysOfWeek = bits(.dayOfWeek)
        let year = parsed[.year]
        years = year?.restricted == true ? year?.values : nil
        dayOfMonthRestricted = parsed[.dayOfMonth]?.restricted ?? false
        dayOfWeekRestricted = parsed[.dayOfWeek]?.restricted ?? false
    }

    /// The next instant strictly after `date` (at whole seconds) whose wall-clock time in `timeZone`
    /// matches; nil when there is none within 400 years.
    ///
    /// Daylight-saving rules: a matching wall-clock time that does not exist (skipped by a forward
    /// change) fires at the first instant after the gap; one that occurs twice (a backward change)
    /// fires only at its first occurrence.
    public func nextFire(after date: Date, in timeZone: TimeZone) -> Date? {
        let zone = CivilZone(timeZone)
        let after = Int64(date.timeIntervalSince1970.rounded(.down))
        var local = after + zone.offset(at: after) + 1
        // Only the second pass of a repeated hour can make a match map to an instant not after
        // `date`: at most an hour of seconds, bounded generously here.
        for _ in 0..<10_000 {
            guard let match = nextLocalMatch(atOrAfter: local) else { return nil }
            let instant = zone.firstInstant(local: match)
            if instant > after { return Date(timeIntervalSince1970: TimeInterval(instant)) }
            local = match + 1
        }
        return nil
    }

    /// The next `count` fire times after `date`, fewer when the expression stops firing.
    public func nextFires(after date: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        var fires: [Date] = []
        var cursor = date
        while fires.count < count, let next = nextFire(after: cursor, in: timeZone) {
            fires.append(next)
            cursor = next
        }
        return fires
    }
}
