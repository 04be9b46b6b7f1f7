import Hummingbird

/// The request context of every route: Hummingbird's core storage plus what the auth and tenant
/// middleware established.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The tenant the request acts for (`X-Tenant-Id`), nil when none was given and none is required.
    var tenantID: String?
    /// Whether the caller holds the root key (or the server runs without one).
    var isAdmin = false
    /// The `x-request-id` echoed on the response.
    var requestID = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The tenant rules of ORCH8-SPEC §1.2 for this request.
    var tenancy: Tenancy { Tenancy(contextTenant: tenantID, isAdmin: isAdmin) }
}
