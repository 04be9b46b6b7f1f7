/// Runs branches until one wins, then cancels the others (ORCH8-SPEC §2.2).
public struct RaceBlock: Sendable, Hashable {
    /// Block id.
    public var id: String
    /// The competing branches.
    public var branches: [[BlockDefinition]]
    /// Whether a failed branch decides the race; default ``RaceSemantics/firstToResolve``.
    public var semantics: RaceSemantics

    /// Creates a race.
    public init(id: String, branches: [[BlockDefinition]], semantics: RaceSemantics = .firstToResolve) {
        self.id = id
        self.branches = branches
        self.semantics = semantics
    }
}

extension RaceBlock: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case branches
        case semantics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        branches = try c.decode([[BlockDefinition]].self, forKey: .branches)
        semantics = try c.decode(.semantics, default: .firstToResolve)
    }
}
