import Foundation
import Logging
import Orch8Core

extension InstanceRun {
    /// Runs the instance over its execution tree: Core's ``TreeEvaluator`` says which leaves are
    /// active; their handler calls run concurrently (steps of different branches at once), and each
    /// result is recorded and the tree evaluated again, until nothing can move without waiting.
    mutating func executeTree(_ sequence: CompiledSequence) async throws {
        var pausing = false
        switch applySignals() {
        case .proceed: break
        case .pause: pausing = true
        case .cancel: acceptCancel()
        }
        let blocks = sequence.definition.blocks
        // Leaves that were waiting when the instance was claimed are looked at once per claim, and
        // again at each tick while handlers run (a timer passed, a worker or child reported).
        var looked: Set<String> = []
        // Handler calls in progress by block: the attempt, and the block's generation when it
        // started (a result for an older generation — the node was cancelled or reset — is dropped).
        var inFlight: [String: (attempt: UInt32, generation: Int)] = [:]
        var ticking = false
        var stop: StopReason?
        await withTaskGroup(of: LeafEvent.self) { group in
            do {
                while stop == nil {
                    let version = treeVersion
                    var evaluator = TreeEvaluator(cancelling: cancelling)
                    let progress = evaluator.advance(blocks, runtime: &self)
                    // Calls of nodes that were cancelled or reset no longer count: their results
                    // are dropped, and the group cancels them when the run ends.
                    if !inFlight.isEmpty && generationsChanged {
                        generationsChanged = false
                        inFlight = inFlight.filter { id, running in
                            !state(of: id).isTerminal && running.generation == generation(of: id)
                        }
                    }
                    if let outcome = progress.outcome, inFlight.isEmpty {
                        stop = .finished(outcome)
                        break
                    }
                    if !pausing && !engine.isStopping {
                        // A leaf the same pass ended later (a race lost) is not run.
                        for id in progress.ready where !state(of: id).isTerminal {
                            if let running = inFlight[id], running.generation == generation(of: id) { continue }
                            if state(of: id) == .waiting {
                                guard looked.insert(id).inserted else { continue }
                            } else {
                                looked.remove(id)
                            }
                            switch try await prepareLeaf(id, sequence) {
                            case .call(let call):
                                let started = generation(of: id)
                                inFlight[id] = (call.invocation.attempt, started)
                                group.addTask { .result(id, started, await call.run()) }
                            case .done(let outcome):
                                if let reason = settle(id, outcome) { stop = reason }
                            }
                            if stop != nil { break }
                        }
                    }
                    if stop != nil { break }
                    if treeVersion != version { continue }
                    guard try await flush() else {
                        stop = .lost
                        break
                    }
                    // A body that finished at once asks for another pass; committed every pass.
                    if progress.again && !engine.isStopping { continue }
                    if inFlight.isEmpty {
                        stop = pausing ? .paused : (engine.isStopping ? .released : .parked)
                        break
                    }
                    if !ticking {
                        ticking = true
                        let pause = Self.tick
                        group.addTask {
                            try? await Task.sleep(for: pause)
                            return .tick
                        }
                    }
                    switch await group.next() {
                    case .result(let id, let started, let result)?:
                        guard let running = inFlight[id], running.generation == started else { continue }
                        inFlight.removeValue(forKey: id)
                        // A node cancelled while its handler ran (a race lost, a cancel) keeps no result.
                        if state(of: id).isTerminal || generation(of: id) != started { continue }
                        if let step = sequence.steps[id] {
                            let outcome = finishStep(step, attempt: running.attempt, result: result)
                            if let reason = settle(id, outcome) { stop = reason }
                        }
                    case .tick?:
                        ticking = false
                        // Let waiting leaves look again: a timer may have passed, a worker or a
                        // child may have reported while the handlers ran.
                        if let due = wakeAt, due <= engine.now() { wakeAt = nil }
                        looked.removeAll()
                        try await refreshWorkerTasks()
                    case nil:
                        continue
                    }
                    if engine.takeSignalFlag(instance.id) {
                        pendingSignals = try await engine.store.pendingSignals(instanceID: instance.id)
                        switch applySignals() {
                        case .proceed: break
                        case .pause: pausing = true
                        case .cancel: acceptCancel()
                        }
                    }
                }
            } catch {
                stop = .error(error)
            }
            group.cancelAll()
        }
        switch stop {
        case .finished(let outcome)?: try await finish(outcome)
        case .aborted(let message, let blockID)?:
            endActiveNodes()
            try await fail(message, blockID: blockID)
        case .paused?: try await park(.paused, at: nil)
        case .released?, .interrupted?: try await release(at: engine.now())
        case .parked?:
            if let wakeAt {
                try await postpone(until: wakeAt)
            } else {
                try await park(.waiting, at: nil)
            }
        case .error(let error)?: throw error
        case .lost?, nil: break
        }
        try await cancelChildren()
    }

