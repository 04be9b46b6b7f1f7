import Hummingbird
import Orch8Core

/// The API-key check of ORCH8-SPEC §1.2, first of the product routes' middleware. Without a configured
/// root key every request is admin; otherwise `x-api-key` must equal it (compared in constant time) or
/// the answer is a bare 401. Per-tenant keys come later.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    /// SHA-256 of the root key, nil in insecure mode.
    private let rootKeyDigest: [UInt8]?

    init(rootKey: String?) {
        rootKeyDigest = rootKey.map { SHA256.hash(Array($0.utf8)) }
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let rootKeyDigest {
            guard let presented = request.headers[.apiKey],
                ConstantTime.equal(SHA256.hash(Array(presented.utf8)), rootKeyDigest)
            else {
                return Response(status: .unauthorized)
            }
        }
        context.isAdmin = true
        return try await next(request, context)
    }
}
