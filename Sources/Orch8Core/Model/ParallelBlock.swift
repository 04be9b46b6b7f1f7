/// Runs every branch independently; fails if any branch failed (ORCH8-SPEC §2.2).
public struct ParallelBlock: Sendable, Hashable, Codable {
    /// Block id.
    public var id: String
    /// The branches, each a list of blocks run in order; a node's `branch_index` is the position here.
    public var branches: [[BlockDefinition]]

    /// Creates a parallel block.
    public init(id: String, branches: [[BlockDefinition]]) {
        self.id = id
        self.branches = branches
    }
}
