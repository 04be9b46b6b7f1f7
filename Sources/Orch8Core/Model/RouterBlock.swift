/// Runs the blocks of the first route whose condition is truthy, else `default` (ORCH8-SPEC §2.2).
public struct RouterBlock: Sendable, Hashable, Codable {
    /// One conditional branch.
    public struct Route: Sendable, Hashable, Codable {
        /// Expression evaluated against the context and all outputs.
        public var condition: String
        /// Blocks run when this route is chosen.
        public var blocks: [BlockDefinition]

        /// Creates a route.
        public init(condition: String, blocks: [BlockDefinition]) {
            self.condition = condition
            self.blocks = blocks
        }
    }

    /// Block id.
    public var id: String
    /// Routes in evaluation order; a route's `branch_index` is its position.
    public var routes: [Route]
    /// Blocks run when no route matches; its `branch_index` is `routes.count`.
    public var `default`: [BlockDefinition]?

    /// Creates a router.
    public init(id: String, routes: [Route], default: [BlockDefinition]? = nil) {
        self.id = id
        self.routes = routes
        self.default = `default`
    }
}
