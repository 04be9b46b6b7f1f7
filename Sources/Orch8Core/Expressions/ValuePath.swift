/// A dotted path such as `outputs.fetch.items.0.name`, resolved once into its root and segments so
/// that evaluation does no string work (ORCH8-SPEC §3.1).
struct ValuePath: Sendable, Hashable {
    enum Root: Sendable, Hashable {
        case data
        case config
        /// `outputs.<block>` / `steps.<block>`: the first segment picks the block.
        case outputs
        case runtime
        case state
        case instanceID
    }

    /// One step of navigation: an object key, or an array index when the key is all digits.
    struct Segment: Sendable, Hashable {
        var key: String
        var index: Int?

        init(_ key: Substring) {
            self.key = String(key)
            // Digits only (no sign, no spaces): `Int("+1")` would accept a sign.
            self.index = key.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ? Int(key) : nil
        }
    }

    /// Why a path has no known root.
    enum RootProblem: Error, Sendable, Equatable {
        /// The first segment is not a root (`foo.bar`).
        case unknownRoot(String)
        /// `context.<x>` where x is neither `data` nor `config`.
        case unknownContextSection(String)

        var templateError: TemplateError {
            switch self {
            case .unknownRoot(let root): TemplateError("unknown template root: \(root)")
            case .unknownContextSection(let section): TemplateError("unknown context section: \(section)")
            }
        }
    }

    var root: Root
    var segments: [Segment]

    /// The text the path was parsed from, for messages.
    var text: String

    /// Parses `text` against the roots of §3.1.
    static func parse(_ text: String) -> Result<ValuePath, RootProblem> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let first = parts[0]
        let rest = parts.dropFirst()
        func path(_ root: Root, _ segments: ArraySlice<Substring>) -> Result<ValuePath, RootProblem> {
            .success(ValuePath(root: root, segments: segments.map(Segment.init), text: text))
        }
        switch first {
        case "context":
            guard let section = rest.first else { return .failure(.unknownContextSection("")) }
            switch section {
            case "data": return path(.data, rest.dropFirst())
            case "config": return path(.config, rest.dropFirst())
            default: return .failure(.unknownContextSection(String(section)))
            }
        case "data": return path(.data, rest)
        case "config": return path(.config, rest)
        case "outputs", "steps": return path(.outputs, rest)
        case "input": return path(.data, parts[...])
        case "instance_id": return path(.instanceID, rest)
        case "runtime": return path(.runtime, rest)
        case "state": return path(.state, rest)
        default: return .failure(.unknownRoot(String(first)))
        }
    }

    /// A path into `context.data` for words that are not a root, as expressions read them (§3.2).
    static func inData(_ text: String) -> ValuePath {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return ValuePath(root: .data, segments: parts.map(Segment.init), text: text)
    }

    /// The value at this path, or `null` when any step is missing.
    func resolve(in scope: EvaluationScope) -> JSON {
        var remaining = segments[...]
        var value: JSON
        switch root {
        case .data: value = scope.data
        case .config: value = scope.config
        case .runtime: value = scope.runtime
        case .state: value = scope.state
        case .instanceID: value = .string(scope.instanceID)
        case .outputs:
            guard let block = remaining.popFirst() else { return .object(scope.outputs) }
            guard let output = scope.outputs[block.key] else { return .null }
            value = output
        }
        for segment in remaining {
            switch value {
            case .object(let members):
                guard let next = members[segment.key] else { return .null }
                value = next
            case .array(let elements):
                guard let index = segment.index, elements.indices.contains(index) else { return .null }
                value = elements[index]
            default:
                return .null
            }
        }
        return value
    }
}
