/// The per-resource tenant rules of ORCH8-SPEC §1.2, given the request's tenant context.
struct Tenancy: Sendable {
    /// The tenant of the per-tenant key the request presented, else `X-Tenant-Id`; nil when there is
    /// none.
    var contextTenant: String?
    /// Whether the caller holds the root key (or the server runs without one and no per-tenant key
    /// was presented): may change what every tenant shares, such as global plugins, and manage keys.
    var isAdmin = false

    /// The create rule: a body naming another tenant than the context is refused; the context wins,
    /// then the body, then `"default"`.
    /// - Throws: ``APIError/forbidden(_:)`` when the body's tenant differs from the context's.
    func tenantForCreate(body bodyTenant: String?) throws(APIError) -> String {
        let fromBody = bodyTenant.flatMap { $0.isEmpty ? nil : $0 }
        guard let contextTenant else { return fromBody ?? "default" }
        if let fromBody, fromBody != contextTenant {
            throw .forbidden("tenant_id in body does not match X-Tenant-Id header")
        }
        return contextTenant
    }

    /// The access rule: a resource of another tenant is reported missing, so that its existence does
    /// not leak. Without a tenant context everything is visible.
    func canAccess(_ resourceTenant: String) -> Bool {
        contextTenant.map { $0 == resourceTenant } ?? true
    }

    /// The list rule: the context overrides any `tenant_id` query parameter.
    func listFilter(query: String?) -> String? {
        contextTenant ?? query
    }

    /// The rule of `/api-keys`: only an admin caller mints, lists or revokes keys, so that a leaked
    /// tenant key cannot mint itself successors.
    /// - Throws: ``APIError/forbidden(_:)`` for any other caller.
    func checkCanManageKeys() throws(APIError) {
        guard isAdmin else { throw .forbidden("API key management requires the root API key") }
    }
}
