import Foundation
import Hummingbird
import Orch8Core

/// The query string of a request, with the parsing rules list routes share. Bad values are 400s
/// (`invalid argument: …`), never 500s.
struct QueryParameters {
    private let values: Parameters

    init(_ request: Request) {
        values = request.uri.queryParameters
    }

    /// The value of `name`, nil when absent or empty.
    subscript(name: String) -> String? {
        values.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every `(key, value)` pair, in order.
    var pairs: [(key: String, value: String)] {
        values.map { (String($0.key), String($0.value)) }
    }

    /// A required value.
    /// - Throws: ``APIError/invalidArgument(_:)`` when absent.
    func required(_ name: String) throws(APIError) -> String {
        guard let value = self[name] else { throw .invalidArgument("missing query parameter `\(name)`") }
        return value
    }

    /// A non-negative integer, `fallback` when absent, at most `maximum`.
    /// - Throws: ``APIError/invalidArgument(_:)`` for anything but a non-negative integer.
    func count(_ name: String, default fallback: Int, maximum: Int = .max) throws(APIError) -> Int {
        guard let text = self[name] else { return fallback }
        guard let value = Int(text), value >= 0 else {
            throw .invalidArgument("query parameter `\(name)`: expected a non-negative integer, found '\(text)'")
        }
        return min(value, maximum)
    }

    /// A UUID, nil when absent.
    /// - Throws: ``APIError/invalidArgument(_:)`` for a malformed one.
    func uuid(_ name: String) throws(APIError) -> UUID? {
        guard let text = self[name] else { return nil }
        guard let id = UUID(text: text) else {
            throw .invalidArgument("query parameter `\(name)`: invalid UUID '\(text)'")
        }
        return id
    }
}

extension APIRequestContext {
    /// The UUID in path parameter `name`.
    /// - Throws: ``APIError/invalidArgument(_:)`` when it is not a UUID (a 400, as the original's
    ///   path extractor answers).
    func pathUUID(_ name: String = "id") throws(APIError) -> UUID {
        let text = parameters.get(name) ?? ""
        guard let id = UUID(text: text) else {
            throw .invalidArgument("invalid UUID in path: '\(text)'")
        }
        return id
    }
}
