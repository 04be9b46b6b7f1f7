/// Runs `try_block`, then `catch_block` if it failed, then `finally_block` always (ORCH8-SPEC §2.2).
public struct TryCatchBlock: Sendable, Hashable, Codable {
    /// Block id.
    public var id: String
    /// Branch 0.
    public var tryBlock: [BlockDefinition]
    /// Branch 1; an empty catch swallows the failure.
    public var catchBlock: [BlockDefinition]
    /// Branch 2, run whatever happened.
    public var finallyBlock: [BlockDefinition]?

    /// Creates a try/catch.
    public init(
        id: String,
        tryBlock: [BlockDefinition],
        catchBlock: [BlockDefinition],
        finallyBlock: [BlockDefinition]? = nil
    ) {
        self.id = id
        self.tryBlock = tryBlock
        self.catchBlock = catchBlock
        self.finallyBlock = finallyBlock
    }

    enum CodingKeys: String, CodingKey {
        case id
        case tryBlock = "try_block"
        case catchBlock = "catch_block"
        case finallyBlock = "finally_block"
    }
}
