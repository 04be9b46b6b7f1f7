public import Foundation

/// Failures a Store reports that callers handle; anything else is an internal error.
public enum StoreError: Error, Sendable, Equatable {
    /// A unique key is taken (409 `already exists: …`).
    case alreadyExists(String)
    /// The backend cannot be reached or is overloaded (503).
    case unavailable(String)
}

/// A page of sequences, optionally filtered.
public struct SequenceQuery: Sendable, Equatable {
    public var tenantID: String?
    public var namespace: String?
    public var limit: Int
    public var offset: Int

    public init(tenantID: String? = nil, namespace: String? = nil, limit: Int = 200, offset: Int = 0) {
        self.tenantID = tenantID
        self.namespace = namespace
        self.limit = limit
        self.offset = offset
    }
}

/// A page of instances: every non-nil filter must match; `metadata` entries match top-level
/// metadata keys whose value is that string.
public struct InstanceQuery: Sendable, Equatable {
    public var tenantID: String?
    public var namespace: String?
    public var sequenceID: UUID?
    public var states: Set<InstanceState>?
    public var metadata: [String: String]
    public var limit: Int
    public var offset: Int

    public init(
        tenantID: String? = nil,
        namespace: String? = nil,
        sequenceID: UUID? = nil,
        states: Set<InstanceState>? = nil,
        metadata: [String: String] = [:],
        limit: Int = 100,
        offset: Int = 0
    ) {
        self.tenantID = tenantID
        self.namespace = namespace
        self.sequenceID = sequenceID
        self.states = states
        self.metadata = metadata
        self.limit = limit
        self.offset = offset
    }
}

public enum SequenceDeletion: Sendable, Equatable {
    case deleted
    case notFound
    /// Refused: this many instances are still scheduled, running, waiting or paused.
    case activeInstances(Int)
}

public enum InstanceCreation: Sendable, Equatable {
    case created(UUID)
    /// An instance with the same tenant and idempotency key exists: this is its id.
    case deduplicated(UUID)
}

public enum SignalEnqueueResult: Sendable, Equatable {
    /// Stored; the instance was in this state.
    case enqueued(InstanceState)
    case instanceNotFound
    case instanceTerminal(InstanceState)
}

/// A claimed instance with its outputs, pending signals, KV state and worker tasks, fetched in the
/// claim so that the engine needs no further reads to run it.
public struct ClaimedInstance: Sendable {
    public var instance: TaskInstance
    public var outputs: [BlockOutput]
    public var pendingSignals: [Signal]
    public var state: [String: JSON]
    /// The instance's worker tasks (at most one per step), as they were when it was claimed.
    public var workerTasks: [WorkerTask]
    /// The instance's execution-tree nodes, in the order they were first written.
    public var nodes: [ExecutionNode]

    public init(
        instance: TaskInstance,
        outputs: [BlockOutput],
        pendingSignals: [Signal],
        state: [String: JSON],
        workerTasks: [WorkerTask] = [],
        nodes: [ExecutionNode] = []
    ) {
        self.instance = instance
        self.outputs = outputs
        self.pendingSignals = pendingSignals
        self.state = state
        self.workerTasks = workerTasks
        self.nodes = nodes
    }
}

/// The `output_ref` values of rows the engine writes for its own bookkeeping. API listings hide them
/// when the block also has a real row.
public enum OutputMarker {
    /// A retryable failure at this row's attempt; the next attempt is one more.
    public static let retry = "__retry__"
    /// The permanent failure that failed the instance: `{"__error__": true, "retryable": false, "message": …}`.
    public static let error = "__error__"
    /// The items a for_each iterates, snapshotted when it starts (on the for_each's id).
    public static let snapshot = "__snapshot__"
    /// A step started and not finished (reserved; this engine derives attempts from retry rows).
    public static let inProgress = "__in_progress__"

    public static let all: Set<String> = [retry, error, inProgress]
}

/// What the engine writes for one instance after running part of it. Everything in it commits
/// together, and only if the instance is still in ``expectedState`` under ``leaseOwner``.
public struct InstanceUpdate: Sendable {
    public var instanceID: UUID
    /// The state the instance must be in (usually `running`).
    public var expectedState: InstanceState
    /// The engine node that must still hold the lease; nil skips the check.
    public var leaseOwner: String?
    /// The new state; nil keeps it.
    public var state: InstanceState?
    /// The new `next_fire_at`, when ``setsNextFireAt``; nil there clears it.
    public var nextFireAt: Date?
    public var setsNextFireAt: Bool
    /// The new context; nil keeps it.
    public var context: ExecutionContext?
    /// The new metadata; nil keeps it.
    public var metadata: JSON?
    /// Output rows to append.
    public var outputs: [BlockOutput]
    /// KV writes: a value sets the key, nil deletes it.
    public var stateWrites: [String: JSON?]
    /// Deletes every KV key first (before ``stateWrites``).
    public var clearsState: Bool
    /// Signals to mark delivered.
    public var deliveredSignals: [UUID]
    /// Releases the lease (when the instance leaves `running`).
    public var releasesLease: Bool
    /// Execution-tree nodes to write: a new id is inserted, a known one gets the given state and
    /// times (its place in the tree never changes).
    public var nodes: [ExecutionNode]
    /// Worker tasks to create; a task for a step that already has one requeues it when its attempt
    /// is later, and changes nothing otherwise.
    public var workerTasks: [WorkerTask]
    /// Ends the instance's pending and claimed worker tasks (the instance was cancelled), so that no
    /// worker picks them up and a late report gets a conflict.
    public var cancelsWorkerTasks: Bool
    /// Ends the open worker tasks of these steps (cancelled nodes: a lost race, a cancel signal).
    public var cancelsWorkerTasksOf: [String]
    /// Deletes the worker tasks of these steps before ``workerTasks`` are written (a loop iteration
    /// starts their steps afresh).
    public var deletesWorkerTasksOf: [String]
    /// Child instances to create (sub-sequences), due at once.
    public var childInstances: [TaskInstance]
    /// Per block, how many of its newest output rows to keep (a loop's `retain_iterations`); the
    /// older ones are deleted after ``outputs`` are written.
    public var prunesOutputs: [String: Int]
    public var now: Date

    public init(instanceID: UUID, expectedState: InstanceState = .running, leaseOwner: String?, now: Date) {
        self.instanceID = instanceID
        self.expectedState = expectedState
        self.leaseOwner = leaseOwner
        self.state = nil
        self.nextFireAt = nil
        self.setsNextFireAt = false
        self.context = nil
        self.metadata = nil
        self.outputs = []
        self.stateWrites = [:]
        self.clearsState = false
        self.deliveredSignals = []
        self.releasesLease = false
        self.nodes = []
        self.workerTasks = []
        self.cancelsWorkerTasks = false
        self.cancelsWorkerTasksOf = []
        self.deletesWorkerTasksOf = []
        self.childInstances = []
        self.prunesOutputs = [:]
        self.now = now
    }
}
