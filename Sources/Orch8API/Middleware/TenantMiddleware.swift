import Hummingbird

/// The tenant-header check of ORCH8-SPEC §1.2, after the API-key check: a non-empty `X-Tenant-Id`
/// becomes the tenant context; when the header is required and missing or empty the answer is a bare
/// 400.
///
/// A request authenticated by a per-tenant key already has its key's tenant as context (the API-key
/// check refused a header naming another), so the header is neither needed nor read for it.
struct TenantMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let required: Bool

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.apiKey == nil else { return try await next(request, context) }
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
