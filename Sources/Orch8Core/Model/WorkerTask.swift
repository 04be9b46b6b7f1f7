public import Foundation

/// A step handed to external workers (ORCH8-SPEC §1.8, §6).
public struct WorkerTask: Sendable, Hashable {
    /// Task id.
    public var id: UUID
    /// The instance.
    public var instanceID: UUID
    /// The step's block id.
    public var blockID: String
    /// The step's handler; workers poll by it.
    public var handlerName: String
    /// Worker queue, if the step or a routing rule names one.
    public var queueName: String?
    /// Fully template- and credential-resolved params.
    public var params: JSON
    /// The context after `context_access` filtering.
    public var context: ExecutionContext
    /// Attempt number (0-based).
    public var attempt: UInt32
    /// The step's `timeout`; written as null when unset.
    public var timeoutMS: UInt64?
    /// Lease state.
    public var state: WorkerTaskState
    /// The worker holding the lease.
    public var workerID: String?
    /// When the lease was taken.
    public var claimedAt: Date?
    /// Last heartbeat of the lease holder.
    public var heartbeatAt: Date?
    /// Fencing token, incremented on every claim.
    public var claimEpoch: Int64
    /// Durable checkpoint handed to the next claimer.
    public var resumeCheckpoint: JSON?
    /// Sequence number of the checkpoint (compare-and-set).
    public var checkpointSeq: Int64
    /// When the task completed or failed.
    public var completedAt: Date?
    /// The worker's output.
    public var output: JSON?
    /// The worker's failure message.
    public var errorMessage: String?
    /// Whether the failure may be retried.
    public var errorRetryable: Bool?
    /// Creation time (timeouts count from here).
    public var createdAt: Date

    /// Creates a task; the defaults are those of a fresh `pending` task.
    public init(
        id: UUID,
        instanceID: UUID,
        blockID: String,
        handlerName: String,
        queueName: String? = nil,
        params: JSON = .null,
        context: ExecutionContext = ExecutionContext(),
        attempt: UInt32 = 0,
        timeoutMS: UInt64? = nil,
        state: WorkerTaskState = .pending,
        workerID: String? = nil,
        claimedAt: Date? = nil,
        heartbeatAt: Date? = nil,
        claimEpoch: Int64 = 0,
        resumeCheckpoint: JSON? = nil,
        checkpointSeq: Int64 = 0,
        completedAt: Date? = nil,
        output: JSON? = nil,
        errorMessage: String? = nil,
        errorRetryable: Bool? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.instanceID = instanceID
        self.blockID = blockID
        self.handlerName = handlerName
        self.queueName = queueName
        self.params = params
        self.context = context
        self.attempt = attempt
        self.timeoutMS = timeoutMS
        self.state = state
        self.workerID = workerID
        self.claimedAt = claimedAt
        self.heartbeatAt = heartbeatAt
        self.claimEpoch = claimEpoch
        self.resumeCheckpoint = resumeCheckpoint
        self.checkpointSeq = checkpointSeq
        self.completedAt = completedAt
        self.output = output
        self.errorMessage = errorMessage
        self.errorRetryable = errorRetryable
        self.createdAt = createdAt
    }
}
