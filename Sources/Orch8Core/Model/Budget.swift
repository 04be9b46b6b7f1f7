/// Resource limits of an instance (`budget`); a breach pauses it.
///
/// Fields other than the four named ones are kept in ``additionalFields`` and written back, so budgets
/// from newer clients survive a round trip.
public struct Budget: Sendable, Hashable {
    /// Limit on LLM input tokens.
    public var maxInputTokens: UInt64?
    /// Limit on LLM output tokens.
    public var maxOutputTokens: UInt64?
    /// Limit on LLM input plus output tokens.
    public var maxTotalTokens: UInt64?
    /// Limit on executed steps.
    public var maxSteps: UInt64?
    /// Any other fields, as given.
    public var additionalFields: [String: JSON]

    /// Creates a budget.
    public init(
        maxInputTokens: UInt64? = nil,
        maxOutputTokens: UInt64? = nil,
        maxTotalTokens: UInt64? = nil,
        maxSteps: UInt64? = nil,
        additionalFields: [String: JSON] = [:]
    ) {
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
        self.maxTotalTokens = maxTotalTokens
        self.maxSteps = maxSteps
        self.additionalFields = additionalFields
    }
}

extension Budget: Codable {
    private static let knownKeys: Set<String> = [
        "max_input_tokens", "max_output_tokens", "max_total_tokens", "max_steps",
    ]

    enum CodingKeys: String, CodingKey {
        case maxInputTokens = "max_input_tokens"
        case maxOutputTokens = "max_output_tokens"
        case maxTotalTokens = "max_total_tokens"
        case maxSteps = "max_steps"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxInputTokens = try c.decodeIfPresent(UInt64.self, forKey: .maxInputTokens)
        maxOutputTokens = try c.decodeIfPresent(UInt64.self, forKey: .maxOutputTokens)
        maxTotalTokens = try c.decodeIfPresent(UInt64.self, forKey: .maxTotalTokens)
        maxSteps = try c.decodeIfPresent(UInt64.self, forKey: .maxSteps)
        let all = try decoder.singleValueContainer().decode(JSON.self).objectValue ?? [:]
        additionalFields = all.filter { !Self.knownKeys.contains($0.key) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for (key, value) in additionalFields {
            try c.encode(value, forKey: AnyKey(key))
        }
        try c.encodeIfPresent(maxInputTokens, forKey: AnyKey(CodingKeys.maxInputTokens.rawValue))
        try c.encodeIfPresent(maxOutputTokens, forKey: AnyKey(CodingKeys.maxOutputTokens.rawValue))
        try c.encodeIfPresent(maxTotalTokens, forKey: AnyKey(CodingKeys.maxTotalTokens.rawValue))
        try c.encodeIfPresent(maxSteps, forKey: AnyKey(CodingKeys.maxSteps.rawValue))
    }
}
