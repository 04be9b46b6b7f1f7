extension TreeEvaluator {
    /// The hard cap on loop iterations, whatever `max_iterations` says.
    static let iterationCap = 1_000_000

    /// A while-loop: `condition` (which cannot see outputs) before each iteration, `break_on` after
    /// it; reaching `max_iterations` completes the loop; a failed body fails it unless
    /// `continue_on_error`.
    mutating func advanceLoop<R: BlockRuntime>(_ block: LoopBlock, protected: Bool, _ rt: inout R) -> NodeState {
        var started = rt.iterations(of: block.id)
        let limit = min(max(block.maxIterations, 0), Self.iterationCap)
        if started == 0 {
            guard limit > 0, rt.isTrue(block.condition, withOutputs: false) else { return .completed }
            rt.beginIteration(0, of: block.id, item: nil)
            started = 1
        }
        for _ in 0..<Self.iterationsPerPass {
            let body = advanceList(block.body, protected: protected, &rt)
            guard body.allTerminal else { return .running }
            if body.anyFailed && !block.continueOnError { return .failed }
            if body.anyCancelled { return .cancelled }
            if let breakOn = block.breakOn, rt.isTrue(breakOn, withOutputs: false) { return .completed }
            if started >= limit { return .completed }
            if cancelling && !protected { return .cancelled }
            guard rt.isTrue(block.condition, withOutputs: false) else { return .completed }
            if block.pollInterval ?? 0 > 0, !rt.pollIntervalElapsed(of: block) { return .waiting }
            reset(block.body, &rt)
            rt.beginIteration(started, of: block.id, item: nil)
            started += 1
        }
        askAgain()
        return .running
    }

    /// Runs the body once per item of the snapshot, the item in `context.data[item_var]`; a failed
    /// body fails the for_each and leaves the remaining items (and the failed item in the data); a
    /// missing or empty collection completes at once.
    mutating func advanceForEach<R: BlockRuntime>(_ block: ForEachBlock, protected: Bool, _ rt: inout R) -> NodeState {
        var started = rt.iterations(of: block.id)
        let items = rt.items(of: block)
        let total = min(items.count, max(block.maxIterations, 0), Self.iterationCap)
        if started == 0 {
            guard total > 0 else { return .completed }
            rt.beginIteration(0, of: block.id, item: items[0])
            started = 1
        }
        for _ in 0..<Self.iterationsPerPass {
            let body = advanceList(block.body, protected: protected, &rt)
            guard body.allTerminal else { return .running }
            if body.anyFailed || body.anyCancelled || started >= total || (cancelling && !protected) {
                // A failed item stays in the data: a retry of the instance runs it again.
                if body.anyFailed { return .failed }
                rt.endIterations(of: block)
                if body.anyCancelled || started < total { return .cancelled }
                return .completed
            }
            reset(block.body, &rt)
            rt.beginIteration(started, of: block.id, item: items[started])
            started += 1
        }
        askAgain()
        return .running
    }
}
