import Foundation
import Logging
import Orch8Core

extension InstanceRun {
    // MARK: Metadata keys of durable per-block timers and links

    static func delayKey(_ id: String) -> String { "_delay_until:\(id)" }
    static func sleepKey(_ id: String) -> String { "_sleep_until:\(id)" }
    static func retryKey(_ id: String) -> String { "_retry_until:\(id)" }
    static func pollKey(_ id: String) -> String { "_poll_until:\(id)" }
    static func childKey(_ id: String) -> String { "_child:\(id)" }
    /// When the block's human gate started waiting (also what `GET /approvals` lists).
    static func gateKey(_ id: String) -> String { "_gate_waiting_since:\(id)" }
    static func escalatedKey(_ id: String) -> String { "_gate_escalated:\(id)" }
    /// A cancel signal was accepted while non-cancellable parts still run.
    static let cancelKey = "_cancel_requested"

    /// The keys a block's fresh start (a loop iteration) clears.
    static func blockKeys(_ id: String) -> [String] {
        [delayKey(id), sleepKey(id), retryKey(id), pollKey(id), childKey(id), gateKey(id), escalatedKey(id)]
    }

    // MARK: Rows

    /// Files an output row (claimed or just written) under its block.
    mutating func record(_ row: BlockOutput) {
        let index = outputs.count
        outputs.append(row)
        let id = row.blockID
        switch row.outputRef {
        case OutputMarker.retry?: rows.retries[id, default: []].append((index, row.attempt))
        case OutputMarker.inProgress?, Self.escalationMarker?: return
        case OutputMarker.snapshot?: rows.snapshots[id, default: []].append(index)
        case Self.skippedMarker?: finishedBlocks.insert(id)
        default:
            if row.output[Self.gateField] == true {
                rows.gates[id, default: []].append(index)
                return
            }
            switch sequence?.placements[id]?.block {
            case .loop?, .forEach?: rows.iterations[id, default: []].append(index)
            default: rows.results[id, default: []].append(index)
            }
            finishedBlocks.insert(id)
            latestOutputs[id] = row.output
        }
    }

    /// The row index where the block's current iteration began: the latest iteration marker of its
    /// nearest enclosing loop or for_each (-1 when there is none).
    func epochStart(of blockID: String) -> Int {
        guard let iterator = sequence?.placements[blockID]?.iterator else { return -1 }
        return rows.iterations[iterator]?.last ?? -1
    }

    /// The next attempt number: one more than the block's latest retry marker in its current
    /// iteration, else 0.
    func nextAttempt(for blockID: String) -> UInt32 {
        let start = epochStart(of: blockID)
        guard let retries = rows.retries[blockID] else { return 0 }
        return retries.lazy.filter { $0.index > start }.map(\.attempt).max().map { $0 + 1 } ?? 0
    }

    // MARK: Outcomes

    mutating func succeed(_ blockID: String, result: StepResult, attempt: UInt32) {
        append(blockID: blockID, output: result.output, ref: nil, attempt: attempt, cost: result.cost)
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
        engine.metrics.stepExecuted()
    }

    mutating func append(blockID: String, output: JSON, ref: String?, attempt: UInt32, cost: JSON? = nil) {
        let row = BlockOutput(
            id: UUIDv7.generate(),
            instanceID: instance.id,
            blockID: blockID,
            output: output,
            outputRef: ref,
            outputSize: Int64(output.serialized().utf8.count),
            attempt: attempt,
            createdAt: engine.now(),
            cost: cost
        )
        update.outputs.append(row)
        record(row)
    }

    /// The permanent-failure row of a block.
    mutating func appendError(_ message: String, blockID: String, attempt: UInt32, details: JSON?, cost: JSON? = nil) {
        var marker: [String: JSON] = ["__error__": true, "retryable": false, "message": .string(message)]
        if let details { marker["details"] = details }
        append(blockID: blockID, output: .object(marker), ref: OutputMarker.error, attempt: attempt, cost: cost)
    }

    mutating func complete() async throws {
        try await park(.completed, at: nil)
        engine.logger.debug("instance completed", metadata: logMetadata())
    }