    /// Sends a cancel to the children of cancelled sub-sequence blocks.
    private mutating func cancelChildren() async throws {
        let children = childrenToCancel
        childrenToCancel = []
        for child in children {
            let now = engine.now()
            let signal = Signal.cancel(child, at: now)
            if case .enqueued = try await engine.store.enqueueSignal(signal, now: now) {
                engine.signalArrived(for: child)
            }
        }
    }

    /// What the tree driver's task group hands back: a handler's result, or a tick.
    enum LeafEvent: Sendable {
        case result(String, Int, Result<StepResult, StepFailure>)
        case tick
    }

    /// How often a run whose handlers are busy looks at its waiting leaves and signals.
    static let tick = Duration.milliseconds(200)

    /// Re-reads the tasks of waiting worker steps, so that a report made while other handlers run
    /// is taken in this run.
    private mutating func refreshWorkerTasks() async throws {
        for (blockID, task) in workerTasks where state(of: blockID) == .waiting {
            guard task.state == .pending || task.state == .claimed else { continue }
            if let fresh = try await engine.store.workerTask(instanceID: instance.id, blockID: blockID) {
                workerTasks[blockID] = fresh
            }
        }
    }

    enum StopReason {
        case finished(TreeEvaluator.Outcome)
        case aborted(String, blockID: String)
        case paused
        case released
        case interrupted
        /// Nothing can move until a timer, a worker, a child or a human.
        case parked
        /// A commit was refused: the instance changed behind the run's back.
        case lost
        case error(any Error)
    }

    /// Records a leaf's outcome on its node; returns why the run must stop, if it must.
    private mutating func settle(_ id: String, _ outcome: StepOutcome) -> StopReason? {
        switch outcome {
        case .finished: setState(.completed, of: id)
        case .skipped: setState(.skipped, of: id)
        case .failed(let message, let attempt, let details, let cost):
            appendError(message, blockID: id, attempt: attempt, details: details, cost: cost)
            engine.metrics.stepFailed()
            engine.logger.info(
                "step failed",
                metadata: logMetadata([
                    "block_id": "\(id)", "handler": "\(sequence?.steps[id]?.definition.handler ?? "-")",
                    "attempt": "\(attempt)", "error": "\(message)",
                ])
            )
            setState(.failed, of: id)
        case .retry(let until), .wait(let until?):
            if state(of: id) != .waiting { setState(.waiting, of: id) }
            wake(at: until)
        case .wait(nil):
            if state(of: id) != .waiting { setState(.waiting, of: id) }
        case .abort(let message):
            engine.metrics.stepFailed()
            return .aborted(message, blockID: id)
        case .interrupted: return .interrupted
        }
        return nil
    }

    /// The tree finished: the instance ends as its top-level blocks say.
    private mutating func finish(_ outcome: TreeEvaluator.Outcome) async throws {
        removeMetadata(Self.cancelKey)
        // An accepted cancel ends the instance cancelled even when only protected work was left.
        let outcome = cancelling && outcome == .completed ? .cancelled : outcome
        switch outcome {
        case .completed:
            try await complete()
        case .failed(let blockID):
            endActiveNodes()
            engine.logger.warning("instance failed", metadata: logMetadata(["block_id": "\(blockID)"]))
            update.cancelsWorkerTasks = true
            try await park(.failed, at: nil)
        case .cancelled:
            endActiveNodes()
            update.cancelsWorkerTasks = true
            try await park(.cancelled, at: nil)
        }
    }

