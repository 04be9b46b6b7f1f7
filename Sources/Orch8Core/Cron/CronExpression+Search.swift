extension CronExpression {
    /// The earliest matching wall-clock time at or after `local` (seconds since 1970-01-01T00:00 on
    /// the local clock), found field by field: a year, month, day, hour or minute that cannot match is
    /// skipped whole. Nil when nothing matches within 400 years of `local`, or after the last year of
    /// a year field.
    func nextLocalMatch(atOrAfter local: Int64) -> Int64? {
        var t = CivilTime(local)
        let lastYear = years?.last ?? t.year + 400
        while t.year <= lastYear {
            if let years {
                guard let year = years.first(where: { $0 >= t.year }) else { return nil }
                if year != t.year { t = CivilTime(year: year, month: 1, day: 1) }
            }
            guard let month = Self.next(in: months, from: t.month, through: 12) else {
                t = CivilTime(year: t.year + 1, month: 1, day: 1)
                continue
            }
            if month != t.month { t = CivilTime(year: t.year, month: month, day: 1) }
            let length = CivilTime.daysIn(year: t.year, month: t.month)
            var day = t.day
            while day <= length && !dayMatches(year: t.year, month: t.month, day: day) { day += 1 }
            guard day <= length else {
                t =
                    t.month == 12
                    ? CivilTime(year: t.year + 1, month: 1, day: 1)
                    : CivilTime(year: t.year, month: t.month + 1, day: 1)
                continue
            }
            if day != t.day { t = CivilTime(year: t.year, month: t.month, day: day) }
            guard let hour = Self.next(in: hours, from: t.hour, through: 23) else {
                t = t.nextDay
                continue
            }
            if hour != t.hour { t = t.at(hour: hour, minute: 0, second: 0) }
            guard let minute = Self.next(in: minutes, from: t.minute, through: 59) else {
                t = t.hour == 23 ? t.nextDay : t.at(hour: t.hour + 1, minute: 0, second: 0)
                continue
            }
            if minute != t.minute { t = t.at(hour: t.hour, minute: minute, second: 0) }
            guard let second = Self.next(in: seconds, from: t.second, through: 59) else {
                if t.minute < 59 {
                    t = t.at(hour: t.hour, minute: t.minute + 1, second: 0)
                } else {
                    t = t.hour == 23 ? t.nextDay : t.at(hour: t.hour + 1, minute: 0, second: 0)
                }
                continue
            }
            return t.at(hour: t.hour, minute: t.minute, second: second).localSeconds
        }
        return nil
    }

    /// The classic rule: with both day fields restricted either may match; otherwise both must (the
    /// unrestricted one matches every day).
    func dayMatches(year: Int, month: Int, day: Int) -> Bool {
        let byDate = daysOfMonth & (1 << UInt64(day)) != 0
        let weekday = CivilTime.weekday(year: year, month: month, day: day)
        let byWeekday = daysOfWeek & (1 << UInt64(weekday)) != 0
        if dayOfMonthRestricted && dayOfWeekRestricted { return byDate || byWeekday }
        return byDate && byWeekday
    }

    /// The smallest set bit at or above `value` and at most `limit`.
    static func next(in bits: UInt64, from value: Int, through limit: Int) -> Int? {
        guard value <= limit else { return nil }
        let candidates = bits & ~((UInt64(1) << UInt64(value)) - 1)
        guard candidates != 0 else { return nil }
        let found = candidates.trailingZeroBitCount
        return found <= limit ? found : nil
    }
}
