import Foundation
import Logging
import Orch8Core
import Orch8Handlers
import Orch8Plugins

/// One claim of one instance: runs its top-level steps in order until it completes, fails, waits
/// (a timer, a retry back-off) or is paused or cancelled, committing after every step.
///
/// Everything a step did commits in one update with its output (ORCH8-SPEC §7.3), so a step whose
/// output is stored never runs again; a step that was running when the process died runs again at
/// the same attempt number.
struct InstanceRun {
    let engine: Engine
    var instance: TaskInstance
    var outputs: [BlockOutput]
    var pendingSignals: [Signal]
    var kv: [String: JSON]
    /// The instance's worker tasks by step, as claimed.
    let workerTasks: [String: WorkerTask]

    /// The latest real output per block: what `outputs.<id>` reads.
    private var latestOutputs: [String: JSON] = [:]
    /// Blocks that are done: a real output or a skip marker.
    private var finishedBlocks: Set<String> = []
    private var update: InstanceUpdate
    /// Whether the run left the instance due again (`scheduled`): a timer, a back-off, a release,
    /// or a commit refused (the instance changed behind the run's back). The scheduler then looks
    /// for due work at once; otherwise there is none new.
    private(set) var leftDueWork = false

    init(engine: Engine, claimed: ClaimedInstance) {
        self.engine = engine
        instance = claimed.instance
        outputs = claimed.outputs
        pendingSignals = claimed.pendingSignals
        kv = claimed.state
        workerTasks = Dictionary(claimed.workerTasks.map { ($0.blockID, $0) }) { first, _ in first }
        update = InstanceUpdate(
            instanceID: claimed.instance.id,
            leaseOwner: engine.configuration.nodeID,
            now: engine.now()
        )
        for row in outputs { record(row) }
    }

    private mutating func record(_ row: BlockOutput) {
        switch row.outputRef {
        case OutputMarker.retry?, OutputMarker.inProgress?: return
        case Self.skippedMarker?: finishedBlocks.insert(row.blockID)
        default:
            finishedBlocks.insert(row.blockID)
            latestOutputs[row.blockID] = row.output
        }
    }

    /// Marks a step whose `when` guard was false.
    static let skippedMarker = "__skipped__"

    // MARK: Running

    mutating func execute() async throws {
        guard let sequence = try await engine.sequences.sequence(id: instance.sequenceID) else {
            return try await fail("sequence \(instance.sequenceID) not found", blockID: nil)
        }
        let now = engine.now()
        if instance.context.runtime.startedAt == nil { instance.context.runtime.startedAt = now }
        if instance.context.runtime.runID == nil { instance.context.runtime.runID = UUIDv7.generate() }
        instance.context.runtime.instanceID = instance.id
        update.context = instance.context

        guard try await applySignals() else { return }

        for (index, root) in sequence.roots.enumerated() {
            guard case .step(let step) = root else {
                if case .unsupported(let id, let type) = root, !finishedBlocks.contains(id) {
                    return try await fail(
                        "block `\(id)`: \(type) blocks are not supported by this engine version yet",
                        blockID: id
                    )
                }
                continue
            }
            let id = step.definition.id
            if finishedBlocks.contains(id) { continue }
            let isLast = index == sequence.roots.count - 1
            switch try await runStep(step) {
            case .finished:
                if isLast { return try await complete() }
                guard try await flush() else { return }
                if engine.isStopping { return try await release(at: engine.now()) }
                if engine.takeSignalFlag(instance.id) {
                    pendingSignals = try await engine.store.pendingSignals(instanceID: instance.id)
                    guard try await applySignals() else { return }
                }
            case .parked:
                return
            }
        }
        try await complete()
    }

    private enum StepProgress {
        /// The step is done (output or skip recorded in the pending update).
        case finished
        /// The instance left `running` (deferred, retrying, failed); the update is committed.
        case parked
    }

