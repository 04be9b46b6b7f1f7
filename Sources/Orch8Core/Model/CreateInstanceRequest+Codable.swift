import Foundation

extension CreateInstanceRequest: Codable {
    enum CodingKeys: String, CodingKey {
        case sequenceID = "sequence_id"
        case tenantID = "tenant_id"
        case namespace
        case priority
        case timezone
        case metadata
        case context
        case nextFireAt = "next_fire_at"
        case concurrencyKey = "concurrency_key"
        case maxConcurrency = "max_concurrency"
        case idempotencyKey = "idempotency_key"
        case sessionID = "session_id"
        case parentInstanceID = "parent_instance_id"
        case dryRun = "dry_run"
        case dryRunAutoApprove = "dry_run_auto_approve"
        case budget
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sequenceID = try c.decode(UUID.self, forKey: .sequenceID)
        tenantID = try c.decodeTenantID(forKey: .tenantID)
        namespace = try c.decode(String.self, forKey: .namespace)
        priority = try c.decode(.priority, default: .normal)
        timezone = try c.decode(.timezone, default: "UTC")
        metadata = try c.decode(.metadata, default: .null)
        context = try c.decode(.context, default: ExecutionContext())
        nextFireAt = try c.decodeIfPresent(Date.self, forKey: .nextFireAt)
        concurrencyKey = try c.decodeIfPresent(String.self, forKey: .concurrencyKey)
        maxConcurrency = try c.decodeIfPresent(UInt32.self, forKey: .maxConcurrency)
        idempotencyKey = try c.decodeIfPresent(String.self, forKey: .idempotencyKey)
        sessionID = try c.decodeIfPresent(UUID.self, forKey: .sessionID)
        parentInstanceID = try c.decodeIfPresent(UUID.self, forKey: .parentInstanceID)
        dryRun = try c.decode(.dryRun, default: false)
        dryRunAutoApprove = try c.decode(.dryRunAutoApprove, default: false)
        budget = try c.decodeIfPresent(Budget.self, forKey: .budget)
    }

    /// Writes every field, omitting the optional ones when unset.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sequenceID, forKey: .sequenceID)
        try c.encode(tenantID, forKey: .tenantID)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(priority, forKey: .priority)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(context, forKey: .context)
        try c.encodeIfPresent(nextFireAt, forKey: .nextFireAt)
        try c.encodeIfPresent(concurrencyKey, forKey: .concurrencyKey)
        try c.encodeIfPresent(maxConcurrency, forKey: .maxConcurrency)
        try c.encodeIfPresent(idempotencyKey, forKey: .idempotencyKey)
        try c.encodeIfPresent(sessionID, forKey: .sessionID)
        try c.encodeIfPresent(parentInstanceID, forKey: .parentInstanceID)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(dryRunAutoApprove, forKey: .dryRunAutoApprove)
        try c.encodeIfPresent(budget, forKey: .budget)
    }
}
