/// How to undo a step in a continuity compensation run (`compensation`, exotic; parsed and validated
/// now, executed later).
public struct CompensationSpec: Sendable, Hashable {
    /// The handler that undoes the step.
    public var handler: String
    /// Its params; default null.
    public var params: JSON
    /// Ids of steps whose compensation must run first (at most 256, unique, not this step).
    public var dependsOn: [String]
    /// How to check that the compensation worked; kept as given.
    public var verification: JSON?

    /// Creates a compensation.
    public init(handler: String, params: JSON = .null, dependsOn: [String] = [], verification: JSON? = nil) {
        self.handler = handler
        self.params = params
        self.dependsOn = dependsOn
        self.verification = verification
    }
}

extension CompensationSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case handler
        case params
        case dependsOn = "depends_on"
        case verification
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        handler = try c.decode(String.self, forKey: .handler)
        params = try c.decode(.params, default: .null)
        dependsOn = try c.decode(.dependsOn, default: [])
        verification = try c.decodeIfPresent(JSON.self, forKey: .verification)
    }
}
