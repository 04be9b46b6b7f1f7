public import Foundation

/// A schedule that starts an instance of a sequence at the times a cron expression names
/// (ORCH8-SPEC §1.10 "Cron", §7.9).
///
/// The engine's cron loop fires due schedules: it creates the instance (metadata stamped with
/// `cron_schedule_id`), applies the ``overlapPolicy`` against the schedule's active instances, and
/// moves ``nextFireAt`` to the first fire time after now, so that fires missed while no engine ran
/// are made up by one fire, not a burst.
public struct CronSchedule: Sendable, Hashable {
    /// Server-generated (UUIDv7).
    public var id: UUID
    /// Owning tenant: the tenant of the instances started, and the only one that sees the schedule.
    public var tenantID: String
    /// Namespace of the instances started.
    public var namespace: String
    /// The sequence started (of the same tenant).
    public var sequenceID: UUID
    /// The expression, as given (see ``CronExpression``).
    public var cronExpr: String
    /// IANA time zone the expression's wall-clock times are in; default `"UTC"`.
    public var timezone: String
    /// A disabled schedule fires nothing; default true.
    public var enabled: Bool
    /// An object (or null) copied into each instance's metadata, with `cron_schedule_id` added.
    public var metadata: JSON
    /// What a fire does while an earlier instance of the schedule is still active.
    public var overlapPolicy: CronOverlapPolicy
    /// Fires skipped under ``CronOverlapPolicy/skip``.
    public var skippedFires: Int64
    /// The last skipped fire.
    public var lastSkippedAt: Date?
    /// The last fire that started an instance.
    public var lastTriggeredAt: Date?
    /// When the schedule fires next; nil when it never fires again.
    public var nextFireAt: Date?
    /// Creation time.
    public var createdAt: Date
    /// Last change by the API.
    public var updatedAt: Date