    private mutating func runStep(_ step: CompiledSequence.Step) async throws -> StepProgress {
        let definition = step.definition
        let id = definition.id
        let now = engine.now()

        if let when = step.when {
            switch when {
            case .failure(let error):
                try await fail("when guard on step '\(id)' failed to parse: \(error)", blockID: id)
                return .parked
            case .success(let expression):
                if !expression.isTrue(in: scope(withOutputs: true)) {
                    append(
                        blockID: id,
                        output: ["_skipped": true, "reason": "when"],
                        ref: Self.skippedMarker,
                        attempt: 0
                    )
                    return .finished
                }
            }
        }

        if let delay = definition.delay,
            let until = timer("_delay_until:\(id)", duration: delay.duration.value, now: now)
        {
            if until > now {
                try await postpone(until: until)
                return .parked
            }
        }

        let attempt = nextAttempt(for: id)
        if instance.context.runtime.currentStep != id {
            instance.context.runtime.currentStep = id
            instance.context.runtime.currentStepStartedAt = now
        }
        instance.context.runtime.attempt = attempt

        if definition.handler == "sleep" { return try await sleep(step, attempt: attempt, now: now) }

        let params: JSON
        do throws(TemplateError) {
            params = try step.params.render(in: scope(withOutputs: true))
        } catch {
            try await fail("block `\(id)`: \(error)", blockID: id, attempt: attempt)
            return .parked
        }

        let timeout = definition.timeout.map { Duration.milliseconds(Int64(clamping: $0.value)) }
        let dispatch: Dispatch
        if let handler = engine.handlers[definition.handler] {
            dispatch = .builtin(handler)
        } else if PluginHost.handles(definition.handler), let plugins = engine.plugins {
            dispatch = .plugin(plugins)
        } else if Self.isExternal(definition.handler) {
            return try await runWorkerStep(step, params: params, attempt: attempt)
        } else {
            try await fail(
                "block `\(id)`: handler not found: \(definition.handler)",
                blockID: id,
                attempt: attempt
            )
            return .parked
        }
        let invocation = StepInvocation(
            instanceID: instance.id,
            tenantID: instance.tenantID,
            blockID: id,
            handler: definition.handler,
            params: params,
            context: filteredContext(definition.contextAccess),
            attempt: attempt,
            state: kv
        )
        let outcome: Result<StepResult, StepFailure>
        switch dispatch {
        case .builtin(let handler): outcome = await Self.call(handler, invocation, timeout: timeout)
        // The plugin host enforces the time limit itself (a guest cannot be interrupted).
        case .plugin(let plugins): outcome = await plugins.run(invocation, timeout: timeout)
        }
        switch outcome {
        case .success(let result):
            succeed(id, result: result, attempt: attempt)
            return .finished
        case .failure(let failure):
            if Task.isCancelled {
                try await release(at: engine.now())
                return .parked
            }
            return try await handleFailure(failure, of: step, attempt: attempt)
        }
    }

    /// Retries a failed step after its back-off when its policy allows, else fails the instance.
    private mutating func handleFailure(
        _ failure: StepFailure,
        of step: CompiledSequence.Step,
        attempt: UInt32
    ) async throws -> StepProgress {
        let definition = step.definition
        let id = definition.id
        let decision = RetryDecision.decide(
            failure,
            attempt: attempt,
            policy: definition.retry,
            retryIf: step.retryIf,
            scope: scope(withOutputs: false)
        )
        switch decision {
        case .retry(let backoff):
            var marker: [String: JSON] = ["message": .string(failure.message), "retryable": true]
            if let details = failure.details { marker["details"] = details }
            append(blockID: id, output: .object(marker), ref: OutputMarker.retry, attempt: attempt)
            engine.logger.info(
                "step failed, retrying",
                metadata: [
                    "instance_id": "\(instance.id.uuidString.lowercased())", "block_id": "\(id)",
                    "attempt": "\(attempt)",
                ]
            )
            try await postpone(until: engine.now().addingTimeInterval(backoff.seconds))
        case .fail(let message):
            try await fail("block `\(id)`: \(message)", blockID: id, attempt: attempt, details: failure.details)
        }
        return .parked
    }

    /// Whether `handler` goes to external workers: not a built-in and not a plugin scheme (PLUGINS.md §1).
    static func isExternal(_ handler: String) -> Bool {
        !handler.contains("://")
    }

    /// A step for external workers: hands out a task for this attempt and waits for it, holding
    /// nothing in memory; once a worker reported, takes its result (ORCH8-SPEC §6).
    private mutating func runWorkerStep(
        _ step: CompiledSequence.Step,
        params: JSON,
        attempt: UInt32
    ) async throws -> StepProgress {
        let definition = step.definition
        let id = definition.id
        if let task = workerTasks[id], task.attempt == attempt {
            switch task.state {
            case .pending, .claimed:
                try await park(.waiting, at: nil)
                return .parked
            case .completed:
                let output = task.output ?? .null
                // Only a worker's object output is merged into the data, as the original does.
                if case .object(let fields) = output { instance.context.merge(data: fields) }
                succeed(id, result: StepResult(output: output), attempt: attempt)
                return .finished
            case .failed:
                let message = task.errorMessage ?? "worker task failed"
                let failure: StepFailure = task.errorRetryable == true ? .retryable(message) : .permanent(message)
                return try await handleFailure(failure, of: step, attempt: attempt)
            }
        }
        let now = engine.now()
        update.workerTasks.append(
            WorkerTask(
                id: UUIDv7.generate(now: now),
                instanceID: instance.id,
                blockID: id,
                handlerName: definition.handler,
                queueName: definition.queueName,
                params: params,
                context: filteredContext(definition.contextAccess),
                attempt: attempt,
                timeoutMS: definition.timeout?.value,
                createdAt: now
            )
        )
        try await park(.waiting, at: nil)
        engine.taskBell.ring()
        return .parked
    }