    mutating func fail(
        _ message: String,
        blockID: String?,
        attempt: UInt32 = 0,
        details: JSON? = nil,
        cost: JSON? = nil
    ) async throws {
        if let blockID { appendError(message, blockID: blockID, attempt: attempt, details: details, cost: cost) }
        engine.logger.warning(
            "instance failed",
            metadata: logMetadata(["block_id": "\(blockID ?? "-")", "attempt": "\(attempt)", "error": "\(message)"])
        )
        try await park(.failed, at: nil)
    }

    mutating func postpone(until: Date) async throws {
        try await park(.scheduled, at: until)
    }

    /// Gives the instance back, due at `date`, without recording anything (shutdown, cancellation).
    mutating func release(at date: Date) async throws {
        try await park(.scheduled, at: date)
    }

    /// Leaves `running`: commits the pending update with the new state and releases the lease.
    mutating func park(_ state: InstanceState, at nextFireAt: Date?) async throws {
        // A parent waits for this instance's end; a park to waiting may turn out due (a wake came).
        if state == .scheduled || state == .waiting || (state.isTerminal && instance.parentInstanceID != nil) {
            leftDueWork = true
        }
        update.state = state
        update.setsNextFireAt = true
        update.nextFireAt = nextFireAt
        update.releasesLease = true
        _ = try await flush()
    }

    /// Commits the pending update; false if the instance was changed behind the engine's back (a
    /// state PATCH, a lost lease), in which case this run stops.
    mutating func flush() async throws -> Bool {
        for id in changedNodes { if let node = nodes[id] { update.nodes.append(node) } }
        changedNodes = []
        update.now = engine.now()
        let tasks = update.workerTasks.count
        let signals = update.deliveredSignals.count
        let state = update.state
        let startsChildren = !update.childInstances.isEmpty
        let applied = try await engine.commits.submit(update)
        update = InstanceUpdate(instanceID: instance.id, leaseOwner: engine.configuration.nodeID, now: engine.now())
        if applied {
            engine.metrics.committed(signals: signals, tasks: tasks, state: state)
            if tasks > 0 { engine.taskBell.ring() }
            if startsChildren { engine.wake() }
        } else {
            leftDueWork = true
            engine.logger.info("instance changed outside this run; stopping", metadata: logMetadata())
            // A revoked lease (a context replaced by the API) leaves the instance running without
            // an owner: hand it back now rather than at the next lease sweep.
            if try await engine.store.releaseLeases(expiredBefore: engine.now(), orOwnedBy: nil) > 0 { engine.wake() }
        }
        return applied
    }

    // MARK: Helpers

    /// `extra` plus the instance's `instance_id` and `tenant_id`, for every log line about it. Pass
    /// it inside the log call: the logger builds metadata only for a level that is enabled, so a
    /// run that logs nothing pays nothing.
    func logMetadata(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata = extra
        metadata["instance_id"] = "\(instance.id.lowercasedText)"
        metadata["tenant_id"] = "\(instance.tenantID)"
        return metadata
    }

    /// The due time of a durable timer kept in metadata under `key`, started now if it is new.
    /// Nil for a zero duration.
    mutating func timer(_ key: String, duration: UInt64, now: Date) -> Date? {
        if let existing = instance.metadata[key]?.stringValue.flatMap(RFC3339.parse) { return existing }
        guard duration > 0 else { return nil }
        let until = now.addingTimeInterval(Double(duration) / 1000)
        setMetadata(key, .string(RFC3339.format(until)))
        return until
    }

    mutating func setMetadata(_ key: String, _ value: JSON) {
        var metadata = instance.metadata.objectValue ?? [:]
        metadata[key] = value
        instance.metadata = .object(metadata)
        update.metadata = instance.metadata
    }

    mutating func removeMetadata(_ key: String) {
        guard var metadata = instance.metadata.objectValue, metadata[key] != nil else { return }
        metadata.removeValue(forKey: key)
        instance.metadata = .object(metadata)
        update.metadata = instance.metadata
    }

    func scope(withOutputs: Bool) -> EvaluationScope {
        EvaluationScope(
            data: instance.context.data,
            config: instance.context.config,
            outputs: withOutputs ? latestOutputs : [:],
            runtime: (try? JSONValueEncoder().encode(instance.context.runtime)) ?? .emptyObject,
            state: .object(kv),
            instanceID: instance.id.lowercasedText
        )
    }

    func filteredContext(_ access: ContextAccess?) -> ExecutionContext {
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
