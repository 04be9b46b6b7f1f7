import Foundation

/// A timestamp as the user wrote it: the wall-clock time in the UTC offset it was written with.
///
/// `format_date` and `day_of_week` work on the written wall clock, not on UTC: the Monday of
/// `2026-03-09T00:30:00+02:00` is a Monday, although it is still Sunday in UTC.
struct WrittenTimestamp: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00 on the written wall clock.
    var localSeconds: Int64
    /// The written offset from UTC, in seconds.
    var offsetSeconds: Int64
    /// Whether the text said UTC: `Z`, or no offset at all (date-only or a naive date-time).
    var isUTC: Bool

    /// Accepts RFC 3339 (`2026-03-08T12:00:00Z`, `…+02:00`, fractions), a date-time without offset
    /// (`2026-03-08T12:00:00`, taken as UTC) and a date alone (`2026-03-08`, midnight UTC).
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        if bytes.count == 10, let date = RFC3339.parse(text + "T00:00:00Z") {
            self.init(instant: date.timeIntervalSince1970, offsetSeconds: 0, isUTC: true)
        } else if let date = RFC3339.parse(text), let last = bytes.last {
            if last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") {
                self.init(instant: date.timeIntervalSince1970, offsetSeconds: 0, isUTC: true)
            } else {
                // The parser accepted the text, so it ends with a valid `±HH:MM`.
                let offset = bytes.suffix(6)
                func digits(_ i: Int) -> Int64 {
                    Int64(offset[offset.startIndex + i] &- 48) * 10 + Int64(offset[offset.startIndex + i + 1] &- 48)
                }
                let magnitude = digits(1) * 3600 + digits(4) * 60
                let sign: Int64 = offset.first == UInt8(ascii: "-") ? -1 : 1
                self.init(instant: date.timeIntervalSince1970, offsetSeconds: sign * magnitude, isUTC: false)
            }
        } else if let date = RFC3339.parse(text + "Z") {
            self.init(instant: date.timeIntervalSince1970, offsetSeconds: 0, isUTC: true)
        } else {
            return nil
        }
    }

    private init(instant: Double, offsetSeconds: Int64, isUTC: Bool) {
        // RFC3339.parse only yields years 0000–9999, far inside Int64 seconds.
        self.localSeconds = Int64(instant.rounded(.down)) + offsetSeconds
        self.offsetSeconds = offsetSeconds
        self.isUTC = isUTC
    }

    /// Days since 1970-01-01 on the wall clock.
    var days: Int64 { localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400 }

    /// Seconds since midnight on the wall clock.
    var secondOfDay: Int64 { localSeconds - days * 86_400 }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    var weekday: Int64 { ((days % 7) + 7 + 3) % 7 }

    var date: (year: Int64, month: Int64, day: Int64) { RFC3339.civil(fromDays: days) }

    /// 1 = January 1st.
    var dayOfYear: Int64 { days - RFC3339.daysFromCivil(year: date.year, month: 1, day: 1) + 1 }
}
