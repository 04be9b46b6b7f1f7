/// How the engine schedules work. Plain data with defaults; the CLI fills it from flags and
/// environment.
public struct EngineConfiguration: Sendable {
    /// Names this node's leases. A restarted node with the same id takes its old leases back at
    /// once instead of waiting for them to expire.
    public var nodeID: String = "local"
    /// Instances run at the same time, at most.
    public var maxConcurrentInstances: Int = 256
    /// Instances claimed per query, at most.
    public var claimBatchSize: Int = 256
    /// The safety-net poll: the engine claims at least this often even if nothing rang.
    public var tickInterval: Duration = .milliseconds(100)
    /// How long a claim stays valid without renewal. A node that dies loses its instances to other
    /// nodes after this long.
    public var leaseDuration: Duration = .seconds(30)
    /// How long a graceful shutdown lets running steps finish before cancelling them.
    public var shutdownGracePeriod: Duration = .seconds(10)
    /// Back-off before an instance whose run hit a storage error is tried again.
    public var storageRetryDelay: Duration = .seconds(1)
    /// How often the worker reaper runs: it hands back tasks of workers that stopped heartbeating
    /// and fails tasks past their `timeout_ms`. Oftener than the original's 30 s, so that a step's
    /// timeout is kept within about this much.
    public var workerReaperInterval: Duration = .seconds(1)
    /// A claimed task whose worker sent no heartbeat (or poll) for this long goes back to `pending`.
    public var workerStaleAfter: Duration = .seconds(60)
    /// How often the cron loop fires due schedules (ORCH8-SPEC `cron_tick_secs`): a schedule fires
    /// within about this much after its time.
    public var cronTickInterval: Duration = .seconds(10)

    public init() {}
}
