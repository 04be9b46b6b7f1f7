/// A durable wait before a step runs (`delay`, ORCH8-SPEC §2.3).
public struct DelaySpec: Sendable, Hashable {
    /// How long to wait. Defaults to zero when absent, so a delay may name only `fire_at_local`.
    public var duration: Milliseconds
    /// Push the fire time past weekends and `holidays`.
    public var businessDaysOnly: Bool
    /// Uniform random spread (±) added to the fire time.
    public var jitter: Milliseconds?
    /// Extra non-business days, `YYYY-MM-DD`.
    public var holidays: [String]
    /// A naive local date-time (`2026-03-08T09:00:00`) to fire at instead of `duration`.
    public var fireAtLocal: String?
    /// The IANA zone of `fire_at_local`; the instance timezone when absent.
    public var timezone: String?

    /// Creates a delay.
    public init(
        duration: Milliseconds = .zero,
        businessDaysOnly: Bool = false,
        jitter: Milliseconds? = nil,
        holidays: [String] = [],
        fireAtLocal: String? = nil,
        timezone: String? = nil
    ) {
        self.duration = duration
        self.businessDaysOnly = businessDaysOnly
        self.jitter = jitter
        self.holidays = holidays
        self.fireAtLocal = fireAtLocal
        self.timezone = timezone
    }
}

extension DelaySpec: Codable {
    enum CodingKeys: String, CodingKey {
        case duration
        case businessDaysOnly = "business_days_only"
        case jitter
        case holidays
        case fireAtLocal = "fire_at_local"
        case timezone
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        duration = try c.decode(.duration, default: .zero)
        businessDaysOnly = try c.decode(.businessDaysOnly, default: false)
        jitter = try c.decodeIfPresent(Milliseconds.self, forKey: .jitter)
        holidays = try c.decode(.holidays, default: [])
        fireAtLocal = try c.decodeIfPresent(String.self, forKey: .fireAtLocal)
        timezone = try c.decodeIfPresent(String.self, forKey: .timezone)
    }
}
