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
        // Leaves that were waiting when the instance was claimed are looked at once per claim; a
        // leaf that waits again stays parked until the next claim.
        var looked: Set<String> = []
        var inFlight: [String: UInt32] = [:]
        var stop: StopReason?
        await withTaskGroup(of: (String, Result<StepResult, StepFailure>).self) { group in
            do {
                while stop == nil {
                    let version = treeVersion
                    var evaluator = TreeEvaluator(cancelling: cancelling)
                    let progress = evaluator.advance(blocks, runtime: &self)
                    if let outcome = progress.outcome, inFlight.isEmpty {
                        stop = .finished(outcome)
                        break
                    }
                    if !pausing && !engine.isStopping {
                        // A leaf the same pass ended later (a race lost) is not run.
                        for id in progress.ready where inFlight[id] == nil && !state(of: id).isTerminal {
                            if state(of: id) == .waiting {
                                guard looked.insert(id).inserted else { continue }
                            } else {
                                looked.remove(id)
                            }
                            switch try await prepareLeaf(id, sequence) {
                            case .call(let call):
                                inFlight[id] = call.invocation.attempt
                                group.addTask { (id, await call.run()) }
                            case .done(let outcome):
                                if let reason = settle(id, outcome) { stop = reason }
                            }
                            if stop != nil { break }
                        }
                    }
                    if stop != nil { break }
                    if progress.again || treeVersion != version { continue }
                    guard try await flush() else {
                        stop = .lost
                        break
                    }
                    if inFlight.isEmpty {
                        stop = pausing ? .paused : (engine.isStopping ? .released : .parked)
                        break
                    }
                    guard let (id, result) = await group.next() else { continue }
                    let attempt = inFlight.removeValue(forKey: id) ?? 0
                    // A node cancelled while its handler ran (a race lost, a cancel) keeps no result.
                    if state(of: id).isTerminal { continue }
                    if let step = sequence.steps[id] {
                        if let reason = settle(id, finishStep(step, attempt: attempt, result: result)) { stop = reason }
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
            let signal = Signal(id: UUIDv7.generate(now: now), instanceID: child, signalType: .cancel, createdAt: now)
            if case .enqueued = try await engine.store.enqueueSignal(signal, now: now) {
                engine.signalArrived(for: child)
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
        case .failed(let message, let attempt, let details):
            appendError(message, blockID: id, attempt: attempt, details: details)
            engine.logger.info(
                "step failed",
                metadata: [
                    "instance_id": "\(instance.id.uuidString.lowercased())", "block_id": "\(id)",
                    "error": "\(message)",
                ]
            )
            setState(.failed, of: id)
        case .retry(let until), .wait(let until?):
            if state(of: id) != .waiting { setState(.waiting, of: id) }
            wake(at: until)
        case .wait(nil):
            if state(of: id) != .waiting { setState(.waiting, of: id) }
        case .abort(let message): return .aborted(message, blockID: id)
        case .interrupted: return .interrupted
        }
        return nil
    }

    /// The tree finished: the instance ends as its top-level blocks say.
    private mutating func finish(_ outcome: TreeEvaluator.Outcome) async throws {
        removeMetadata(Self.cancelKey)
        switch outcome {
        case .completed:
            try await complete()
        case .failed(let blockID):
            endActiveNodes()
            engine.logger.warning(
                "instance failed",
                metadata: ["instance_id": "\(instance.id.uuidString.lowercased())", "block_id": "\(blockID)"]
            )
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
        case .running, .waiting:
            if node.startedAt == nil { node.startedAt = now }
        case .completed, .failed, .cancelled, .skipped:
            if node.startedAt == nil && state != .skipped { node.startedAt = now }
            node.completedAt = now
            if state == .cancelled && (previous == .running || previous == .waiting) { cancelled(blockID) }
        }
        if nodes[blockID] == nil || !changedNodes.contains(blockID) { changedNodes.append(blockID) }
        nodes[blockID] = node
        treeVersion &+= 1
    }

    /// A block starts afresh (a loop iteration): its timers and links go, and its worker task.
    private mutating func restart(_ blockID: String) {
        for key in Self.blockKeys(blockID) { removeMetadata(key) }
        if workerTasks.removeValue(forKey: blockID) != nil { update.deletesWorkerTasksOf.append(blockID) }
    }

    /// A running block was cancelled: its worker task is ended, its child instance cancelled.
    private mutating func cancelled(_ blockID: String) {
        if let task = workerTasks[blockID], task.state == .pending || task.state == .claimed {
            update.cancelsWorkerTasksOf.append(blockID)
        }
        if let child = instance.metadata[Self.childKey(blockID)]?.stringValue.flatMap(UUID.init(uuidString:)) {
            childrenToCancel.append(child)
        }
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
        guard case .forEach(let block)? = sequence?.placements[blockID]?.block else {
            append(blockID: blockID, output: ["_iterations": .int(Int64(index + 1))], ref: nil, attempt: 0)
            treeVersion &+= 1
            return
        }
        let snapshot = rows.snapshots[blockID]?.last.map { outputs[$0].id.uuidString.lowercased() }
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
