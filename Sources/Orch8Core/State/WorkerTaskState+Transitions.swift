extension WorkerTaskState: TransitionTable {
    /// The worker-task lease lifecycle (ORCH8-SPEC §6):
    ///
    /// | from | to | why |
    /// |---|---|---|
    /// | pending | claimed | a poll leased it |
    /// | pending | failed | timed out before anyone claimed it |
    /// | claimed | pending | reclaimed after the lease holder stopped heartbeating |
    /// | claimed | completed, failed | the worker reported, or the task timed out |
    ///
    /// Completed and failed are final: a retry replaces the task with a fresh `pending` one.
    public var allowedTransitions: Set<WorkerTaskState> {
        switch self {
        case .pending: [.claimed, .failed]
        case .claimed: [.pending, .completed, .failed]
        case .completed, .failed: []
        }
    }

    /// Completed and failed.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed: true
        case .pending, .claimed: false
        }
    }
}
