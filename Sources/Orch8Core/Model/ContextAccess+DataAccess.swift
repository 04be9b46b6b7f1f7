extension ContextAccess.DataAccess: Codable {
    private enum FieldsKey: String, CodingKey {
        case fields
    }

    /// Accepts `true`, `false`, `"all"`, `"none"` and `{"fields": [...]}`.
    /// - Throws: `DecodingError` naming the accepted forms for anything else.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        switch try single.decode(JSON.self) {
        case .bool(true), .string("all"): self = .all
        case .bool(false), .string("none"): self = .none
        case .object(let members) where members["fields"] != nil:
            let container = try decoder.container(keyedBy: FieldsKey.self)
            self = .fields(try container.decode([String].self, forKey: .fields))
        default:
            throw DecodingError.dataCorruptedError(
                in: single,
                debugDescription: "expected true, false, \"all\", \"none\" or {\"fields\": [...]}"
            )
        }
    }

    /// Writes `true`, `false` or `{"fields": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .all:
            var single = encoder.singleValueContainer()
            try single.encode(true)
        case .none:
            var single = encoder.singleValueContainer()
            try single.encode(false)
        case .fields(let fields):
            var container = encoder.container(keyedBy: FieldsKey.self)
            try container.encode(fields, forKey: .fields)
        }
    }
}