    private enum Dispatch {
        case builtin(any StepHandler)
        case plugin(PluginHost)
    }

    /// The built-in `sleep` as a durable timer: the instance is parked until it is due, holding
    /// nothing in memory, and a pause or cancel signal wakes it at once.
    private mutating func sleep(_ step: CompiledSequence.Step, attempt: UInt32, now: Date) async throws -> StepProgress
    {
        let params = (try? step.params.render(in: scope(withOutputs: true))) ?? .null
        let requested = params["duration_ms"] ?? params["duration"]
        guard let milliseconds = requested.map({ $0.intValue }) ?? 100, milliseconds >= 0 else {
            try await fail(
                "block `\(step.definition.id)`: sleep: params.duration_ms must be a non-negative integer",
                blockID: step.definition.id,
                attempt: attempt
            )
            return .parked
        }
        let key = "_sleep_until:\(step.definition.id)"
        if let until = timer(key, duration: UInt64(milliseconds), now: now), until > now {
            try await postpone(until: until)
            return .parked
        }
        removeMetadata(key)
        succeed(step.definition.id, result: StepResult(output: ["slept_ms": .int(milliseconds)]), attempt: attempt)
        return .finished
    }

    private static func call(
        _ handler: any StepHandler,
        _ invocation: StepInvocation,
        timeout: Duration?
    ) async -> Result<StepResult, StepFailure> {
        guard let timeout else { return await invoke(handler, invocation) }
        return await withTaskGroup(of: Result<StepResult, StepFailure>?.self) { group in
            group.addTask { await invoke(handler, invocation) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return nil }
                return .failure(.retryable("step timed out after \(timeout.milliseconds) ms"))
            }
            for await result in group {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return .failure(.retryable("step cancelled"))
        }
    }

    private static func invoke(
        _ handler: any StepHandler,
        _ invocation: StepInvocation
    ) async -> Result<StepResult, StepFailure> {
        do throws(StepFailure) {
            return .success(try await handler.run(invocation))
        } catch {
            return .failure(error)
        }
    }

    // MARK: Signals

    /// Applies pending signals in order (ORCH8-SPEC §7.6); false if the instance left `running`.
    private mutating func applySignals() async throws -> Bool {
        let signals = pendingSignals
        pendingSignals = []
        for signal in signals {
            switch signal.signalType {
            case .pause:
                update.deliveredSignals.append(signal.id)
                try await park(.paused, at: nil)
                return false
            case .cancel:
                update.deliveredSignals.append(signal.id)
                update.cancelsWorkerTasks = true
                try await park(.cancelled, at: nil)
                return false
            case .resume:
                update.deliveredSignals.append(signal.id)
            case .updateContext:
                update.deliveredSignals.append(signal.id)
                if case .object(let patch)? = signal.payload["data"] {
                    instance.context.merge(data: patch)
                    update.context = instance.context
                }
            case .custom:
                // The human gate reads its own signals; everything else is only recorded.
                if !signal.signalType.isHumanInput { update.deliveredSignals.append(signal.id) }
            }
        }
        return true
    }

    // MARK: Outcomes

    private mutating func succeed(_ blockID: String, result: StepResult, attempt: UInt32) {
        append(blockID: blockID, output: result.output, ref: nil, attempt: attempt)
        for (key, write) in result.stateWrites {
            // `JSON` is nil-literal-expressible: switch on the optional rather than compare with nil.
            switch write {
            case .some(let value): kv[key] = value
            case .none: kv.removeValue(forKey: key)
            }
            update.stateWrites.updateValue(write, forKey: key)
        }
        instance.context.runtime.totalStepsExecuted += 1
        update.context = instance.context
    }

    private mutating func append(blockID: String, output: JSON, ref: String?, attempt: UInt32) {
        let row = BlockOutput(
            id: UUIDv7.generate(),
            instanceID: instance.id,
            blockID: blockID,
            output: output,
            outputRef: ref,
            outputSize: Int64(output.serialized().utf8.count),
            attempt: attempt,
            createdAt: engine.now()
        )
        update.outputs.append(row)
        outputs.append(row)
        record(row)
    }

