extension BlockDefinition {
    /// The block's child lists, indexed by the `branch_index` their nodes get (ORCH8-SPEC §2.2):
    /// parallel/race one per branch; loop and for_each `[body]`; router one per route, then `default`
    /// if present; try_catch `[try, catch]` plus `finally` if present; a_b_split one per variant;
    /// cancellation_scope `[blocks]`; saga `[action]`, `[compensation or nothing]` per step (2i, 2i+1);
    /// step and sub_sequence none.
    public var childLists: [[BlockDefinition]] {
        switch self {
        case .step, .subSequence: return []
        case .parallel(let b): return b.branches
        case .race(let b): return b.branches
        case .loop(let b): return [b.body]
        case .forEach(let b): return [b.body]
        case .router(let b): return b.routes.map(\.blocks) + (b.default.map { [$0] } ?? [])
        case .tryCatch(let b): return [b.tryBlock, b.catchBlock] + (b.finallyBlock.map { [$0] } ?? [])
        case .abSplit(let b): return b.variants.map(\.blocks)
        case .cancellationScope(let b): return [b.blocks]
        case .saga(let b): return b.steps.flatMap { [[$0.action], $0.compensation.map { [$0] } ?? []] }
        }
    }

    /// The direct children, in document order.
    public var children: [BlockDefinition] { childLists.flatMap { $0 } }

    /// Visits this block and every block nested in it, depth-first in document order. `depth` is 0 for
    /// this block. Iterative, so arbitrarily deep trees cannot overflow the stack.
    public func walk(_ visit: (_ block: BlockDefinition, _ depth: Int) throws -> Void) rethrows {
        var stack: [(BlockDefinition, Int)] = [(self, 0)]
        while let (block, depth) = stack.popLast() {
            try visit(block, depth)
            for child in block.children.reversed() {
                stack.append((child, depth + 1))
            }
        }
    }

    /// The first block in this subtree (including itself) with the given id.
    public func block(withID id: String) -> BlockDefinition? {
        var stack = [self]
        while let block = stack.popLast() {
            if block.id == id { return block }
            stack.append(contentsOf: block.children.reversed())
        }
        return nil
    }
}
