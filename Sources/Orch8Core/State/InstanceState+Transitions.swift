extension InstanceState: TransitionTable {
    /// ORCH8-SPEC §7.1, as the original's code has it (its docs allow fewer exits from terminal states):
    ///
    /// | from | to |
    /// |---|---|
    /// | scheduled | running, paused, cancelled |
    /// | running | scheduled, waiting, completed, failed, paused, cancelled |
    /// | waiting | running, scheduled, cancelled, failed |
    /// | paused | scheduled, cancelled |
    /// | completed, failed, cancelled | scheduled (re-run, e.g. DLQ retry) |
    public var allowedTransitions: Set<InstanceState> {
        switch self {
        case .scheduled: [.running, .paused, .cancelled]
        case .running: [.scheduled, .waiting, .completed, .failed, .paused, .cancelled]
        case .waiting: [.running, .scheduled, .cancelled, .failed]
        case .paused: [.scheduled, .cancelled]
        case .completed, .failed, .cancelled: [.scheduled]
        }
    }

    /// Completed, failed and cancelled: signals are refused and the parent of a sub-sequence is woken.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        case .scheduled, .running, .waiting, .paused: false
        }
    }
}
