import Hummingbird
import Logging
import Orch8Core

extension APIError {
    /// The API's answer to a failure of a handler: API errors as they are, store errors mapped as
    /// ORCH8-SPEC §1.3 says (a taken key → 409, an unreachable backend → 503), anything else an
    /// internal error.
    public init(mapping error: any Error) {
        switch error {
        case let error as APIError: self = error
        case StoreError.alreadyExists(let message): self = .alreadyExists(message)
        case StoreError.unavailable: self = .unavailable
        default: self = .internal(String(describing: error))
        }
    }
}

extension Response {
    /// The response for any error thrown below a middleware: Hummingbird's own errors (unknown route,
    /// too many bytes) render themselves, everything else goes through ``APIError/init(mapping:)``.
    /// Internal and unavailable errors are logged with their detail, which the client never sees.
    static func error(_ error: any Error, request: Request, context: some RequestContext) -> Response {
        if !(error is APIError), let own = error as? any HTTPResponseError,
            let response = try? own.response(from: request, context: context)
        {
            return response
        }
        let mapped = APIError(mapping: error)
        switch mapped {
        case .internal(let detail):
            context.logger.error(
                "request failed",
                metadata: [
                    "error": "\(detail)", "http.method": "\(request.method)", "http.path": "\(request.uri.path)",
                ]
            )
        case .unavailable:
            context.logger.warning("storage unavailable", metadata: ["error": "\(error)"])
        default:
            break
        }
        return .json(["error": .string(mapped.wireMessage)], status: mapped.status)
    }
}
