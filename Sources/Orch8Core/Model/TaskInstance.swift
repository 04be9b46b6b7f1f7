public import Foundation

/// One run of a sequence: the resource of `GET /instances/{id}` (ORCH8-SPEC §1.6).
public struct TaskInstance: Sendable, Hashable {
    /// Server-generated id (UUIDv7).
    public var id: UUID
    /// The sequence this runs.
    public var sequenceID: UUID
    /// Owning tenant.
    public var tenantID: String
    /// Namespace, used for lookups and filters.
    public var namespace: String
    /// Lifecycle state.
    public var state: InstanceState
    /// When a `scheduled` instance is due; written as null when unset.
    public var nextFireAt: Date?
    /// Claim order.
    public var priority: Priority
    /// IANA zone for send windows and local delays.
    public var timezone: String
    /// Free-form metadata (may be null).
    public var metadata: JSON
    /// The instance context.
    public var context: ExecutionContext
    /// Key shared by instances limited together.
    public var concurrencyKey: String?
    /// How many instances with `concurrency_key` may run at once.
    public var maxConcurrency: UInt32?
    /// Key that makes creation idempotent per tenant.
    public var idempotencyKey: String?
    /// Session the instance belongs to.
    public var sessionID: UUID?
    /// The instance that spawned this one as a sub-sequence.
    public var parentInstanceID: UUID?
    /// Resource limits.
    public var budget: Budget?
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates an instance.
    public init(
        id: UUID,
        sequenceID: UUID,
        tenantID: String,
        namespace: String,
        state: InstanceState = .scheduled,
        nextFireAt: Date? = nil,
        priority: Priority = .normal,
        timezone: String = "UTC",
        metadata: JSON = .null,
        context: ExecutionContext = ExecutionContext(),
        concurrencyKey: String? = nil,
        maxConcurrency: UInt32? = nil,
        idempotencyKey: String? = nil,
        sessionID: UUID? = nil,
        parentInstanceID: UUID? = nil,
        budget: Budget? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.sequenceID = sequenceID
        self.tenantID = tenantID
        self.namespace = namespace
        self.state = state
        self.nextFireAt = nextFireAt
        self.priority = priority
        self.timezone = timezone
        self.metadata = metadata
        self.context = context
        self.concurrencyKey = concurrencyKey
        self.maxConcurrency = maxConcurrency
        self.idempotencyKey = idempotencyKey
        self.sessionID = sessionID
        self.parentInstanceID = parentInstanceID
        self.budget = budget
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
