/// A step's `retry` policy (ORCH8-SPEC §2.3, §7.4). Without one, any failure is terminal.
public struct RetryPolicy: Sendable, Hashable {
    /// The most executions in total (validated `> 0`).
    public var maxAttempts: UInt32
    /// The wait before the second attempt.
    public var initialBackoff: Milliseconds
    /// The cap on the exponential wait.
    public var maxBackoff: Milliseconds
    /// Growth factor per attempt; default 2.0.
    public var backoffMultiplier: Double
    /// Expression that must be truthy for a failure to be retried.
    public var retryIf: String?
    /// Error codes (`details.error_code|code|status`, stringified) that are never retried.
    public var nonRetryableCodes: [String]?

    /// Creates a policy.
    public init(
        maxAttempts: UInt32,
        initialBackoff: Milliseconds,
        maxBackoff: Milliseconds,
        backoffMultiplier: Double = 2.0,
        retryIf: String? = nil,
        nonRetryableCodes: [String]? = nil
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = backoffMultiplier
        self.retryIf = retryIf
        self.nonRetryableCodes = nonRetryableCodes
    }
}

extension RetryPolicy: Codable {
    enum CodingKeys: String, CodingKey {
        case maxAttempts = "max_attempts"
        case initialBackoff = "initial_backoff"
        case maxBackoff = "max_backoff"
        case backoffMultiplier = "backoff_multiplier"
        case retryIf = "retry_if"
        case nonRetryableCodes = "non_retryable_codes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxAttempts = try c.decode(UInt32.self, forKey: .maxAttempts)
        initialBackoff = try c.decode(Milliseconds.self, forKey: .initialBackoff)
        maxBackoff = try c.decode(Milliseconds.self, forKey: .maxBackoff)
        backoffMultiplier = try c.decode(.backoffMultiplier, default: 2.0)
        retryIf = try c.decodeIfPresent(String.self, forKey: .retryIf)
        nonRetryableCodes = try c.decodeIfPresent([String].self, forKey: .nonRetryableCodes)
    }
}
