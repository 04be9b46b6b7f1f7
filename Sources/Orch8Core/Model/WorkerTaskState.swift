/// The state of a task handed to external workers (ORCH8-SPEC §6).
public enum WorkerTaskState: String, WireEnum {
    /// Waiting to be claimed by a poll.
    case pending
    /// Leased to a worker (`worker_id`, `claim_epoch`).
    case claimed
    case completed
    case failed
}
