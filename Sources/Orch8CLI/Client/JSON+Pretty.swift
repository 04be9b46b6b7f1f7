import Orch8Core

extension JSON {
    /// Indented with two spaces, keys sorted so that the same answer always prints the same.
    func pretty() -> String {
        var out = ""
        writePretty(into: &out, indent: "")
        return out
    }

    private func writePretty(into out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                item.writePretty(into: &out, indent: inner)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted()
            for (index, key) in keys.enumerated() {
                out += inner + JSON.string(key).serialized() + ": "
                members[key]?.writePretty(into: &out, indent: inner)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        default:
            out += serialized()
        }
    }

    /// The value as one table cell: strings bare, null as `-`, anything else as compact JSON.
    var cell: String {
        switch self {
        case .null: return "-"
        case .string(let text): return text
        default: return serialized()
        }
    }
}
