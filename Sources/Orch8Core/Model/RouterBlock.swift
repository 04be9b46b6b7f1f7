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

extension RouterBlock {
    enum CodingKeys: String, CodingKey {
        case id, routes, `default`
    }

    /// Also reads the plugin guide's spelling of the default: a route `{"default": true, "blocks": […]}`
    /// in the list, in place of the `default` field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        self.default = try c.decodeIfPresent([BlockDefinition].self, forKey: .default)
        var entries = try c.nestedUnkeyedContainer(forKey: .routes)
        var routes: [Route] = []
        while !entries.isAtEnd {
            let entry = try entries.decode(RouteEntry.self)
            if entry.isDefault {
                guard self.default == nil else {
                    throw DecodingError.dataCorruptedError(
                        in: entries,
                        debugDescription: "router `\(id)` has more than one default route"
                    )
                }
                self.default = entry.blocks
            } else {
                guard let condition = entry.condition else {
                    throw DecodingError.dataCorruptedError(
                        in: entries,
                        debugDescription: "router `\(id)`: a route needs a condition (or \"default\": true)"
                    )
                }
                routes.append(Route(condition: condition, blocks: entry.blocks))
            }
        }
        self.routes = routes
    }

    private struct RouteEntry: Decodable {
        var condition: String?
        var blocks: [BlockDefinition]
        var isDefault: Bool

        enum CodingKeys: String, CodingKey {
            case condition, blocks, `default`
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            condition = try c.decodeIfPresent(String.self, forKey: .condition)
            blocks = try c.decode([BlockDefinition].self, forKey: .blocks)
            isDefault = try c.decodeIfPresent(Bool.self, forKey: .default) ?? false
        }
    }
}
