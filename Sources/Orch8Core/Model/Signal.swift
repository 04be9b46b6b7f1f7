public import Foundation

/// A signal in an instance's inbox (`signal_inbox`, ORCH8-SPEC §7.6).
public struct Signal: Sendable, Hashable {
    /// Signal id.
    public var id: UUID
    /// The target instance.
    public var instanceID: UUID
    /// What it asks.
    public var signalType: SignalType
    /// Its argument.
    public var payload: JSON
    /// Whether it has been processed.
    public var delivered: Bool
    /// When it was sent.
    public var createdAt: Date
    /// When it was processed.
    public var deliveredAt: Date?

    /// A cancel signal for `instanceID`, sent at `now` (the engine's own cancels: a parent's
    /// children, a cron fire's previous run).
    public static func cancel(_ instanceID: UUID, at now: Date) -> Signal {
        Signal(id: UUIDv7.generate(now: now), instanceID: instanceID, signalType: .cancel, createdAt: now)
    }

    /// Creates a signal.
    public init(
        id: UUID,
        instanceID: UUID,
        signalType: SignalType,
        payload: JSON = .null,
        delivered: Bool = false,
        createdAt: Date,
        deliveredAt: Date? = nil
    ) {
        self.id = id
        self.instanceID = instanceID
        self.signalType = signalType
        self.payload = payload
        self.delivered = delivered
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

extension Signal: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case instanceID = "instance_id"
        case signalType = "signal_type"
        case payload
        case delivered
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        instanceID = try c.decode(UUID.self, forKey: .instanceID)
        signalType = try c.decode(SignalType.self, forKey: .signalType)
        payload = try c.decode(.payload, default: .null)
        delivered = try c.decode(.delivered, default: false)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        deliveredAt = try c.decodeIfPresent(Date.self, forKey: .deliveredAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(instanceID, forKey: .instanceID)
        try c.encode(signalType, forKey: .signalType)
        try c.encode(payload, forKey: .payload)
        try c.encode(delivered, forKey: .delivered)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encodeOrNull(deliveredAt, forKey: .deliveredAt)
    }
}
