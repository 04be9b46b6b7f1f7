/// Runs actions in order and compensates earlier ones in reverse on failure (exotic, ORCH8-SPEC §2.2).
public struct SagaBlock: Sendable, Hashable, Codable {
    /// One action with its optional compensation.
    public struct Step: Sendable, Hashable, Codable {
        /// Name of the saga step (reported as `failed_step`).
        public var id: String
        /// The forward block; its `branch_index` is `2 * position`.
        public var action: BlockDefinition
        /// The undo block; its `branch_index` is `2 * position + 1`.
        public var compensation: BlockDefinition?

        /// Creates a saga step.
        public init(id: String, action: BlockDefinition, compensation: BlockDefinition? = nil) {
            self.id = id
            self.action = action
            self.compensation = compensation
        }
    }

    /// Block id.
    public var id: String
    /// The steps in order.
    public var steps: [Step]

    /// Creates a saga.
    public init(id: String, steps: [Step]) {
        self.id = id
        self.steps = steps
    }
}
