import Foundation

/// A proleptic Gregorian date and time of day with no time zone, and the arithmetic the cron search
/// needs, done by hand (days from the civil date and back) so that the search costs no calendar
/// calls.
struct CivilTime: Sendable, Hashable {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The time `local` seconds after 1970-01-01T00:00:00.
    init(_ local: Int64) {
        let days = Int(local.floorDivided(by: 86_400))
        let rest = Int(local - Int64(days) * 86_400)
        (year, month, day) = Self.civil(days: days)
        hour = rest / 3600
        minute = rest % 3600 / 60
        second = rest % 60
    }

    /// Seconds since 1970-01-01T00:00:00 on the same clock.
    var localSeconds: Int64 {
        Int64(Self.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Midnight of the next day.
    var nextDay: CivilTime {
        let (y, m, d) = Self.civil(days: Self.days(year: year, month: month, day: day) + 1)
        return CivilTime(year: y, month: m, day: d)
    }

    /// The same day at another time.
    func at(hour: Int, minute: Int, second: Int) -> CivilTime {
        CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Sunday = 0 … Saturday = 6.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday.
        ((days(year: year, month: month, day: day) + 4) % 7 + 7) % 7
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A time zone as the cron search uses it: UTC offsets at instants, and the instant a local
/// wall-clock time stands for.
struct CivilZone {
    let zone: TimeZone

    init(_ zone: TimeZone) { self.zone = zone }

    /// The offset from UTC, in seconds, at `instant` (seconds since the epoch).
    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// The first instant whose local time is `local`; for a local time skipped by a forward change,
    /// the first instant after the gap (the change itself).
    func firstInstant(local: Int64) -> Int64 {
        // The offsets in force around `local`: offsets lie within ±14 h, and a day either side
        // brackets any single change near it.
        let offsets = Set([offset(at: local - 86_400), offset(at: local), offset(at: local + 86_400)])
        let valid = offsets.map { local - $0 }.filter { offset(at: $0) == local - $0 }
        if let first = valid.min() { return first }
        // In a gap: the change is the first instant whose local time is at or past `local`.
        var low = local - (offsets.max() ?? 0)
        var high = local - (offsets.min() ?? 0)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + offset(at: middle) >= local { high = middle } else { low = middle }
        }
        return high
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
