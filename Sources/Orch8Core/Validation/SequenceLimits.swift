/// The structural limits that validation enforces (ORCH8-SPEC §2.1).
public enum SequenceLimits {
    /// Deepest allowed nesting; top-level blocks are at depth 1.
    public static let maxNestingDepth = 64
    /// Most branches of a parallel or race block.
    public static let maxBranches = 256
    /// Allowed range of loop and for_each `max_iterations`.
    public static let iterations = 1...100_000
    /// Most blocks in a sequence, all trees together.
    public static let maxTotalBlocks = 5000
    /// Most entries of a step's `compensation.depends_on`.
    public static let maxCompensationDependencies = 256
    /// Valid `send_window` hours.
    public static let hours = 0...23
    /// Valid `send_window` days (0 = Monday).
    public static let weekdays = 0...6
}