    /// A cancel signal: from now on the evaluator cancels what a cancel may cancel and lets the rest
    /// finish (ORCH8-SPEC §7.6); remembered across claims until the tree ends.
    private mutating func acceptCancel() {
        cancelling = true
        setMetadata(Self.cancelKey, true)
    }

    /// Every node still pending, running or waiting is cancelled (the instance ended).
    private mutating func endActiveNodes() {
        for (id, node) in nodes where !node.state.isTerminal { setState(.cancelled, of: id) }
    }

    mutating func wake(at date: Date) {
        if wakeAt.map({ date < $0 }) ?? true { wakeAt = date }
    }

    /// Prepares a step or a sub-sequence.
    private mutating func prepareLeaf(_ id: String, _ sequence: CompiledSequence) async throws -> PreparedStep {
        if let step = sequence.steps[id] { return try await prepareStep(step) }
        if case .subSequence(let block)? = sequence.placements[id]?.block {
            return .done(try await runSubSequence(block))
        }
        return .done(.abort("block `\(id)`: not a step"))
    }
}

// MARK: - The tree as the evaluator sees it

extension InstanceRun: BlockRuntime {
    var instanceID: UUID { instance.id }

    func state(of blockID: String) -> NodeState {
        nodes[blockID]?.state ?? .pending
    }

    /// Bumped each time the block is reset or cancelled.
    func generation(of blockID: String) -> Int { generations[blockID] ?? 0 }

    mutating func setState(_ state: NodeState, of blockID: String) {
        let now = engine.now()
        var node: ExecutionNode
        if let existing = nodes[blockID] {
            guard existing.state != state else { return }
            node = existing
        } else {
            let placement = sequence?.placements[blockID]
            node = ExecutionNode(
                id: UUIDv7.generate(now: now),
                instanceID: instance.id,
                blockID: blockID,
                parentID: placement?.parent.flatMap { nodes[$0]?.id },
                blockType: placement?.block.type ?? .step,
                branchIndex: placement?.branch
            )
        }
        let previous = node.state
        node.state = state
        switch state {
        case .pending:
            node.startedAt = nil
            node.completedAt = nil
            restart(blockID)
            generations[blockID, default: 0] += 1
            generationsChanged = true
        case .running, .waiting:
            // A fresh start (a retried instance reopens failed nodes): nothing of an earlier run of
            // the block may answer for this one.
            if previous == .pending { restart(blockID) }
            if node.startedAt == nil { node.startedAt = now }
        case .completed, .failed, .cancelled, .skipped:
            if node.startedAt == nil && state != .skipped { node.startedAt = now }
            node.completedAt = now
            if state == .cancelled && (previous == .running || previous == .waiting) {
                cancelled(blockID)
                generations[blockID, default: 0] += 1
                generationsChanged = true
            }
        }
        if nodes[blockID] == nil || !changedNodes.contains(blockID) { changedNodes.append(blockID) }
        nodes[blockID] = node
        treeVersion &+= 1
    }

    /// A block starts afresh (a loop iteration): its timers and links go, and its worker task.
    private mutating func restart(_ blockID: String) {
        for key in Self.blockKeys(blockID) { removeMetadata(key) }
        // The delete supersedes a cancel recorded earlier in the same update (a race lost, then the
        // loop's next iteration): the new task must not be ended with the old one.
        update.cancelsWorkerTasksOf.removeAll { $0 == blockID }
        if workerTasks.removeValue(forKey: blockID) != nil { update.deletesWorkerTasksOf.append(blockID) }
    }

    /// A running block was cancelled: its worker task is ended, its child instance cancelled.
    private mutating func cancelled(_ blockID: String) {
        if let task = workerTasks[blockID], task.state == .pending || task.state == .claimed {
            update.cancelsWorkerTasksOf.append(blockID)
        }
        if let child = instance.metadata[Self.childKey(blockID)]?.stringValue.flatMap({ UUID(text: $0) }) {
            childrenToCancel.append(child)
        }
        // A cancelled gate is no longer waiting for anyone (GET /approvals).
        removeMetadata(Self.gateKey(blockID))
        removeMetadata(Self.escalatedKey(blockID))
    }

