import Hummingbird
import Orch8Core

/// The request context of every route: Hummingbird's core storage plus what the auth and tenant
/// middleware established.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The tenant the request acts for: a per-tenant key's, else `X-Tenant-Id`; nil when there is
    /// neither and none is required.
    var tenantID: String?
    /// Whether the caller holds the root key (or the server runs without one and the request presented
    /// no per-tenant key).
    var isAdmin = false
    /// The active per-tenant key the request presented; nil for the root key and in insecure mode
    /// without a key.
    var apiKey: APIKeyRecord?
    /// The `x-request-id` echoed on the response.
    var requestID = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The tenant rules of ORCH8-SPEC §1.2 for this request.
    var tenancy: Tenancy { Tenancy(contextTenant: tenantID, isAdmin: isAdmin) }
}
