import Orch8Core
import Testing

@Suite struct DateFunctionsTests {
    @Test func nowAndUUIDComeFromTheEnvironment() {
        #expect(call("now") == "2026-03-08T12:34:56Z")
        #expect(call("uuid") == "01890a5d-ac96-774b-bcce-b302099a8057")
        #expect(call("now", 1) == .null)
        #expect(call("uuid", "x") == .null)
    }

    @Test func formatDateDefaultsToTheDate() {
        #expect(call("format_date", "2026-03-08T12:34:56Z") == "2026-03-08")
        #expect(call("format_date", "2026-03-08") == "2026-03-08")
        #expect(call("format_date", call("now")) == "2026-03-08")
    }

    @Test(arguments: [
        ("%Y-%m-%d %H:%M:%S", "2026-03-08 07:04:09"),
        ("%y %b %B", "26 Mar March"),
        ("%a %A %u %w", "Sun Sunday 7 0"),
        ("%j|%e|%I %p", "067| 8|07 AM"),
        ("%F %T", "2026-03-08 07:04:09"),
        ("%Z %z", "UTC +0000"),
        ("100%% %Q %", "100% %Q %"),
        ("héllo %d ✓", "héllo 08 ✓"),
        ("", ""),
    ])
    func formatDateDirectives(pattern: String, expected: String) {
        #expect(call("format_date", "2026-03-08T07:04:09.250Z", .string(pattern)) == .string(expected))
    }

    @Test func formatDateUsesTheWrittenOffset() {
        #expect(call("format_date", "2026-03-09T00:30:00+02:00", "%F %H:%M %Z %z") == "2026-03-09 00:30 +02:00 +0200")
        #expect(call("format_date", "2026-03-08T23:30:00-05:30", "%F %I %p %z") == "2026-03-08 11 PM -0530")
        #expect(call("format_date", "2026-03-08T12:00:00", "%H %Z") == "12 UTC")
        #expect(call("format_date", "2024-12-31T00:00:00Z", "%j") == "366")
        #expect(call("format_date", "0001-01-01T00:00:00Z", "%Y %y %A") == "0001 01 Monday")
    }

    @Test func formatDateRejectsWhatIsNotADate() {
        #expect(call("format_date", "yesterday") == .null)
        #expect(call("format_date", "2026-02-30") == .null)
        #expect(call("format_date", "2026-03-08T25:00:00Z") == .null)
        #expect(call("format_date", 1_772_973_296) == .null)
        #expect(call("format_date", "2026-03-08", 5) == .null)
        #expect(call("format_date") == .null)
    }

    @Test(arguments: [
        ("2026-03-09", 0),
        ("2026-03-10T10:00:00Z", 1),
        ("2026-03-11", 2),
        ("2026-03-12", 3),
        ("2026-03-13", 4),
        ("2026-03-14", 5),
        ("2026-03-08T12:34:56Z", 6),
        ("1970-01-01", 3),
        ("1969-12-31T23:59:59Z", 2),
        ("2026-03-09T00:30:00+02:00", 0),
        ("2026-03-08T22:30:00-02:00", 6),
    ])
    func dayOfWeekStartsOnMonday(date: String, expected: Int64) {
        #expect(call("day_of_week", .string(date)) == .int(expected))
    }

    @Test func dayOfWeekRejectsWhatIsNotADate() {
        #expect(call("day_of_week", "monday") == .null)
        #expect(call("day_of_week", nil) == .null)
        #expect(call("day_of_week") == .null)
    }
}
