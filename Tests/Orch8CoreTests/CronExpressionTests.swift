import Foundation
import Orch8Core
import Testing

/// The next `count` fire times of `expression` after `after` in `zone`, as RFC 3339 text.
private func fires(_ expression: String, after: String, in zone: String = "UTC", count: Int = 1) throws -> [String] {
    let parsed = try CronExpression(expression)
    let start = try #require(RFC3339.parse(after))
    let timeZone = try #require(TimeZone(identifier: zone))
    return parsed.nextFires(after: start, in: timeZone, count: count).map(RFC3339.format)
}

/// The message `expression` is refused with.
private func refusal(_ expression: String) -> String? {
    do {
        _ = try CronExpression(expression)
        return nil
    } catch {
        return error.description
    }
}

@Suite struct CronExpressionTests {
    @Test func fiveFieldsAreUnixCronAtSecondZero() throws {
        #expect(
            try fires("*/15 * * * *", after: "2026-03-10T10:07:30Z", count: 3) == [
                "2026-03-10T10:15:00Z", "2026-03-10T10:30:00Z", "2026-03-10T10:45:00Z",
            ]
        )
        #expect(try fires("0 9 * * *", after: "2026-03-10T09:00:00Z") == ["2026-03-11T09:00:00Z"])
    }

    @Test func sixFieldsStartWithSeconds() throws {
        #expect(
            try fires("30 * * * * *", after: "2026-03-10T10:00:00Z", count: 2) == [
                "2026-03-10T10:00:30Z", "2026-03-10T10:01:30Z",
            ]
        )
        // Strictly after, at whole seconds: a fraction past 10:00:00 is not 10:00:00 again.
        #expect(try fires("* * * * * *", after: "2026-03-10T10:00:00.500Z") == ["2026-03-10T10:00:01Z"])
    }

    @Test func sevenFieldsEndWithYears() throws {
        #expect(try fires("0 0 12 1 1 * 2030", after: "2026-03-10T10:00:00Z") == ["2030-01-01T12:00:00Z"])
        #expect(
            try fires("0 0 0 1 1 * 2027,2029-2030", after: "2026-03-10T10:00:00Z", count: 4) == [
                "2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z", "2030-01-01T00:00:00Z",
            ]
        )
    }

    @Test func namesAnyCaseAndRanges() throws {
        // 2026-04-01 is a Wednesday; the next weekday of January–March is Friday 2027-01-01.
        #expect(try fires("0 9 * JAN-MAR MON-FRI", after: "2026-04-01T00:00:00Z") == ["2027-01-01T09:00:00Z"])
        #expect(try fires("0 9 * jan-mar mon-fri", after: "2026-04-01T00:00:00Z") == ["2027-01-01T09:00:00Z"])
        let sunday = ["2026-03-08T00:00:00Z"]
        #expect(try fires("0 0 * * 7", after: "2026-03-05T00:00:00Z") == sunday)
        #expect(try fires("0 0 * * 0", after: "2026-03-05T00:00:00Z") == sunday)
        #expect(try fires("0 0 * * SUN", after: "2026-03-05T00:00:00Z") == sunday)
        #expect(try fires("0 0 * * 5-7", after: "2026-03-07T00:00:00Z") == sunday)
    }

    @Test func stepsAndLists() throws {
        #expect(
            try fires("1-30/5 * * * *", after: "2026-03-10T10:26:00Z", count: 2) == [
                "2026-03-10T11:01:00Z", "2026-03-10T11:06:00Z",
            ]
        )
        #expect(
            try fires("5/20 * * * * *", after: "2026-03-10T10:00:00Z", count: 4) == [
                "2026-03-10T10:00:05Z", "2026-03-10T10:00:25Z", "2026-03-10T10:00:45Z", "2026-03-10T10:01:05Z",
            ]
        )
        #expect(
            try fires("0 8,12-13 * * *", after: "2026-03-10T09:00:00Z", count: 3) == [
                "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z", "2026-03-11T08:00:00Z",
            ]
        )
    }

    @Test func macros() throws {
        #expect(try fires("@daily", after: "2026-03-10T10:00:00Z") == ["2026-03-11T00:00:00Z"])
        #expect(try fires("@hourly", after: "2026-03-10T10:00:00Z") == ["2026-03-10T11:00:00Z"])
        #expect(try fires("@weekly", after: "2026-03-10T10:00:00Z") == ["2026-03-15T00:00:00Z"])
        #expect(try fires("@yearly", after: "2026-03-10T10:00:00Z") == ["2027-01-01T00:00:00Z"])
    }

    /// Both day fields restricted: either matches. One restricted: only it counts.
    @Test func dayOfMonthOrDayOfWeek() throws {
        // 2026-03-01 is a Sunday: the Mondays of March, then April 1st (a Wednesday).
        #expect(
            try fires("0 0 1 * MON", after: "2026-03-01T00:00:00Z", count: 6) == [
                "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z",
                "2026-03-30T00:00:00Z", "2026-04-01T00:00:00Z",
            ]
        )
        #expect(try fires("0 0 1 * *", after: "2026-03-01T00:00:00Z") == ["2026-04-01T00:00:00Z"])
        #expect(try fires("0 0 ? * MON", after: "2026-03-01T00:00:00Z") == ["2026-03-02T00:00:00Z"])
    }

    @Test func leapYears() throws {
        #expect(
            try fires("0 0 29 2 *", after: "2026-01-01T00:00:00Z", count: 2) == [
                "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z",
            ]
        )
        // 2100 is not a leap year.
        #expect(try fires("0 0 29 2 *", after: "2096-03-01T00:00:00Z") == ["2104-02-29T00:00:00Z"])
        // Months without a 31st are passed over.
        #expect(try fires("0 0 0 31 * *", after: "2026-04-01T00:00:00Z") == ["2026-05-31T00:00:00Z"])
    }

    /// Expressions that can never fire (again) give up instead of searching forever.
    @Test(arguments: ["0 0 30 2 *", "0 0 31 4 *", "0 0 0 31 11 * *", "0 0 0 1 1 * 2020-2025"])
    func neverFiring(_ expression: String) throws {
        #expect(try fires(expression, after: "2026-03-10T10:00:00Z") == [])
    }

    /// New York springs forward at 02:00 EST on 2026-03-08 (07:00Z) and falls back at 02:00 EDT on
    /// 2026-11-01 (06:00Z).
    @Test func newYorkDaylightSaving() throws {
        let zone = "America/New_York"
        // 02:30 does not exist that day: the first instant after the gap, 03:00 EDT.
        #expect(
            try fires("30 2 * * *", after: "2026-03-07T12:00:00Z", in: zone, count: 2) == [
                "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z",
            ]
        )
        // Every minute of the missing hour collapses into one fire at 03:00 EDT, which does not fire twice.
        #expect(
            try fires("* * * * *", after: "2026-03-08T06:58:30Z", in: zone, count: 3) == [
                "2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:01:00Z",
            ]
        )
        // 01:30 happens twice: only the first (EDT) fires.
        #expect(
            try fires("30 1 * * *", after: "2026-10-31T12:00:00Z", in: zone, count: 2) == [
                "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z",
            ]
        )
        // Through the repeated hour: 01:00 and 01:30 EST are second occurrences.
        #expect(
            try fires("*/30 * * * *", after: "2026-11-01T04:45:00Z", in: zone, count: 3) == [
                "2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z",
            ]
        )
        // Starting inside the second pass of the hour.
        #expect(try fires("*/30 * * * *", after: "2026-11-01T06:10:00Z", in: zone) == ["2026-11-01T07:00:00Z"])
    }

    /// Berlin springs forward at 02:00 CET on 2026-03-29 (01:00Z) and falls back at 03:00 CEST on
    /// 2026-10-25 (01:00Z).
    @Test func berlinDaylightSaving() throws {
        let zone = "Europe/Berlin"
        #expect(try fires("0 30 2 * * *", after: "2026-03-28T12:00:00Z", in: zone) == ["2026-03-29T01:00:00Z"])
        #expect(
            try fires("0 30 2 * * *", after: "2026-10-24T12:00:00Z", in: zone, count: 2) == [
                "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z",
            ]
        )
        #expect(try fires("0 9 * * *", after: "2026-07-01T00:00:00Z", in: zone) == ["2026-07-01T07:00:00Z"])
    }

    @Test(arguments: [
        ("", "the expression is empty"),
        (
            "* * * *",
            "expected 5 fields (min hour dom mon dow), 6 (sec min hour dom mon dow) or 7 (sec min hour dom mon dow "
                + "year), found 4 in '* * * *'"
        ),
        ("* * * * * * * *", "found 8 in"),
        ("61 * * * *", "minute field '61': 61 is out of range 0-59"),
        ("0 60 * * * *", "minute field '60': 60 is out of range 0-59"),
        ("60 * * * * *", "second field '60': 60 is out of range 0-59"),
        ("* 24 * * *", "hour field '24': 24 is out of range 0-23"),
        ("* * 0 * *", "day-of-month field '0': 0 is out of range 1-31"),
        ("* * * 13 *", "month field '13': 13 is out of range 1-12"),
        ("* * * FOO *", "month field 'FOO': 'FOO' is not a number or a name such as JAN"),
        ("* * * * 8", "day-of-week field '8': 8 is out of range 0-7"),
        ("* * * * FUN", "day-of-week field 'FUN': 'FUN' is not a number or a name such as MON"),
        ("*/0 * * * *", "minute field '*/0': step '0' must be a positive integer"),
        ("*/x * * * *", "minute field '*/x': step 'x' must be a positive integer"),
        ("5-2 * * * *", "minute field '5-2': range 5-2 runs backwards"),
        ("1,,2 * * * *", "minute field '1,,2': empty list item"),
        ("1-2-3 * * * *", "minute field '1-2-3': '1-2-3' is not a value or a range a-b"),
        ("1/2/3 * * * *", "minute field '1/2/3': more than one '/' in '1/2/3'"),
        ("-5 * * * *", "minute field '-5': missing value"),
        ("? * * * *", "minute field '?': '?' is not a number"),
        ("0 0 0 1 1 * 1969", "year field '1969': 1969 is out of range 1970-2099"),
        ("@every", "unknown macro '@every', expected one of @annually, @daily"),
    ])
    func badExpressions(_ expression: String, _ message: String) {
        let refused = refusal(expression)
        #expect(refused?.contains(message) == true, "\(refused ?? "accepted")")
    }

    @Test func sourceIsKeptTrimmed() throws {
        #expect(try CronExpression("  0 9 * * 1-5\n").source == "0 9 * * 1-5")
    }
}
