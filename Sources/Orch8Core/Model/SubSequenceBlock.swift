/// Runs another sequence as a child instance and waits for it (ORCH8-SPEC §2.2).
public struct SubSequenceBlock: Sendable, Hashable {
    /// Block id.
    public var id: String
    /// Name looked up in the parent's tenant and namespace.
    public var sequenceName: String
    /// A fixed version; the latest non-deprecated one when absent.
    public var version: Int32?
    /// The child's `context.data`, passed verbatim (not template-resolved); default `{}`.
    public var input: JSON

    /// Creates a sub-sequence block.
    public init(id: String, sequenceName: String, version: Int32? = nil, input: JSON = .emptyObject) {
        self.id = id
        self.sequenceName = sequenceName
        self.version = version
        self.input = input
    }
}

extension SubSequenceBlock: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case sequenceName = "sequence_name"
        case version
        case input
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        sequenceName = try c.decode(String.self, forKey: .sequenceName)
        version = try c.decodeIfPresent(Int32.self, forKey: .version)
        input = try c.decode(.input, default: .emptyObject)
    }
}
