/// One position of a cron expression: its name in messages, the values it accepts and the names that
/// may stand for them.
enum CronField: Sendable, CaseIterable {
    case second, minute, hour, dayOfMonth, month, dayOfWeek, year

    /// How messages name the field.
    var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        case .year: "year"
        }
    }

    /// The values that may be written. Day-of-week accepts 7 as a second Sunday.
    var range: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        case .year: 1970...2099
        }
    }

    /// What `*` covers: the range, except that day-of-week's Sunday is counted once.
    var starRange: ClosedRange<Int> {
        self == .dayOfWeek ? 0...6 : range
    }

    /// Whether `?` (Quartz's "no specific value") is accepted as `*`.
    var acceptsQuestionMark: Bool {
        self == .dayOfMonth || self == .dayOfWeek
    }

    /// Three-letter names, upper case, and their values.
    var names: [String: Int] {
        switch self {
        case .month:
            [
                "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10,
                "NOV": 11, "DEC": 12,
            ]
        case .dayOfWeek: ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
        default: [:]
        }
    }
}
