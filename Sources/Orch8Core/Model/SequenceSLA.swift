/// Alert-only time limits of a sequence (`sla`): a breach raises a webhook and a metric, never a state
/// change.
public struct SequenceSLA: Sendable, Hashable, Codable {
    /// Limit on an instance's total run time.
    public var maxRuntime: Milliseconds?
    /// Limit on one step's run time.
    public var maxStepRuntime: Milliseconds?

    /// Creates limits.
    public init(maxRuntime: Milliseconds? = nil, maxStepRuntime: Milliseconds? = nil) {
        self.maxRuntime = maxRuntime
        self.maxStepRuntime = maxStepRuntime
    }

    enum CodingKeys: String, CodingKey {
        case maxRuntime = "max_runtime"
        case maxStepRuntime = "max_step_runtime"
    }
}
