extension TreeEvaluator {
    /// Every branch progresses; done when all are terminal, failed if any branch failed.
    mutating func advanceParallel<R: BlockRuntime>(_ block: ParallelBlock, protected: Bool, _ rt: inout R) -> NodeState
    {
        finish(advanceAll(block.branches, protected: protected, &rt))
    }

    /// The first branch to finish without a failure wins and the others are cancelled. With
    /// `first_to_resolve` a failed branch ends the race as failed; with `first_to_succeed` the race
    /// fails only when no branch can win any more.
    mutating func advanceRace<R: BlockRuntime>(_ block: RaceBlock, protected: Bool, _ rt: inout R) -> NodeState {
        let summaries = block.branches.map { advanceList($0, protected: protected, &rt) }
        let others = { (winner: Int) in block.branches.indices.filter { $0 != winner }.flatMap { block.branches[$0] } }
        if let winner = summaries.firstIndex(where: \.succeeded) {
            end(others(winner), as: .cancelled, &rt)
            return .completed
        }
        switch block.semantics {
        case .firstToResolve:
            if let loser = summaries.firstIndex(where: { $0.allTerminal }) {
                end(others(loser), as: .cancelled, &rt)
                return summaries[loser].anyFailed ? .failed : .cancelled
            }
        case .firstToSucceed:
            if summaries.allSatisfy(\.allTerminal) {
                return summaries.contains(where: \.anyFailed) ? .failed : .cancelled
            }
        }
        return .running
    }

    /// On activation the first route whose condition holds (else the default) is chosen and every
    /// other list is skipped; no match and no default completes at once.
    mutating func advanceRouter<R: BlockRuntime>(
        _ block: RouterBlock,
        activated: Bool,
        protected: Bool,
        _ rt: inout R
    ) -> NodeState {
        var lists = block.routes.map(\.blocks)
        if let fallback = block.default { lists.append(fallback) }
        if activated {
            let chosen =
                block.routes.firstIndex { rt.isTrue($0.condition, withOutputs: true) }
                ?? (block.default == nil ? nil : block.routes.count)
            for (index, list) in lists.enumerated() where index != chosen { end(list, as: .skipped, &rt) }
        }
        return finish(advanceAll(lists, protected: protected, &rt))
    }

    /// Try, then catch when a try block failed (with `_error` in the data) or skip it, then
    /// finally, which a cancel does not interrupt. An empty catch swallows the failure.
    mutating func advanceTryCatch<R: BlockRuntime>(_ block: TryCatchBlock, protected: Bool, _ rt: inout R) -> NodeState
    {
        let attempt = advanceList(block.tryBlock, protected: protected, &rt)
        guard attempt.allTerminal else { return .running }
        let tryFailed = attempt.anyFailed
        var caughtFailed = false
        var caughtCancelled = false
        if tryFailed && !block.catchBlock.isEmpty {
            let started = block.catchBlock.contains { rt.state(of: $0.id) != .pending }
            if !started { rt.caught(block, failedBlocks: failedLeaves(block.tryBlock, rt)) }
            let recovery = advanceList(block.catchBlock, protected: protected, &rt)
            guard recovery.allTerminal else { return .running }
            caughtFailed = recovery.anyFailed
            caughtCancelled = recovery.anyCancelled
        } else {
            end(block.catchBlock, as: .skipped, &rt)
        }
        var cleanup = ListSummary()
        if let finally = block.finallyBlock {
            cleanup = advanceList(finally, protected: true, &rt)
            guard cleanup.allTerminal else { return .running }
        }
        if cleanup.anyFailed || (tryFailed && caughtFailed) { return .failed }
        if attempt.anyCancelled || caughtCancelled || cleanup.anyCancelled { return .cancelled }
        return .completed
    }

    /// The variant chosen by ``ABSplitChoice`` runs; the others are skipped.
    mutating func advanceSplit<R: BlockRuntime>(
        _ block: ABSplitBlock,
        activated: Bool,
        protected: Bool,
        _ rt: inout R
    ) -> NodeState {
        if activated {
            let chosen = ABSplitChoice.variantIndex(
                instanceID: rt.instanceID,
                blockID: block.id,
                weights: block.variants.map(\.weight)
            )
            rt.chose(variant: chosen, of: block)
            for (index, variant) in block.variants.enumerated() where index != chosen {
                end(variant.blocks, as: .skipped, &rt)
            }
        }
        return finish(advanceAll(block.variants.map(\.blocks), protected: protected, &rt))
    }
}
