/// Hours and weekdays during which a step may run, in the instance timezone (`send_window`).
///
/// Hours and days are plain integers so that out-of-range values reach validation, which names them,
/// instead of failing as an opaque decode error.
public struct SendWindow: Sendable, Hashable {
    /// First hour of the window, 0–23; default 9.
    public var startHour: Int
    /// Hour the window closes, 0–23; default 17.
    public var endHour: Int
    /// Allowed weekdays, 0 = Monday … 6 = Sunday; empty = every day.
    public var days: [Int]

    /// Creates a window.
    public init(startHour: Int = 9, endHour: Int = 17, days: [Int] = []) {
        self.startHour = startHour
        self.endHour = endHour
        self.days = days
    }
}

extension SendWindow: Codable {
    enum CodingKeys: String, CodingKey {
        case startHour = "start_hour"
        case endHour = "end_hour"
        case days
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startHour = try c.decode(.startHour, default: 9)
        endHour = try c.decode(.endHour, default: 17)
        days = try c.decode(.days, default: [])
    }
}
