import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Plugins

/// The plugin registry routes of PLUGINS.md §2.
///
/// A name resolves for a tenant to the tenant's own plugin, else the global one (`tenant_id` ""),
/// as the engine resolves `wasm://<name>`. Reads go to the store, not the registry's cache; every
/// change is followed by ``PluginRegistry/invalidate()`` so that the engine's next call sees it
/// (hot reload). Who may change a global plugin: ``Tenancy/checkCanChange(_:)``.
struct PluginController {
    let store: any Store
    let plugins: PluginHost
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("plugins", use: create)
        group.get("plugins", use: list)
        group.get("plugins/{name}", use: get)
        group.patch("plugins/{name}", use: update)
        group.delete("plugins/{name}", use: delete)
    }

    /// `POST /plugins`: validates the fields, checks the source, stores; 201 with the plugin, 409
    /// when the tenant (or the global scope) already has that name.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateRequest.self, limit: configuration.maxBodyBytes)
        let tenant = try context.tenancy.tenantForPluginCreate(body: body.tenantID)
        try Self.checkName(body.name)
        try Self.checkSource(body.source)
        let config = body.config ?? .null
        try Self.checkConfig(config)
        try await checkSource(body.pluginType, body.source, config)
        let now = Self.storedNow()
        let plugin = PluginDefinition(
            name: body.name,
            pluginType: body.pluginType,
            source: body.source,
            tenantID: tenant,
            enabled: body.enabled ?? true,
            config: config,
            description: body.description,
            createdAt: now,
            updatedAt: now
        )
        do {
            try await store.createPlugin(plugin)
        } catch StoreError.alreadyExists {
            throw APIError.alreadyExists("plugin '\(plugin.name)'")
        }
        plugins.registry.invalidate()
        context.logger.info("plugin registered", metadata: metadata(plugin))
        return try .json(encoding: plugin, status: .created)
    }

    /// `GET /plugins`: the tenant's plugins and the global ones, by name; everything without a tenant.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let tenant = context.tenancy.listFilter(query: QueryParameters(request)["tenant_id"])
        return try .json(encoding: try await store.plugins(tenantID: tenant))
    }

    /// `GET /plugins/{name}`: the plugin the caller's tenant resolves to.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        try .json(encoding: try await resolved(request, context))
    }

    /// `PATCH /plugins/{name}`: changes `source`, `enabled`, `config`, `description` of the plugin the
    /// caller resolves to, with the checks of creation; 200 with the plugin.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        let json = try await request.jsonBody(limit: configuration.maxBodyBytes)
        let body: UpdateRequest
        do {
            body = try JSONValueDecoder().decode(UpdateRequest.self, from: json)
        } catch let error as DecodingError {
            throw APIError.unprocessableEntity(error.wireMessage)
        }
        var plugin = try await resolved(request, context)
        try context.tenancy.checkCanChange(plugin)
        if let name = body.name, name != plugin.name {
            throw APIError.invalidArgument("`name` cannot be changed (it is '\(plugin.name)')")
        }
        if let type = body.pluginType, type != plugin.pluginType {
            throw APIError.invalidArgument("`plugin_type` cannot be changed (it is '\(plugin.pluginType.rawValue)')")
        }
        if let tenant = body.tenantID, tenant != plugin.tenantID {
            throw APIError.invalidArgument("`tenant_id` cannot be changed (it is '\(plugin.tenantID)')")
        }
        if let source = body.source {
            try Self.checkSource(source)
            plugin.source = source
        }
        if let config = body.config {
            try Self.checkConfig(config)
            plugin.config = config
        }
        if body.source != nil || body.config != nil {
            try await checkSource(plugin.pluginType, plugin.source, plugin.config)
        }
        if let enabled = body.enabled { plugin.enabled = enabled }
        if let description = body.description { plugin.description = description }
        plugin.updatedAt = max(Self.storedNow(), plugin.createdAt)
        guard try await store.updatePlugin(plugin) else { throw APIError.notFound("plugin '\(plugin.name)'") }
        plugins.registry.invalidate()
        context.logger.info("plugin updated", metadata: metadata(plugin))
        return try .json(encoding: plugin)
    }

    /// `DELETE /plugins/{name}`: 204; the plugin the caller resolves to, under the rules of `PATCH`.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let plugin = try await resolved(request, context)
        try context.tenancy.checkCanChange(plugin)
        guard try await store.deletePlugin(named: plugin.name, tenantID: plugin.tenantID) else {
            throw APIError.notFound("plugin '\(plugin.name)'")
        }
        plugins.registry.invalidate()
        context.logger.info("plugin deleted", metadata: metadata(plugin))
        return .empty(.noContent)
    }

    /// The plugin the `{name}` path parameter resolves to for the caller: its tenant's own, else
    /// the global one.
    /// - Throws: ``APIError/notFound(_:)`` when there is neither.
    private func resolved(_ request: Request, _ context: APIRequestContext) async throws -> PluginDefinition {
        let name = context.parameters.get("name") ?? ""
        let tenant = context.tenancy.pluginLookupTenant(query: QueryParameters(request)["tenant_id"])
        if !tenant.isEmpty, let own = try await store.plugin(named: name, tenantID: tenant) { return own }
        guard let global = try await store.plugin(named: name, tenantID: "") else {
            throw APIError.notFound("plugin '\(name)'")
        }
        return global
    }

    /// Runs the plugin source checker (the file is a valid module with the ABI, the endpoint parses).
    /// - Throws: ``APIError/invalidArgument(_:)`` with the checker's message.
    private func checkSource(_ type: PluginType, _ source: String, _ config: JSON) async throws(APIError) {
        do {
            try await plugins.checker.check(type, source: source, config: config)
        } catch {
            throw .invalidArgument(error.message)
        }
    }

    private func metadata(_ plugin: PluginDefinition) -> Logger.Metadata {
        [
            "plugin.name": "\(plugin.name)", "plugin.tenant": "\(plugin.tenantID)",
            "plugin.type": "\(plugin.pluginType.rawValue)", "plugin.enabled": "\(plugin.enabled)",
        ]
    }

    /// Now, to the millisecond the stores keep, so that the answer to a change equals what reads
    /// return afterwards.
    static func storedNow() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
