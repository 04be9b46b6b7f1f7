/// Runs one weighted variant, chosen deterministically per instance (`a_b_split`, ORCH8-SPEC §2.2).
public struct ABSplitBlock: Sendable, Hashable, Codable {
    /// One arm of the split.
    public struct Variant: Sendable, Hashable, Codable {
        /// Unique non-empty name, reported in the block's output.
        public var name: String
        /// Relative weight.
        public var weight: UInt32
        /// Blocks run when this variant is chosen.
        public var blocks: [BlockDefinition]

        /// Creates a variant.
        public init(name: String, weight: UInt32, blocks: [BlockDefinition]) {
            self.name = name
            self.weight = weight
            self.blocks = blocks
        }
    }

    /// Block id.
    public var id: String
    /// At least two variants; a variant's `branch_index` is its position.
    public var variants: [Variant]

    /// Creates a split.
    public init(id: String, variants: [Variant]) {
        self.id = id
        self.variants = variants
    }
}
