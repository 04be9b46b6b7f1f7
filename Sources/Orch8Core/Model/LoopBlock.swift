/// A while-loop over `body` (ORCH8-SPEC §2.2).
public struct LoopBlock: Sendable, Hashable {
    /// Block id.
    public var id: String
    /// Evaluated before each iteration against the context (not outputs); false ends the loop.
    public var condition: String
    /// Blocks run each iteration.
    public var body: [BlockDefinition]
    /// Iterations before the loop completes; default 1000, validated to `1...100_000`. A plain `Int` so
    /// that out-of-range values reach validation and get a message naming the field.
    public var maxIterations: Int
    /// Evaluated after each iteration; true ends the loop.
    public var breakOn: String?
    /// Whether a failed body keeps looping instead of failing the loop; default false.
    public var continueOnError: Bool
    /// Whole **seconds** to wait between iterations (not milliseconds, unlike DSL durations).
    public var pollInterval: UInt64?
    /// How many iterations' outputs to keep per body block.
    public var retainIterations: UInt32?

    /// Creates a loop.
    public init(
        id: String,
        condition: String,
        body: [BlockDefinition],
        maxIterations: Int = 1000,
        breakOn: String? = nil,
        continueOnError: Bool = false,
        pollInterval: UInt64? = nil,
        retainIterations: UInt32? = nil
    ) {
        self.id = id
        self.condition = condition
        self.body = body
        self.maxIterations = maxIterations
        self.breakOn = breakOn
        self.continueOnError = continueOnError
        self.pollInterval = pollInterval
        self.retainIterations = retainIterations
    }
}

extension LoopBlock: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case condition
        case body
        case maxIterations = "max_iterations"
        case breakOn = "break_on"
        case continueOnError = "continue_on_error"
        case pollInterval = "poll_interval"
        case retainIterations = "retain_iterations"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        condition = try c.decode(String.self, forKey: .condition)
        body = try c.decode([BlockDefinition].self, forKey: .body)
        maxIterations = try c.decode(.maxIterations, default: 1000)
        breakOn = try c.decodeIfPresent(String.self, forKey: .breakOn)
        continueOnError = try c.decode(.continueOnError, default: false)
        pollInterval = try c.decodeIfPresent(UInt64.self, forKey: .pollInterval)
        retainIterations = try c.decodeIfPresent(UInt32.self, forKey: .retainIterations)
    }
}
