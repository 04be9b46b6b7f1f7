import Foundation
import Hummingbird
import Logging
import Orch8Core

/// The API-key check of ORCH8-SPEC §1.2, first of the product routes' middleware. Rejections are a bare
/// status with an empty body.
///
/// With a root key configured, `x-api-key` is required (401 without it). The root key (compared in
/// constant time) makes the request admin. Any other value is hashed and looked up among the
/// per-tenant keys: an unknown, revoked or expired key is a 401; an active one sets the tenant
/// context to its tenant (403 when `X-Tenant-Id` names another) and must have a capability that
/// allows the route (403 otherwise).
///
/// Without a root key (insecure mode) every request is admin, as before, except one that presents a
/// per-tenant key the store knows: that key is judged as above, so that a tenant's key keeps its
/// scope, and a revoked one stops working, whether or not the server runs with a root key. Other
/// values are ignored there, since there is nothing to compare them with.
///
/// Every request with a per-tenant key reads the store (one indexed lookup by hash): nothing is
/// cached, so a revocation takes effect with the next request on every node sharing the database.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    /// SHA-256 of the root key, nil in insecure mode.
    private let rootKeyDigest: [UInt8]?
    /// Where per-tenant keys are looked up.
    private let store: any Store

    /// A check against `rootKey` (nil: insecure mode) and the per-tenant keys of `store`.
    init(rootKey: String?, store: any Store) {
        rootKeyDigest = rootKey.map { SHA256.hash(Array($0.utf8)) }
        self.store = store
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let header = request.headers[.apiKey]
        if let rootKeyDigest, let header, ConstantTime.equal(SHA256.hash(Array(header.utf8)), rootKeyDigest) {
            context.isAdmin = true
            return try await next(request, context)
        }
        guard let presented = header, !presented.isEmpty else {
            guard rootKeyDigest == nil else { return Response(status: .unauthorized) }
            context.isAdmin = true
            return try await next(request, context)
        }
        guard let key = try await store.apiKey(hash: APIKeyRecord.hash(of: presented)) else {
            if rootKeyDigest == nil {
                context.isAdmin = true
                return try await next(request, context)
            }
            return Response(status: .unauthorized)
        }
        guard key.isActive(at: Date()) else { return Response(status: .unauthorized) }
        if let header = request.headers[.tenantID], !header.isEmpty, header != key.tenantID {
            return Response(status: .forbidden)
        }
        guard key.allows(method: request.method.rawValue, path: request.uri.path) else {
            context.logger.info(
                "API key lacks the capability for the route",
                metadata: [
                    "api_key.id": "\(key.id.lowercasedText)", "http.method": "\(request.method)",
                    "http.path": "\(request.uri.path)",
                ]
            )
            return Response(status: .forbidden)
        }
        context.isAdmin = false
        context.tenantID = key.tenantID
        context.apiKey = key
        return try await next(request, context)
    }
}
