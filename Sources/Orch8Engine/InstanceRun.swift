import Foundation
import Logging
import Orch8Core
import Orch8Handlers
import Orch8Plugins

/// One claim of one instance: runs it until it completes, fails, waits (a timer, a retry back-off,
/// a worker, a child, a human) or is paused or cancelled, committing as it goes.
///
/// A sequence of top-level steps only runs flat, step after step (``executeFlat(_:)``); anything
/// else runs over its execution tree (``executeTree(_:)``), whose block semantics are Orch8Core's
/// ``TreeEvaluator``. Everything a step did commits in one update with its output (ORCH8-SPEC §7.3),
/// so a step whose output is stored never runs again; a step that was running when the process died
/// runs again at the same attempt number.
struct InstanceRun {
    let engine: Engine
    var instance: TaskInstance
    var outputs: [BlockOutput]
    var pendingSignals: [Signal]
    var kv: [String: JSON]
    /// The instance's worker tasks by step, as claimed (a loop iteration drops its body's).
    var workerTasks: [String: WorkerTask]
    /// The execution tree by block id (block ids are unique across a sequence).
    var nodes: [String: ExecutionNode]
    /// Blocks whose node changed since the last commit, in the order they first changed (a parent
    /// always before its children).
    var changedNodes: [String] = []
    /// Bumped by every node move: the tree driver evaluates again while it changes.
    var treeVersion = 0
    /// Per block, bumped when its node is reset or cancelled (see ``generation(of:)``).
    var generations: [String: Int] = [:]
    /// A node was reset or cancelled since the tree driver last pruned its calls in flight.
    var generationsChanged = false
    /// The earliest time a waiting part of the tree wants to run again (timer, back-off, poll).
    var wakeAt: Date?
    /// A cancel signal was accepted; non-cancellable parts are still finishing.
    var cancelling = false
    var sequence: CompiledSequence?
    /// Child instances of cancelled sub-sequence blocks, sent a cancel once the run has committed.
    var childrenToCancel: [UUID] = []

    /// The latest real output per block: what `outputs.<id>` reads.
    var latestOutputs: [String: JSON] = [:]
    /// Blocks that are done in a flat run: a real output or a skip marker.
    var finishedBlocks: Set<String> = []
    /// Where in ``outputs`` the bookkeeping rows of each block are, for attempts and iterations.
    var rows = RowIndex()
    var update: InstanceUpdate
    /// Whether the run left the instance due again (`scheduled`): a timer, a back-off, a release,
    /// or a commit refused (the instance changed behind the run's back). The scheduler then looks
    /// for due work at once; otherwise there is none new.
    var leftDueWork = false

    init(engine: Engine, claimed: ClaimedInstance) {
        self.engine = engine
        instance = claimed.instance
        outputs = []
        pendingSignals = claimed.pendingSignals
        kv = claimed.state
        workerTasks = Dictionary(claimed.workerTasks.map { ($0.blockID, $0) }) { first, _ in first }
        nodes = Dictionary(claimed.nodes.map { ($0.blockID, $0) }) { _, last in last }
        update = InstanceUpdate(
            instanceID: claimed.instance.id,
            leaseOwner: engine.configuration.nodeID,
            now: engine.now()
        )
        claimedOutputs = claimed.outputs
    }

    private var claimedOutputs: [BlockOutput]

    /// Marks a step whose `when` guard was false.
    static let skippedMarker = "__skipped__"

    // MARK: Running

    mutating func execute() async throws {
        guard let sequence = try await engine.sequences.sequence(id: instance.sequenceID) else {
            return try await fail("sequence \(instance.sequenceID) not found", blockID: nil)
        }
        self.sequence = sequence
        for row in claimedOutputs { record(row) }
        claimedOutputs = []
        let now = engine.now()
        if instance.context.runtime.startedAt == nil { instance.context.runtime.startedAt = now }
        if instance.context.runtime.runID == nil { instance.context.runtime.runID = UUIDv7.generate() }
        instance.context.runtime.instanceID = instance.id
        update.context = instance.context
        cancelling = instance.metadata[Self.cancelKey] == true

        if let saga = sequence.saga {
            return try await fail(
                "block `\(saga)`: saga blocks are not supported by this engine version",
                blockID: saga
            )
        }
        if sequence.isFlat {
            try await executeFlat(sequence)
        } else {
            try await executeTree(sequence)
        }
    }

    /// The top-level steps in order, one commit after each.
    private mutating func executeFlat(_ sequence: CompiledSequence) async throws {
        guard try await proceedAfterSignals() else { return }
        for (index, root) in sequence.roots.enumerated() {
            guard case .step(let step) = root else { continue }
            let id = step.definition.id
            if finishedBlocks.contains(id) { continue }
            let outcome = try await runStep(step)
            switch outcome {
            case .finished, .skipped:
                if index == sequence.roots.count - 1 { return try await complete() }
                guard try await flush() else { return }
                if engine.isStopping { return try await release(at: engine.now()) }
                if engine.takeSignalFlag(instance.id) {
                    pendingSignals = try await engine.store.pendingSignals(instanceID: instance.id)
                    guard try await proceedAfterSignals() else { return }
                }
            case .failed(let message, let attempt, let details, let cost):
                engine.metrics.stepFailed()
                return try await fail(message, blockID: id, attempt: attempt, details: details, cost: cost)
            case .abort(let message):
                engine.metrics.stepFailed()
                return try await fail(message, blockID: id)
            case .retry(let until):
                return try await postpone(until: until)
            case .wait(let until):
                if let until { return try await postpone(until: until) }
                return try await park(.waiting, at: nil)
            case .interrupted:
                return try await release(at: engine.now())
            }
        }
        try await complete()
    }

    /// Applies the pending signals of a flat run; false when a pause or cancel parked the instance.
    private mutating func proceedAfterSignals() async throws -> Bool {
        switch applySignals() {
        case .proceed: return true
        case .pause: try await park(.paused, at: nil)
        case .cancel:
            update.cancelsWorkerTasks = true
            try await park(.cancelled, at: nil)
        }
        return false
    }

    /// Runs a step to its outcome: its preparation, then its handler when it has one to call.
    mutating func runStep(_ step: CompiledSequence.Step) async throws -> StepOutcome {
        switch try await prepareStep(step) {
        case .done(let outcome): return outcome
        case .call(let call): return finishStep(step, attempt: call.invocation.attempt, result: await call.run())
        }
    }
}

/// Where the engine's bookkeeping rows sit in an instance's outputs, by block, so that attempts
/// and iterations are counted within the current iteration of the enclosing loop.
struct RowIndex {
    /// Retry markers: (row index, attempt).
    var retries: [String: [(index: Int, attempt: UInt32)]] = [:]
    /// Iteration markers of loops and for_each blocks.
    var iterations: [String: [Int]] = [:]
    /// for_each item snapshots.
    var snapshots: [String: [Int]] = [:]
    /// Accepted human-gate answers.
    var gates: [String: [Int]] = [:]
    /// Real outputs.
    var results: [String: [Int]] = [:]
}
