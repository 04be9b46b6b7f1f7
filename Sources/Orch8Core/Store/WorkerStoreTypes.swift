public import Foundation

/// Who may change a claimed task: the lease holder, and the claim epoch when the worker sent one.
///
/// Without an epoch (the official Python SDK sends only `worker_id`) the lease is checked by worker
/// and state alone (ORCH8-SPEC preface, improvement 5); with one, fencing is exact.
public struct WorkerFence: Sendable, Equatable {
    public var workerID: String
    public var claimEpoch: Int64?
    /// The tenant the caller acts for: a task of another tenant's instance is reported missing.
    /// Nil checks no tenant.
    public var tenantID: String?

    public init(workerID: String, claimEpoch: Int64? = nil, tenantID: String? = nil) {
        self.workerID = workerID
        self.claimEpoch = claimEpoch
        self.tenantID = tenantID
    }
}

/// One poll: lease up to `limit` pending tasks of a handler (and queue) to a worker.
public struct WorkerPoll: Sendable, Equatable {
    public var handlerName: String
    /// Only tasks of this queue; nil takes tasks of every queue (a handler poll).
    public var queueName: String?
    public var workerID: String
    /// Only tasks of this tenant's instances; nil takes any tenant's.
    public var tenantID: String?
    public var version: String?
    public var limit: Int
    public var now: Date

    public init(
        handlerName: String,
        queueName: String? = nil,
        workerID: String,
        tenantID: String? = nil,
        version: String? = nil,
        limit: Int,
        now: Date
    ) {
        self.handlerName = handlerName
        self.queueName = queueName
        self.workerID = workerID
        self.tenantID = tenantID
        self.version = version
        self.limit = limit
        self.now = now
    }
}

/// A worker's report on a task it holds: `complete` or `fail`.
public struct WorkerReport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The worker's output.
        case completed(JSON)
        /// The worker's failure; the step's retry policy decides what a retryable one means.
        case failed(message: String, retryable: Bool)
    }

    public var taskID: UUID
    public var fence: WorkerFence
    public var outcome: Outcome

    public init(taskID: UUID, fence: WorkerFence, outcome: Outcome) {
        self.taskID = taskID
        self.fence = fence
        self.outcome = outcome
    }
}

/// The outcome of a worker's complete or fail.
public enum WorkerTaskMutation: Sendable, Equatable {
    /// Applied.
    case applied
    case notFound
    /// The task is not claimed by this worker (and epoch): the lease changed hands or ended.
    case conflict
}

/// The outcome of a heartbeat.
public enum WorkerHeartbeat: Sendable, Equatable {
    /// The lease is extended; the task's checkpoint sequence now.
    case applied(checkpointSeq: Int64)
    case notFound
    /// The lease changed hands or ended, or the checkpoint sequence was not the expected one.
    case conflict
}

/// A heartbeat's optional durable checkpoint, stored only if `expectedSeq` is the task's current one.
public struct WorkerCheckpoint: Sendable, Equatable {
    public var value: JSON
    public var expectedSeq: Int64

    public init(value: JSON, expectedSeq: Int64) {
        self.value = value
        self.expectedSeq = expectedSeq
    }
}

/// A page of worker tasks; every non-nil filter must match. Newest first.
public struct WorkerTaskQuery: Sendable, Equatable {
    public var tenantID: String?
    public var states: Set<WorkerTaskState>?
    public var handlerName: String?
    public var workerID: String?
    public var queueName: String?
    public var instanceID: UUID?
    public var limit: Int
    public var offset: Int

    public init(
        tenantID: String? = nil,
        states: Set<WorkerTaskState>? = nil,
        handlerName: String? = nil,
        workerID: String? = nil,
        queueName: String? = nil,
        instanceID: UUID? = nil,
        limit: Int = 50,
        offset: Int = 0
    ) {
        self.tenantID = tenantID
        self.states = states
        self.handlerName = handlerName
        self.workerID = workerID
        self.queueName = queueName
        self.instanceID = instanceID
        self.limit = limit
        self.offset = offset
    }
}

/// What happened to a task's lease, in the order it happened (`GET /workers/tasks/{id}/attempts`).
public enum WorkerTaskEventKind: String, WireEnum {
    case claimed
    case reclaimed
    case completed
    case failed
    case timedOut = "timed_out"
    case cancelled
    case requeued
    case staleMutationRejected = "stale_mutation_rejected"
}

/// One entry of a task's lease history.
public struct WorkerTaskEvent: Sendable, Hashable, Codable {
    public var taskID: UUID
    public var event: WorkerTaskEventKind
    public var workerID: String?
    public var claimEpoch: Int64
    public var attempt: UInt32
    public var detail: String?
    public var createdAt: Date

    public init(
        taskID: UUID,
        event: WorkerTaskEventKind,
        workerID: String?,
        claimEpoch: Int64,
        attempt: UInt32,
        detail: String? = nil,
        createdAt: Date
    ) {
        self.taskID = taskID
        self.event = event
        self.workerID = workerID
        self.claimEpoch = claimEpoch
        self.attempt = attempt
        self.detail = detail
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case event
        case workerID = "worker_id"
        case claimEpoch = "claim_epoch"
        case attempt
        case detail
        case createdAt = "created_at"
    }
}

/// A worker as its polls describe it (`GET /workers`).
public struct WorkerRegistration: Sendable, Hashable {
    public var workerID: String
    /// Handler names it polled for, sorted.
    public var handlers: [String]
    /// Queue names it polled, sorted.
    public var queues: [String]
    public var version: String?
    public var lastSeenAt: Date
    /// Tasks it holds claimed now.
    public var inFlight: Int

    public init(
        workerID: String,
        handlers: [String],
        queues: [String],
        version: String?,
        lastSeenAt: Date,
        inFlight: Int
    ) {
        self.workerID = workerID
        self.handlers = handlers
        self.queues = queues
        self.version = version
        self.lastSeenAt = lastSeenAt
        self.inFlight = inFlight
    }
}

/// Task counts per handler and state (`GET /workers/tasks/stats`).
public struct WorkerTaskCount: Sendable, Hashable {
    public var handlerName: String
    public var state: WorkerTaskState
    public var count: Int

    public init(handlerName: String, state: WorkerTaskState, count: Int) {
        self.handlerName = handlerName
        self.state = state
        self.count = count
    }
}

/// What one reaper pass changed.
public struct WorkerReaping: Sendable, Equatable {
    /// Claimed tasks whose holder stopped heartbeating, back to `pending`.
    public var reclaimed: Int
    /// Tasks past `timeout_ms`, failed; their waiting instances are due again.
    public var timedOut: Int

    public init(reclaimed: Int = 0, timedOut: Int = 0) {
        self.reclaimed = reclaimed
        self.timedOut = timedOut
    }
}
