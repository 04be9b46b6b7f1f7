import Hummingbird

/// Refuses a body announced larger than the limit before reading it (ORCH8-SPEC §1.1: 10 MiB). Bodies
/// without a length are bounded when read (``Request/decodeJSON(_:context:limit:)``).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limit: Int

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.payloadTooLarge(Self.message(limit: limit))
        }
        return try await next(request, context)
    }

    static func message(limit: Int) -> String {
        "request body exceeds the limit of \(limit) bytes"
    }
}
