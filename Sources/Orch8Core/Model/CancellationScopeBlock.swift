/// Runs `blocks` in order, shielded from cancel signals until they finish (ORCH8-SPEC §2.2, §7.6).
public struct CancellationScopeBlock: Sendable, Hashable, Codable {
    /// Block id.
    public var id: String
    /// The shielded blocks.
    public var blocks: [BlockDefinition]

    /// Creates a scope.
    public init(id: String, blocks: [BlockDefinition]) {
        self.id = id
        self.blocks = blocks
    }
}
