import Hummingbird

/// The tenant-header check of ORCH8-SPEC §1.2, after the API-key check: a non-empty `X-Tenant-Id`
/// becomes the tenant context; when the header is required and missing or empty the answer is a bare
/// 400.
struct TenantMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let required: Bool

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let header = request.headers[.tenantID].flatMap { $0.isEmpty ? nil : $0 }
        if let header {
            context.tenantID = header
        } else if required && context.tenantID == nil {
            return Response(status: .badRequest)
        }
        return try await next(request, context)
    }
}
