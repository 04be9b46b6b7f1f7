import Hummingbird

/// Turns every error thrown below it into the JSON error response of ORCH8-SPEC §1.3, so that
/// middleware above it (request id, deprecation headers) always sees a response.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return .error(error, request: request, context: context)
        }
    }
}
