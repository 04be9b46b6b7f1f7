import Orch8Core

/// The tenant rules of the plugin registry (PLUGINS.md §2). Plugins differ from the other resources
/// in one way: the empty tenant `""` is a real owner, the global scope every tenant falls back to.
extension Tenancy {
    /// The owner of a new plugin: the context tenant, else the body's `tenant_id`, else `""` (global).
    /// - Throws: ``APIError/forbidden(_:)`` when the body names another tenant than the context, or
    ///   when a caller that is not admin would create a global plugin.
    func tenantForPluginCreate(body bodyTenant: String?) throws(APIError) -> String {
        let fromBody = bodyTenant.flatMap { $0.isEmpty ? nil : $0 }
        if let contextTenant, let fromBody, fromBody != contextTenant {
            throw .forbidden("tenant_id in body does not match X-Tenant-Id header")
        }
        let tenant = contextTenant ?? fromBody ?? ""
        if tenant.isEmpty && !isAdmin {
            throw .forbidden("only the root API key may register a global plugin")
        }
        return tenant
    }

    /// The tenant a plugin name is resolved for: the context tenant, else the `tenant_id` query
    /// parameter (only heeded without a context, as for lists), else `""`, which sees only the
    /// global plugins.
    func pluginLookupTenant(query: String?) -> String {
        contextTenant ?? query ?? ""
    }

    /// Whether the caller may change or delete `plugin`, which its tenant resolved to.
    ///
    /// A tenant's own plugin is its to change. A global plugin is shared by every tenant, so only an
    /// admin caller (the root key, or a server without one) may change it, even through a request
    /// that carries a tenant header; any other caller gets 403 rather than 404, since the plugin is
    /// visible to it through `GET`. Per-tenant API keys are the callers this refuses.
    /// - Throws: ``APIError/forbidden(_:)``.
    func checkCanChange(_ plugin: PluginDefinition) throws(APIError) {
        guard plugin.tenantID.isEmpty, !isAdmin else { return }
        throw .forbidden("plugin '\(plugin.name)' is global; only the root API key may change it")
    }
}
