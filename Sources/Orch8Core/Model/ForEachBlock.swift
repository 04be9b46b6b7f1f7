/// Runs `body` once per item of a collection, sequentially (ORCH8-SPEC §2.2).
public struct ForEachBlock: Sendable, Hashable {
    /// Block id.
    public var id: String
    /// A dotted path relative to `context.data` (`"order.lines"`) or a `{{…}}` template.
    public var collection: String
    /// The `context.data` key that holds the current item; default `"item"`.
    public var itemVar: String
    /// Blocks run per item.
    public var body: [BlockDefinition]
    /// Items beyond this are dropped; default 1000, validated to `1...100_000`.
    public var maxIterations: Int
    /// How many iterations' outputs to keep per body block.
    public var retainIterations: UInt32?

    /// Creates a for-each.
    public init(
        id: String,
        collection: String,
        itemVar: String = "item",
        body: [BlockDefinition],
        maxIterations: Int = 1000,
        retainIterations: UInt32? = nil
    ) {
        self.id = id
        self.collection = collection
        self.itemVar = itemVar
        self.body = body
        self.maxIterations = maxIterations
        self.retainIterations = retainIterations
    }
}

extension ForEachBlock: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case collection
        case itemVar = "item_var"
        case body
        case maxIterations = "max_iterations"
        case retainIterations = "retain_iterations"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        collection = try c.decode(String.self, forKey: .collection)
        itemVar = try c.decode(.itemVar, default: "item")
        body = try c.decode([BlockDefinition].self, forKey: .body)
        maxIterations = try c.decode(.maxIterations, default: 1000)
        retainIterations = try c.decodeIfPresent(UInt32.self, forKey: .retainIterations)
    }
}
