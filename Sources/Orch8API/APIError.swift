public import HTTPTypes
public import Hummingbird
import Orch8Core

/// A handler failure in the shape of ORCH8-SPEC §1.3: a status and `{"error": "<prefix>: <message>"}`.
///
/// Handlers throw these; ``APIError/init(mapping:)`` turns store errors into them, and anything else
/// becomes ``internal`` (500, detail only logged).
public enum APIError: Error, Sendable, Equatable {
    /// 404 `not found: …` (`instance <uuid>`, `sequence <uuid>`).
    case notFound(String)
    /// 400 `invalid argument: …`.
    case invalidArgument(String)
    /// 409 `already exists: …`.
    case alreadyExists(String)
    /// 409 `conflict: …`.
    case conflict(String)
    /// 403 `forbidden: …`.
    case forbidden(String)
    /// 413 `payload too large: …`.
    case payloadTooLarge(String)
    /// 415 `unsupported media type: …` (a JSON body without `Content-Type: application/json`).
    case unsupportedMediaType(String)
    /// 422 `unprocessable entity: …` (a well-formed body of the wrong shape, an input-schema failure).
    case unprocessableEntity(String)
    /// 503 `unavailable: storage backend temporarily unavailable`.
    case unavailable
    /// 500 `internal server error`; the message is logged, never sent.
    case `internal`(String)

    /// The HTTP status.
    public var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .invalidArgument: .badRequest
        case .alreadyExists, .conflict: .conflict
        case .forbidden: .forbidden
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unprocessableEntity: .unprocessableContent
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    /// The `error` member of the body.
    public var wireMessage: String {
        switch self {
        case .notFound(let message): "not found: \(message)"
        case .invalidArgument(let message): "invalid argument: \(message)"
        case .alreadyExists(let message): "already exists: \(message)"
        case .conflict(let message): "conflict: \(message)"
        case .forbidden(let message): "forbidden: \(message)"
        case .payloadTooLarge(let message): "payload too large: \(message)"
        case .unsupportedMediaType(let message): "unsupported media type: \(message)"
        case .unprocessableEntity(let message): "unprocessable entity: \(message)"
        case .unavailable: "unavailable: storage backend temporarily unavailable"
        case .internal: "internal server error"
        }
    }
}

extension APIError: HTTPResponseError {
    /// `{"error": "<prefix>: <message>"}` with ``status``.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(["error": .string(wireMessage)], status: status)
    }
}