    private mutating func complete() async throws {
        try await park(.completed, at: nil)
        engine.logger.debug("instance completed", metadata: ["instance_id": "\(instance.id.uuidString.lowercased())"])
    }

    private mutating func fail(
        _ message: String,
        blockID: String?,
        attempt: UInt32 = 0,
        details: JSON? = nil
    ) async throws {
        var marker: [String: JSON] = ["__error__": true, "retryable": false, "message": .string(message)]
        if let details { marker["details"] = details }
        if let blockID { append(blockID: blockID, output: .object(marker), ref: OutputMarker.error, attempt: attempt) }
        engine.logger.warning(
            "instance failed",
            metadata: [
                "instance_id": "\(instance.id.uuidString.lowercased())", "block_id": "\(blockID ?? "-")",
                "error": "\(message)",
            ]
        )
        try await park(.failed, at: nil)
    }

    private mutating func postpone(until: Date) async throws {
        try await park(.scheduled, at: until)
    }

    /// Gives the instance back, due at `date`, without recording anything (shutdown, cancellation).
    mutating func release(at date: Date) async throws {
        try await park(.scheduled, at: date)
    }

    /// Leaves `running`: commits the pending update with the new state and releases the lease.
    private mutating func park(_ state: InstanceState, at nextFireAt: Date?) async throws {
        if state == .scheduled { leftDueWork = true }
        update.state = state
        update.setsNextFireAt = true
        update.nextFireAt = nextFireAt
        update.releasesLease = true
        _ = try await flush()
    }

    /// Commits the pending update; false if the instance was changed behind the engine's back (a
    /// state PATCH, a lost lease), in which case this run stops.
    private mutating func flush() async throws -> Bool {
        update.now = engine.now()
        let applied = try await engine.commits.submit(update)
        update = InstanceUpdate(instanceID: instance.id, leaseOwner: engine.configuration.nodeID, now: engine.now())
        if !applied {
            leftDueWork = true
            engine.logger.info(
                "instance changed outside this run; stopping",
                metadata: ["instance_id": "\(instance.id.uuidString.lowercased())"]
            )
            // A revoked lease (a context replaced by the API) leaves the instance running without
            // an owner: hand it back now rather than at the next lease sweep.
            if try await engine.store.releaseLeases(expiredBefore: engine.now(), orOwnedBy: nil) > 0 { engine.wake() }
        }
        return applied
    }

    // MARK: Helpers

    /// The next attempt number: one more than the latest retry marker of the block, else 0.
    private func nextAttempt(for blockID: String) -> UInt32 {
        let retries = outputs.lazy.filter { $0.blockID == blockID && $0.outputRef == OutputMarker.retry }
        return retries.map(\.attempt).max().map { $0 + 1 } ?? 0
    }

    /// The due time of a durable timer kept in metadata under `key`, started now if it is new.
    /// Nil for a zero duration.
    private mutating func timer(_ key: String, duration: UInt64, now: Date) -> Date? {
        if let existing = instance.metadata[key]?.stringValue.flatMap(RFC3339.parse) { return existing }
        guard duration > 0 else { return nil }
        let until = now.addingTimeInterval(Double(duration) / 1000)
        var metadata = instance.metadata.objectValue ?? [:]
        metadata[key] = .string(RFC3339.format(until))
        instance.metadata = .object(metadata)
        update.metadata = instance.metadata
        return until
    }

    private mutating func removeMetadata(_ key: String) {
        guard var metadata = instance.metadata.objectValue, metadata[key] != nil else { return }
        metadata.removeValue(forKey: key)
        instance.metadata = .object(metadata)
        update.metadata = instance.metadata
    }

    private func scope(withOutputs: Bool) -> EvaluationScope {
        EvaluationScope(
            data: instance.context.data,
            config: instance.context.config,
            outputs: withOutputs ? latestOutputs : [:],
            runtime: (try? JSONValueEncoder().encode(instance.context.runtime)) ?? .emptyObject,
            state: .object(kv),
            instanceID: instance.id.uuidString.lowercased()
        )
    }

    private func filteredContext(_ access: ContextAccess?) -> ExecutionContext {
        guard let access else {
            var context = instance.context
            context.audit = []
            return context
        }
        var context = ExecutionContext()
        switch access.data {
        case .all: context.data = instance.context.data
        case .none: context.data = .emptyObject
        case .fields(let fields):
            let data = instance.context.data.objectValue ?? [:]
            context.data = .object(data.filter { fields.contains($0.key) })
        }
        if access.config { context.config = instance.context.config }
        if access.audit { context.audit = instance.context.audit }
        if access.runtime { context.runtime = instance.context.runtime }
        return context
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