    func isTrue(_ expression: String, withOutputs: Bool) -> Bool {
        let parsed = sequence?.conditions[expression] ?? Orch8Core.Expression(lenient: expression)
        return parsed.isTrue(in: scope(withOutputs: withOutputs))
    }

    func iterations(of blockID: String) -> Int {
        guard let markers = rows.iterations[blockID] else { return 0 }
        // Markers are in row order: count those after the epoch's start by binary search.
        let start = epochStart(of: blockID)
        var low = 0
        var high = markers.count
        while low < high {
            let middle = (low + high) / 2
            if markers[middle] > start { high = middle } else { low = middle + 1 }
        }
        return markers.count - low
    }

    mutating func items(of block: ForEachBlock) -> [JSON] {
        let start = epochStart(of: block.id)
        if let index = rows.snapshots[block.id]?.last, index > start {
            return outputs[index].output.arrayValue ?? []
        }
        let resolved = block.collectionValue(in: scope(withOutputs: true))
        let items = Array((resolved?.arrayValue ?? []).prefix(max(block.maxIterations, 0)))
        if !items.isEmpty { append(blockID: block.id, output: .array(items), ref: OutputMarker.snapshot, attempt: 0) }
        return items
    }

    mutating func beginIteration(_ index: Int, of blockID: String, item: JSON?) {
        retainIterations(of: blockID)
        guard case .forEach(let block)? = sequence?.placements[blockID]?.block else {
            append(blockID: blockID, output: ["_iterations": .int(Int64(index + 1))], ref: nil, attempt: 0)
            treeVersion &+= 1
            return
        }
        let snapshot = rows.snapshots[blockID]?.last.map { outputs[$0].id.lowercasedText }
        let total = rows.snapshots[blockID]?.last.map { outputs[$0].output.arrayValue?.count ?? 0 } ?? 0
        append(
            blockID: blockID,
            output: [
                "_index": .int(Int64(index)), "_total": .int(Int64(total)), "_item_var": .string(block.itemVar),
                "_snapshot_ref": snapshot.map(JSON.string) ?? .null,
            ],
            ref: nil,
            attempt: 0
        )
        instance.context.merge(data: [block.itemVar: item ?? .null])
        update.context = instance.context
        treeVersion &+= 1
    }

    /// `retain_iterations = N`: every block of the body keeps its newest rows, N with the iteration
    /// that starts.
    private mutating func retainIterations(of blockID: String) {
        let keep: UInt32?
        let body: [BlockDefinition]
        switch sequence?.placements[blockID]?.block {
        case .loop(let loop)?: (keep, body) = (loop.retainIterations, loop.body)
        case .forEach(let forEach)?: (keep, body) = (forEach.retainIterations, forEach.body)
        default: return
        }
        guard let keep else { return }
        // The iteration starting now adds one more row per block: N in all once it has run.
        let older = max(Int(keep) - 1, 0)
        for root in body { root.walk { block, _ in update.prunesOutputs[block.id] = older } }
    }

    mutating func endIterations(of block: ForEachBlock) {
        guard var data = instance.context.data.objectValue, data[block.itemVar] != nil else { return }
        data.removeValue(forKey: block.itemVar)
        instance.context.data = .object(data)
        update.context = instance.context
    }

    mutating func pollIntervalElapsed(of block: LoopBlock) -> Bool {
        let now = engine.now()
        let key = Self.pollKey(block.id)
        guard let until = timer(key, duration: (block.pollInterval ?? 0) * 1000, now: now), until > now else {
            removeMetadata(key)
            return true
        }
        wake(at: until)
        return false
    }

    mutating func caught(_ block: TryCatchBlock, failedBlocks: [String]) {
        instance.context.merge(data: [
            "_error": [
                "failed_blocks": .array(failedBlocks.map(JSON.string)), "source": "try_catch",
                "block_id": .string(block.id),
            ]
        ])
        update.context = instance.context
    }

    mutating func chose(variant index: Int, of block: ABSplitBlock) {
        append(
            blockID: block.id,
            output: ["variant": .string(block.variants[index].name), "variant_index": .int(Int64(index))],
            ref: nil,
            attempt: 0
        )
    }
}
