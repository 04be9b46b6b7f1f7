extension SignalType: Codable {
    private static let expected =
        "expected one of `pause`, `resume`, `cancel`, `update_context` or {\"custom\": \"<name>\"}"

    /// Decodes the externally tagged form.
    /// - Throws: `DecodingError` for an unknown name, the `"custom:<name>"` display form, or a malformed object.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        switch try single.decode(JSON.self) {
        case .string(let name):
            switch name {
            case "pause": self = .pause
            case "resume": self = .resume
            case "cancel": self = .cancel
            case "update_context": self = .updateContext
            default:
                let hint =
                    name.hasPrefix("custom:")
                    ? "; custom signals are written {\"custom\": \"\(name.dropFirst("custom:".count))\"}" : ""
                throw DecodingError.dataCorruptedError(
                    in: single,
                    debugDescription: "unknown signal type `\(name)`, \(Self.expected)\(hint)"
                )
            }
        case .object(let members):
            guard members.count == 1, members["custom"] != nil else {
                throw DecodingError.dataCorruptedError(
                    in: single,
                    debugDescription: "unknown signal type object, \(Self.expected)"
                )
            }
            let container = try decoder.container(keyedBy: AnyKey.self)
            self = .custom(try container.decode(String.self, forKey: AnyKey("custom")))
        case let other:
            throw DecodingError.typeMismatch(
                SignalType.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected signal type (string or object), found \(other.typeName)"
                )
            )
        }
    }

    /// Encodes the externally tagged form.
    public func encode(to encoder: any Encoder) throws {
        if case .custom(let name) = self {
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(name, forKey: AnyKey("custom"))
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(displayName)
        }
    }
}
