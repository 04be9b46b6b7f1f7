import Foundation

extension TaskInstance: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case sequenceID = "sequence_id"
        case tenantID = "tenant_id"
        case namespace
        case state
        case nextFireAt = "next_fire_at"
        case priority
        case timezone
        case metadata
        case context
        case concurrencyKey = "concurrency_key"
        case maxConcurrency = "max_concurrency"
        case idempotencyKey = "idempotency_key"
        case sessionID = "session_id"
        case parentInstanceID = "parent_instance_id"
        case budget
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        sequenceID = try c.decode(UUID.self, forKey: .sequenceID)
        tenantID = try c.decode(String.self, forKey: .tenantID)
        namespace = try c.decode(String.self, forKey: .namespace)
        state = try c.decode(InstanceState.self, forKey: .state)
        nextFireAt = try c.decodeIfPresent(Date.self, forKey: .nextFireAt)
        priority = try c.decode(.priority, default: .normal)
        timezone = try c.decode(.timezone, default: "UTC")
        metadata = try c.decode(.metadata, default: .null)
        context = try c.decode(.context, default: ExecutionContext())
        concurrencyKey = try c.decodeIfPresent(String.self, forKey: .concurrencyKey)
        maxConcurrency = try c.decodeIfPresent(UInt32.self, forKey: .maxConcurrency)
        idempotencyKey = try c.decodeIfPresent(String.self, forKey: .idempotencyKey)
        sessionID = try c.decodeIfPresent(UUID.self, forKey: .sessionID)
        parentInstanceID = try c.decodeIfPresent(UUID.self, forKey: .parentInstanceID)
        budget = try c.decodeIfPresent(Budget.self, forKey: .budget)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    /// Always writes `next_fire_at` (null when unset) and omits the other optional fields when unset.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(sequenceID, forKey: .sequenceID)
        try c.encode(tenantID, forKey: .tenantID)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(state, forKey: .state)
        try c.encodeOrNull(nextFireAt, forKey: .nextFireAt)
        try c.encode(priority, forKey: .priority)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(context, forKey: .context)
        try c.encodeIfPresent(concurrencyKey, forKey: .concurrencyKey)
        try c.encodeIfPresent(maxConcurrency, forKey: .maxConcurrency)
        try c.encodeIfPresent(idempotencyKey, forKey: .idempotencyKey)
        try c.encodeIfPresent(sessionID, forKey: .sessionID)
        try c.encodeIfPresent(parentInstanceID, forKey: .parentInstanceID)
        try c.encodeIfPresent(budget, forKey: .budget)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
