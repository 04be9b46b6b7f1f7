/// The block semantics of ORCH8-SPEC §2.2 as one pass over an instance's execution tree: it moves
/// composite nodes (activates children, completes, fails, skips, cancels, starts iterations) and
/// reports the leaves — steps and sub-sequences — that the engine must run. The engine runs them,
/// records their node states through its ``BlockRuntime`` and calls ``advance(_:runtime:)`` again.
///
/// Rules kept from the original: top-level blocks run strictly in order and the first failed one
/// ends the instance; inside composites a list's cursor moves past terminal children, failed ones
/// included, and the composite looks at failures once the whole list is terminal (for_each is the
/// exception: a failed body stops its iterations).
public struct TreeEvaluator {
    /// Why the pass ended the instance, once its top-level blocks are done.
    public enum Outcome: Sendable, Equatable {
        case completed
        /// A top-level block failed.
        case failed(blockID: String)
        case cancelled
    }

    /// What one pass found.
    public struct Progress: Sendable, Equatable {
        /// Leaves (steps, sub-sequences) that are active, in document order.
        public var ready: [String] = []
        /// Set once every top-level block is terminal (or one failed).
        public var outcome: Outcome?
        /// A loop started another iteration whose body finished at once: call again.
        public var again = false
    }

    /// Whether a cancel signal was accepted: unprotected nodes are cancelled instead of run, and
    /// loops stop iterating (ORCH8-SPEC §7.6).
    public var cancelling: Bool
    private var progress = Progress()
    /// Iterations one pass may start in one loop before handing back, so that a body that finishes
    /// at once (every step skipped) cannot hold the engine.
    static let iterationsPerPass = 64

    public init(cancelling: Bool = false) {
        self.cancelling = cancelling
    }

    /// One pass over `roots`, the sequence's top-level blocks.
    public mutating func advance<R: BlockRuntime>(_ roots: [BlockDefinition], runtime: inout R) -> Progress {
        progress = Progress()
        progress.outcome = runRoots(roots, &runtime)
        return progress
    }

    private mutating func runRoots<R: BlockRuntime>(_ roots: [BlockDefinition], _ rt: inout R) -> Outcome? {
        for block in roots {
            var state = rt.state(of: block.id)
            if !state.isTerminal { state = advance(block, protected: false, &rt) }
            switch state {
            case .completed, .skipped: continue
            case .failed: return .failed(blockID: block.id)
            case .cancelled: return .cancelled
            case .pending, .running, .waiting: return nil
            }
        }
        return .completed
    }

    // MARK: Lists and nodes

    /// How a child list stands after it was advanced.
    struct ListSummary {
        var allTerminal = true
        var anyFailed = false
        var anyCancelled = false

        /// A list that finished with no failed or cancelled child.
        var succeeded: Bool { allTerminal && !anyFailed && !anyCancelled }
    }

    /// Advances a child list by its cursor: the first non-terminal child is activated, and the
    /// cursor moves on while children finish at once.
    mutating func advanceList<R: BlockRuntime>(
        _ blocks: [BlockDefinition],
        protected: Bool,
        _ rt: inout R
    ) -> ListSummary {
        var summary = ListSummary()
        for block in blocks {
            var state = rt.state(of: block.id)
            if !state.isTerminal { state = advance(block, protected: protected, &rt) }
            switch state {
            case .failed: summary.anyFailed = true
            case .cancelled: summary.anyCancelled = true
            case .pending, .running, .waiting:
                summary.allTerminal = false
                return summary
            case .completed, .skipped: break
            }
        }
        return summary
    }

