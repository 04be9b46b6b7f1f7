/// The escalation run when a step exceeds its `deadline` (`on_deadline_breach`).
public struct DeadlineBreachHandler: Sendable, Hashable {
    /// An in-process handler name.
    public var handler: String
    /// Its params; the engine adds `_breach_*` fields. Default null.
    public var params: JSON

    /// Creates an escalation.
    public init(handler: String, params: JSON = .null) {
        self.handler = handler
        self.params = params
    }
}

extension DeadlineBreachHandler: Codable {
    enum CodingKeys: String, CodingKey {
        case handler
        case params
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        handler = try c.decode(String.self, forKey: .handler)
        params = try c.decode(.params, default: .null)
    }
}
