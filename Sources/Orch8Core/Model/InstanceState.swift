/// The lifecycle state of a task instance (ORCH8-SPEC §7.1; transitions in `InstanceState+Transitions`).
public enum InstanceState: String, WireEnum {
    /// Due to be claimed at `next_fire_at`.
    case scheduled
    /// Claimed by an engine node and being processed.
    case running
    /// Parked on a worker task, a sub-sequence, a human gate or an event.
    case waiting
    /// Stopped by a signal, a budget breach or a debug breakpoint until resumed.
    case paused
    case completed
    case failed
    case cancelled
}
