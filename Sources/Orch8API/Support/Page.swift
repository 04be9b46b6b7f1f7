import Hummingbird
import Orch8Core

/// The `{"items": [...], "has_more": bool}` envelope of list routes. Routes fetch one row more than
/// the limit; its presence is `has_more`.
enum Page {
    static func response(_ rows: [some Encodable], limit: Int) throws -> Response {
        let encoder = JSONValueEncoder()
        let items = try rows.prefix(limit).map { try encoder.encode($0) }
        return .json(["items": .array(items), "has_more": .bool(rows.count > limit)])
    }
}
