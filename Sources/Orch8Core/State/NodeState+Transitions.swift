extension NodeState: TransitionTable {
    /// The execution-tree node lifecycle. The original enforces no table for nodes; this one admits
    /// every move its evaluator makes (ORCH8-SPEC §2.2, §7.6) and nothing else:
    ///
    /// | from | to | why |
    /// |---|---|---|
    /// | pending | running | activated by its parent's cursor |
    /// | pending | skipped | false `when`, router route or A/B variant not chosen, catch after success |
    /// | pending | cancelled | race lost, instance failed or cancelled before it started |
    /// | running | waiting | parked on a worker task, sub-sequence, human gate or timer |
    /// | running | completed, failed, cancelled | finished, or cancelled by signal / race |
    /// | running | pending | retry reset (a step re-armed for its next attempt) |
    /// | waiting | running | woken (worker result, child finished, gate answered) |
    /// | waiting | completed, failed, cancelled | result applied while parked, or cancelled |
    /// | completed, failed, cancelled, skipped | pending | loop iteration or retry reset of a subtree |
    public var allowedTransitions: Set<NodeState> {
        switch self {
        case .pending: [.running, .skipped, .cancelled]
        case .running: [.waiting, .completed, .failed, .cancelled, .pending]
        case .waiting: [.running, .completed, .failed, .cancelled]
        case .completed, .failed, .cancelled, .skipped: [.pending]
        }
    }

    /// Completed, failed, cancelled and skipped: the node's parent may move its cursor past it.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled, .skipped: true
        case .pending, .running, .waiting: false
        }
    }
}