    /// Creates a schedule record.
    public init(
        id: UUID,
        tenantID: String,
        namespace: String,
        sequenceID: UUID,
        cronExpr: String,
        timezone: String = "UTC",
        enabled: Bool = true,
        metadata: JSON = .null,
        overlapPolicy: CronOverlapPolicy = .allow,
        skippedFires: Int64 = 0,
        lastSkippedAt: Date? = nil,
        lastTriggeredAt: Date? = nil,
        nextFireAt: Date?,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.namespace = namespace
        self.sequenceID = sequenceID
        self.cronExpr = cronExpr
        self.timezone = timezone
        self.enabled = enabled
        self.metadata = metadata
        self.overlapPolicy = overlapPolicy
        self.skippedFires = skippedFires
        self.lastSkippedAt = lastSkippedAt
        self.lastTriggeredAt = lastTriggeredAt
        self.nextFireAt = nextFireAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a cron fire does while instances it started earlier are still active (scheduled, running,
/// waiting or paused).
public enum CronOverlapPolicy: String, WireEnum {
    /// Start another instance anyway.
    case allow
    /// Start nothing; count the fire in `skipped_fires`.
    case skip
    /// Wait until the active instances end, then start one instance however many fires passed.
    case bufferOne = "buffer_one"
    /// Cancel the active instances, then start a new one.
    case cancelPrevious = "cancel_previous"
}

/// What one due fire comes to, decided from the policy and the schedule's active instances
/// (``CronOverlapPolicy/decide(active:)``).
public enum CronFireDecision: Sendable, Hashable {
    /// Start an instance; send a cancel signal to these active ones first.
    case start(cancelling: [UUID])
    /// Start nothing; the fire counts as skipped.
    case skip
    /// Start nothing yet; look again later, the fire still due.
    case wait
}

extension CronOverlapPolicy {
    /// The decision for a due fire while `active` instances of the schedule are active.
    public func decide(active: [UUID]) -> CronFireDecision {
        guard !active.isEmpty else { return .start(cancelling: []) }
        switch self {
        case .allow: return .start(cancelling: [])
        case .skip: return .skip
        case .bufferOne: return .wait
        case .cancelPrevious: return .start(cancelling: active)
        }
    }
}

/// The outcome of one due schedule in ``Store/fireDueCronSchedules(now:limit:recheckAt:)``.
public struct CronFiring: Sendable, Hashable {
    /// The schedule.
    public var scheduleID: UUID
    /// Its tenant.
    public var tenantID: String
    /// What happened.
    public var outcome: Outcome

    /// What a due schedule's fire did.
    public enum Outcome: Sendable, Hashable {
        /// This instance was created; the active instances in `cancelling` were sent a cancel signal
        /// in the same transaction.
        case started(instanceID: UUID, cancelling: [UUID])
        /// Skipped under the `skip` policy.
        case skipped
        /// Deferred under `buffer_one`: the schedule is looked at again at `recheckAt`.
        case waiting
        /// The schedule's sequence no longer exists: nothing was started.
        case sequenceMissing
    }

    /// Creates an outcome.
    public init(scheduleID: UUID, tenantID: String, outcome: Outcome) {
        self.scheduleID = scheduleID
        self.tenantID = tenantID
        self.outcome = outcome
    }
}

extension CronSchedule {
    /// The metadata key naming the schedule on the instances it starts.
    public static let metadataKey = "cron_schedule_id"

    /// The instance states that count as active for the overlap policies.
    public static let activeStates: Set<InstanceState> = [.scheduled, .running, .waiting, .paused]

    /// The parsed expression and time zone.
    /// - Throws: ``CronExpressionError`` for a bad expression or an unknown time zone.
    public func parsed() throws(CronExpressionError) -> (expression: CronExpression, timeZone: TimeZone) {
        let expression = try CronExpression(cronExpr)
        guard let zone = TimeZone(identifier: timezone) else {
            throw CronExpressionError("unknown time zone '\(timezone)'")
        }
        return (expression, zone)
    }

    /// The first fire time strictly after `date`; nil when the expression (or its stored form,
    /// should it no longer parse) never fires again.
    public func nextFire(after date: Date) -> Date? {
        guard let (expression, zone) = try? parsed() else { return nil }
        return expression.nextFire(after: date, in: zone)
    }

    /// The instance a fire at `now` starts: `scheduled`, due at once, in the schedule's tenant,
    /// namespace and time zone, with its metadata plus `cron_schedule_id`.
    public func instance(now: Date) -> TaskInstance {
        var fields = metadata.objectValue ?? [:]
        fields[Self.metadataKey] = .string(id.lowercasedText)
        return TaskInstance(
            id: UUIDv7.generate(now: now),
            sequenceID: sequenceID,
            tenantID: tenantID,
            namespace: namespace,
            state: .scheduled,
            nextFireAt: now,
            timezone: timezone,
            metadata: .object(fields),
            createdAt: now,
            updatedAt: now
        )
    }
}

extension CronSchedule: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case namespace
        case sequenceID = "sequence_id"
        case cronExpr = "cron_expr"
        case timezone
        case enabled
        case metadata
        case overlapPolicy = "overlap_policy"
        case skippedFires = "skipped_fires"
        case lastSkippedAt = "last_skipped_at"
        case lastTriggeredAt = "last_triggered_at"
        case nextFireAt = "next_fire_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Reads the wire form, defaults as for a new schedule.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        tenantID = try c.decodeTenantID(forKey: .tenantID)
        namespace = try c.decode(String.self, forKey: .namespace)
        sequenceID = try c.decode(UUID.self, forKey: .sequenceID)
        cronExpr = try c.decode(String.self, forKey: .cronExpr)
        timezone = try c.decode(.timezone, default: "UTC")
        enabled = try c.decode(.enabled, default: true)
        metadata = try c.decode(.metadata, default: .null)
        overlapPolicy = try c.decode(.overlapPolicy, default: .allow)
        skippedFires = try c.decode(.skippedFires, default: 0)
        lastSkippedAt = try c.decodeIfPresent(Date.self, forKey: .lastSkippedAt)
        lastTriggeredAt = try c.decodeIfPresent(Date.self, forKey: .lastTriggeredAt)
        nextFireAt = try c.decodeIfPresent(Date.self, forKey: .nextFireAt)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    /// Writes every field; absent times as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(tenantID, forKey: .tenantID)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(sequenceID, forKey: .sequenceID)
        try c.encode(cronExpr, forKey: .cronExpr)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(overlapPolicy, forKey: .overlapPolicy)
        try c.encode(skippedFires, forKey: .skippedFires)
        try c.encodeOrNull(lastSkippedAt, forKey: .lastSkippedAt)
        try c.encodeOrNull(lastTriggeredAt, forKey: .lastTriggeredAt)
        try c.encodeOrNull(nextFireAt, forKey: .nextFireAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