    /// Advances one non-terminal block; returns its state afterwards.
    mutating func advance<R: BlockRuntime>(_ block: BlockDefinition, protected: Bool, _ rt: inout R) -> NodeState {
        let before = rt.state(of: block.id)
        // A cancel spares what already runs: a non-cancellable step or a scope that has not started
        // yet is cancelled like anything else (ORCH8-SPEC §7.6).
        let isProtected = protected || (before != .pending && Self.protects(block))
        if before == .pending {
            if cancelling && !isProtected {
                rt.setState(.cancelled, of: block.id)
                return .cancelled
            }
            rt.setState(.running, of: block.id)
        }
        let activated = before == .pending
        let after: NodeState
        switch block {
        case .step(let step):
            if cancelling && !isProtected {
                after = .cancelled
            } else {
                progress.ready.append(step.id)
                return rt.state(of: block.id)
            }
        case .subSequence(let child):
            if cancelling && !protected {
                after = .cancelled
            } else {
                progress.ready.append(child.id)
                return rt.state(of: block.id)
            }
        case .parallel(let parallel): after = advanceParallel(parallel, protected: isProtected, &rt)
        case .race(let race): after = advanceRace(race, protected: isProtected, &rt)
        case .router(let router): after = advanceRouter(router, activated: activated, protected: isProtected, &rt)
        case .tryCatch(let tryCatch): after = advanceTryCatch(tryCatch, protected: isProtected, &rt)
        case .loop(let loop): after = advanceLoop(loop, protected: isProtected, &rt)
        case .forEach(let forEach): after = advanceForEach(forEach, protected: isProtected, &rt)
        case .abSplit(let split): after = advanceSplit(split, activated: activated, protected: isProtected, &rt)
        case .cancellationScope(let scope): after = finish(advanceList(scope.blocks, protected: true, &rt))
        case .saga:
            // Not run by this engine; sequence validation refuses it first.
            after = .failed
        }
        if after != rt.state(of: block.id) { rt.setState(after, of: block.id) }
        return after
    }

    /// A running cancellation scope and a running non-cancellable step keep running through a cancel.
    static func protects(_ block: BlockDefinition) -> Bool {
        switch block {
        case .cancellationScope: true
        case .step(let step): !step.cancellable
        default: false
        }
    }

    /// The state of a composite whose child lists are summarised by `summary`.
    func finish(_ summary: ListSummary) -> NodeState {
        if !summary.allTerminal { return .running }
        if summary.anyFailed { return .failed }
        if summary.anyCancelled { return .cancelled }
        return .completed
    }

    /// Every list at once, for composites whose lists progress side by side.
    mutating func advanceAll<R: BlockRuntime>(
        _ lists: [[BlockDefinition]],
        protected: Bool,
        _ rt: inout R
    ) -> ListSummary {
        var total = ListSummary()
        for list in lists {
            let summary = advanceList(list, protected: protected, &rt)
            total.allTerminal = total.allTerminal && summary.allTerminal
            total.anyFailed = total.anyFailed || summary.anyFailed
            total.anyCancelled = total.anyCancelled || summary.anyCancelled
        }
        return total
    }

    // MARK: Subtree moves

    /// Marks every not-yet-terminal node of these blocks' subtrees `state` (skipped or cancelled).
    func end<R: BlockRuntime>(_ blocks: [BlockDefinition], as state: NodeState, _ rt: inout R) {
        for root in blocks {
            root.walk { block, _ in
                let current = rt.state(of: block.id)
                guard !current.isTerminal else { return }
                if state == .skipped && current != .pending { return }
                rt.setState(state, of: block.id)
            }
        }
    }

    /// Puts every node of these subtrees back to pending for another iteration.
    func reset<R: BlockRuntime>(_ blocks: [BlockDefinition], _ rt: inout R) {
        for root in blocks {
            root.walk { block, _ in
                if rt.state(of: block.id) != .pending { rt.setState(.pending, of: block.id) }
            }
        }
    }

    /// Ids of the failed leaves in these subtrees, in document order.
    func failedLeaves<R: BlockRuntime>(_ blocks: [BlockDefinition], _ rt: R) -> [String] {
        var failed: [String] = []
        for root in blocks {
            root.walk { block, _ in
                if block.children.isEmpty, rt.state(of: block.id) == .failed { failed.append(block.id) }
            }
        }
        return failed
    }

    mutating func askAgain() { progress.again = true }
}
