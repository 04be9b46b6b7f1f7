import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine
import Orch8Plugins

/// The sequence routes of ORCH8-SPEC §1.5.
struct SequenceController {
    let store: any Store
    let engine: Engine
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        // Fixed paths are matched before `{id}` whatever the order; they are listed first for the reader.
        group.post("sequences", use: create)
        group.get("sequences", use: list)
        group.get("sequences.json", use: listAll)
        group.get("sequences/by-name", use: byName)
        group.get("sequences/versions", use: versions)
        group.get("sequences/{id}", use: get)
        group.delete("sequences/{id}", use: delete)
        group.post("sequences/{id}/deprecate", use: deprecate)
    }

    /// `POST /sequences`: validates, stores, and answers 201 `{id, warnings?}`.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        var definition = try await request.decodeJSON(SequenceDefinition.self, limit: configuration.maxBodyBytes)
        definition.tenantID = try context.tenancy.tenantForCreate(body: definition.tenantID)
        let problems = definition.validationErrors().map(\.description) + SequenceLint.schemaProblems(of: definition)
        guard problems.isEmpty else { throw APIError.invalidArgument(problems.joined(separator: "; ")) }
        try await store.createSequence(definition)
        var body: JSON = ["id": .string(definition.id.wire)]
        var warnings = SequenceLint.warnings(for: definition, builtins: Set(engine.builtinHandlerNames))
        warnings += try await unregisteredPlugins(in: definition)
        if !warnings.isEmpty { body["warnings"] = .array(warnings.map(JSON.string)) }
        context.logger.info(
            "sequence created",
            metadata: ["sequence.id": "\(definition.id.wire)", "sequence.name": "\(definition.name)"]
        )
        return .json(body, status: .created)
    }

    /// Warnings for `wasm://` steps naming a plugin the tenant cannot resolve yet: not an error, as
    /// the plugin may be registered later (PLUGINS.md §1).
    private func unregisteredPlugins(in definition: SequenceDefinition) async throws -> [String] {
        guard let registry = engine.plugins?.registry else { return [] }
        var warnings: [String] = []
        var steps: [(id: String, plugin: String)] = []
        SequenceLint.forEachBlock(of: definition) { block in
            guard let step = block.step, step.handler.hasPrefix("wasm://") else { return }
            steps.append((step.id, String(step.handler.dropFirst("wasm://".count))))
        }
        var known: [String: Bool] = [:]
        for (id, plugin) in steps {
            if known[plugin] == nil {
                known[plugin] = try await registry.resolve(name: plugin, tenantID: definition.tenantID) != nil
            }
            if known[plugin] == false {
                warnings.append(
                    "block `\(id)`: no WASM plugin '\(plugin)' is registered for tenant '\(definition.tenantID)' yet; "
                        + "the step fails until one is"
                )
            }
        }
        return warnings
    }

    /// `GET /sequences`: a page `{items, has_more}`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let limit = try query.count("limit", default: 200, maximum: 1000)
        let rows = try await store.sequences(
            SequenceQuery(
                tenantID: context.tenancy.listFilter(query: query["tenant_id"]),
                namespace: query["namespace"],
                limit: limit + 1,
                offset: try query.count("offset", default: 0)
            )
        )
        return try Page.response(rows, limit: limit)
    }

    /// `GET /sequences.json`: a plain array of at most 1000 sequences of the caller's tenant.
    @Sendable func listAll(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let rows = try await store.sequences(
            SequenceQuery(tenantID: context.tenancy.listFilter(query: query["tenant_id"]), limit: 1000)
        )
        return try .json(encoding: rows)
    }

    /// `GET /sequences/{id}`.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        try .json(encoding: try await accessibleSequence(context))
    }

    /// `GET /sequences/by-name`: the given version, or the highest one not deprecated.
    @Sendable func byName(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let (tenant, namespace, name) = try nameParameters(query, context)
        var version: Int32?
        if let text = query["version"] {
            guard let number = Int32(text) else {
                throw APIError.invalidArgument("query parameter `version`: expected an integer, found '\(text)'")
            }
            version = number
        }
        let all = try await store.sequenceVersions(tenantID: tenant, namespace: namespace, name: name)
        let found = version.map { wanted in all.first { $0.version == wanted } } ?? all.first { !$0.deprecated }
        guard let found else { throw APIError.notFound("sequence \(name)") }
        return try .json(encoding: found)
    }

    /// `GET /sequences/versions`: every version of a name, newest first.
    @Sendable func versions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (tenant, namespace, name) = try nameParameters(QueryParameters(request), context)
        return try .json(encoding: try await store.sequenceVersions(tenantID: tenant, namespace: namespace, name: name))
    }

    /// `POST /sequences/{id}/deprecate`: 204; running instances are unaffected.
    @Sendable func deprecate(_ request: Request, context: APIRequestContext) async throws -> Response {
        let sequence = try await accessibleSequence(context)
        guard try await store.deprecateSequence(id: sequence.id) else {
            throw APIError.notFound("sequence \(sequence.id.wire)")
        }
        return .empty(.noContent)
    }

    /// `DELETE /sequences/{id}`: 204, or 409 while instances of it are active.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let sequence = try await accessibleSequence(context)
        switch try await store.deleteSequence(id: sequence.id) {
        case .deleted:
            return .empty(.noContent)
        case .notFound:
            throw APIError.notFound("sequence \(sequence.id.wire)")
        case .activeInstances(let count):
            throw APIError.conflict("cannot delete sequence \(sequence.id.wire): \(count) active instance(s)")
        }
    }

    /// The sequence of the `{id}` path parameter, if the caller's tenant may see it.
    private func accessibleSequence(_ context: APIRequestContext) async throws -> SequenceDefinition {
        let id = try context.pathUUID()
        guard let sequence = try await store.sequence(id: id), context.tenancy.canAccess(sequence.tenantID) else {
            throw APIError.notFound("sequence \(id.wire)")
        }
        return sequence
    }

    /// `tenant_id` (the tenant context overrides it, and stands in when it is absent), `namespace` and
    /// `name`, all required.
    private func nameParameters(
        _ query: QueryParameters,
        _ context: APIRequestContext
    ) throws(APIError) -> (tenant: String, namespace: String, name: String) {
        let tenant: String
        if let contextTenant = context.tenancy.contextTenant {
            tenant = contextTenant
        } else {
            tenant = try query.required("tenant_id")
        }
        return (tenant, try query.required("namespace"), try query.required("name"))
    }
}

extension UUID {
    /// The lowercase form the wire uses.
    var wire: String { lowercasedText }
}
