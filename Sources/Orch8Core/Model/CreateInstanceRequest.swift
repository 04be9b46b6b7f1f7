public import Foundation

/// The body of `POST /instances` (and each item of `POST /instances/batch`), ORCH8-SPEC §1.6.
///
/// Only the shape is checked here, plus the §0 rule that an empty or blank `tenant_id` fails decoding;
/// tenant resolution, the non-empty namespace rule (a 400, not a 422) and the input schema are the
/// API's business.
public struct CreateInstanceRequest: Sendable, Hashable {
    /// The sequence to run.
    public var sequenceID: UUID
    /// Requested tenant, never blank (the tenant header may override it).
    public var tenantID: String
    /// Namespace.
    public var namespace: String
    /// Default ``Priority/normal``.
    public var priority: Priority
    /// Default `"UTC"`.
    public var timezone: String
    /// Default null.
    public var metadata: JSON
    /// Default: empty data and config, no audit, fresh runtime.
    public var context: ExecutionContext
    /// When to first run; now when absent.
    public var nextFireAt: Date?
    /// Key shared by instances limited together.
    public var concurrencyKey: String?
    /// How many instances with `concurrency_key` may run at once.
    public var maxConcurrency: UInt32?
    /// Key that makes creation idempotent per tenant.
    public var idempotencyKey: String?
    /// Session the instance belongs to.
    public var sessionID: UUID?
    /// Parent instance (set for sub-sequences).
    public var parentInstanceID: UUID?
    /// Copied into `context.runtime.dry_run`.
    public var dryRun: Bool
    /// Copied into `context.runtime.dry_run_auto_approve`.
    public var dryRunAutoApprove: Bool
    /// Resource limits.
    public var budget: Budget?

    /// Creates a request; the defaults are those of absent fields.
    public init(
        sequenceID: UUID,
        tenantID: String,
        namespace: String,
        priority: Priority = .normal,
        timezone: String = "UTC",
        metadata: JSON = .null,
        context: ExecutionContext = ExecutionContext(),
        nextFireAt: Date? = nil,
        concurrencyKey: String? = nil,
        maxConcurrency: UInt32? = nil,
        idempotencyKey: String? = nil,
        sessionID: UUID? = nil,
        parentInstanceID: UUID? = nil,
        dryRun: Bool = false,
        dryRunAutoApprove: Bool = false,
        budget: Budget? = nil
    ) {
        self.sequenceID = sequenceID
        self.tenantID = tenantID
        self.namespace = namespace
        self.priority = priority
        self.timezone = timezone
        self.metadata = metadata
        self.context = context
        self.nextFireAt = nextFireAt
        self.concurrencyKey = concurrencyKey
        self.maxConcurrency = maxConcurrency
        self.idempotencyKey = idempotencyKey
        self.sessionID = sessionID
        self.parentInstanceID = parentInstanceID
        self.dryRun = dryRun
        self.dryRunAutoApprove = dryRunAutoApprove
        self.budget = budget
    }
}
