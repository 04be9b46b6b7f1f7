/// `strftime`-style formatting of a ``WrittenTimestamp``, for `format_date`.
///
/// Supported: `%Y` year, `%y` 2-digit year, `%m` month, `%d` day, `%e` space-padded day, `%j` day of
/// year, `%H` hour, `%I` 12-hour hour, `%p` AM/PM, `%M` minute, `%S` second, `%b`/`%B` month name
/// (English, short/full), `%a`/`%A` weekday name, `%u` weekday 1 = Monday, `%w` weekday 0 = Sunday,
/// `%F` = `%Y-%m-%d`, `%T` = `%H:%M:%S`, `%z` offset `+0200`, `%Z` `UTC` or `+02:00`, `%%` a percent
/// sign. An unknown directive is copied through unchanged (`%Q` stays `%Q`) rather than failing the
/// whole expression.
enum Strftime {
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    static func format(_ time: WrittenTimestamp, _ pattern: String) -> String {
        let (year, month, day) = time.date
        let second = time.secondOfDay
        let hour = second / 3600
        var out = ""
        var pending = false
        for scalar in pattern.unicodeScalars {
            guard pending else {
                if scalar == "%" { pending = true } else { out.unicodeScalars.append(scalar) }
                continue
            }
            pending = false
            switch scalar {
            case "Y": out += RFC3339.pad(year, 4)
            case "y": out += RFC3339.pad(year % 100, 2)
            case "m": out += RFC3339.pad(month, 2)
            case "d": out += RFC3339.pad(day, 2)
            case "e": out += day < 10 ? " \(day)" : "\(day)"
            case "j": out += RFC3339.pad(time.dayOfYear, 3)
            case "H": out += RFC3339.pad(hour, 2)
            case "I": out += RFC3339.pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "M": out += RFC3339.pad(second / 60 % 60, 2)
            case "S": out += RFC3339.pad(second % 60, 2)
            case "b": out += monthNames[Int(month - 1)].prefix(3)
            case "B": out += monthNames[Int(month - 1)]
            case "a": out += weekdayNames[Int(time.weekday)].prefix(3)
            case "A": out += weekdayNames[Int(time.weekday)]
            case "u": out += "\(time.weekday + 1)"
            case "w": out += "\((time.weekday + 1) % 7)"
            case "F": out += RFC3339.pad(year, 4) + "-" + RFC3339.pad(month, 2) + "-" + RFC3339.pad(day, 2)
            case "T":
                out +=
                    RFC3339.pad(hour, 2) + ":" + RFC3339.pad(second / 60 % 60, 2) + ":"
                    + RFC3339.pad(second % 60, 2)
            case "z": out += offset(time.offsetSeconds, separator: "")
            case "Z": out += time.isUTC ? "UTC" : offset(time.offsetSeconds, separator: ":")
            case "%": out += "%"
            default:
                out += "%"
                out.unicodeScalars.append(scalar)
            }
        }
        if pending { out += "%" }
        return out
    }

    private static func offset(_ seconds: Int64, separator: String) -> String {
        let magnitude = Swift.abs(seconds)
        return (seconds < 0 ? "-" : "+") + RFC3339.pad(magnitude / 3600, 2) + separator
            + RFC3339.pad(magnitude / 60 % 60, 2)
    }
}
