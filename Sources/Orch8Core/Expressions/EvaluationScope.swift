/// Everything a template or an expression can read: the instance's context, the outputs visible to
/// this use, and the instance's KV state (ORCH8-SPEC §3.1, §3.2).
///
/// Which outputs are visible depends on the use (router and `when` see them, loop conditions and
/// `retry_if` do not); the engine builds the scope accordingly and leaves `outputs` empty where the
/// spec hides them.
public struct EvaluationScope: Sendable {
    /// `context.data`.
    public var data: JSON
    /// `context.config`.
    public var config: JSON
    /// The latest output of each block, keyed by block id (`outputs.<id>` and `steps.<id>`).
    public var outputs: [String: JSON]
    /// `context.runtime` as its wire JSON (`attempt`, `total_steps_executed`, `dry_run`, …).
    public var runtime: JSON
    /// The instance's KV store (`state.<key>`), written by `set_state`.
    public var state: JSON
    /// The instance's id, for the `instance_id` root.
    public var instanceID: String
    /// Clock and randomness for `now()`, `uuid()` and `random()`.
    public var environment: EvaluationEnvironment

    /// Creates a scope; everything but `data` defaults to empty.
    public init(
        data: JSON = .emptyObject,
        config: JSON = .emptyObject,
        outputs: [String: JSON] = [:],
        runtime: JSON = .emptyObject,
        state: JSON = .emptyObject,
        instanceID: String = "",
        environment: EvaluationEnvironment = .live
    ) {
        self.data = data
        self.config = config
        self.outputs = outputs
        self.runtime = runtime
        self.state = state
        self.instanceID = instanceID
        self.environment = environment
    }
}
