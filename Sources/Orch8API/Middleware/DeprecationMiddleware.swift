import Hummingbird

/// Marks responses of the bare (unversioned) mount as deprecated, pointing at their `/api/v1`
/// successor (ORCH8-SPEC §1.1). Errors below it are rendered here so that they carry the headers too.
struct DeprecationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = .error(error, request: request, context: context)
        }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        response.headers[.deprecation] = "@1767225600"
        response.headers[.sunset] = "Sat, 01 Jan 2028 00:00:00 GMT"
        response.headers[.link] = "</api/v1\(request.uri.path)\(query)>; rel=\"successor-version\""
        return response
    }
}
