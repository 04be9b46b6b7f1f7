import Foundation
import Hummingbird
import Logging
import Orch8Core

/// Echoes `x-request-id`, generating one when the client sent none (ORCH8-SPEC §1.1), and puts it in
/// the request's log metadata.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let given = request.headers[.requestID].flatMap { $0.isEmpty ? nil : $0 }
        let id = given ?? UUIDv7.generate().lowercasedText
        context.requestID = id
        context.logger[metadataKey: "request.id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }
}
