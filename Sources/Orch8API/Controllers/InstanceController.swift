import Foundation
import Hummingbird
import Orch8Core
import Orch8Engine

/// The instance routes of ORCH8-SPEC §1.6: creation (`+Create`), reads (here), and state, context,
/// retry and outputs (`+Lifecycle`). Signals are in ``SignalController``.
struct InstanceController {
    let store: any Store
    let engine: Engine
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("instances", use: create)
        group.post("instances/batch", use: createBatch)
        group.get("instances", use: list)
        group.get("instances/dlq", use: deadLetters)
        group.get("instances/{id}", use: get)
        group.patch("instances/{id}/state", use: updateState)
        group.patch("instances/{id}/context", use: replaceContext)
        group.get("instances/{id}/outputs", use: outputs)
        group.post("instances/{id}/retry", use: retry)
        group.get("instances/{id}/tree", use: tree)
        group.get("instances/{id}/children", use: children)
        group.get("instances/{id}/logs", use: logs)
        group.patch("instances/bulk/state", use: bulkState)
        group.patch("instances/bulk/reschedule", use: bulkReschedule)
        group.post("instances/batch-action", use: batchAction)
    }

    /// `GET /instances/{id}`.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        try .json(encoding: try await accessibleInstance(context))
    }

    /// `GET /instances`: a page `{items, has_more}`, most recently updated first.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        var filter = try instanceQuery(query, context)
        for (key, value) in query.pairs where key.hasPrefix("metadata.") && key.count > "metadata.".count {
            filter.metadata[String(key.dropFirst("metadata.".count))] = value
        }
        let limit = filter.limit
        filter.limit += 1
        return try Page.response(try await store.instances(filter), limit: limit)
    }

    /// `GET /instances/dlq`: failed instances, as a plain array.
    @Sendable func deadLetters(_ request: Request, context: APIRequestContext) async throws -> Response {
        var filter = try instanceQuery(QueryParameters(request), context)
        filter.states = [.failed]
        return try .json(encoding: try await store.instances(filter))
    }

    /// The filters `GET /instances` and `GET /instances/dlq` share.
    private func instanceQuery(
        _ query: QueryParameters,
        _ context: APIRequestContext
    ) throws(APIError) -> InstanceQuery {
        var states: Set<InstanceState>?
        if let list = query["state"] {
            var parsed: Set<InstanceState> = []
            for name in list.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let state = InstanceState(rawValue: trimmed) else {
                    throw .invalidArgument("unknown instance state: \(trimmed)")
                }
                parsed.insert(state)
            }
            states = parsed
        }
        return InstanceQuery(
            tenantID: context.tenancy.listFilter(query: query["tenant_id"]),
            namespace: query["namespace"],
            sequenceID: try query.uuid("sequence_id"),
            states: states,
            limit: try query.count("limit", default: 100, maximum: 1000),
            offset: try query.count("offset", default: 0)
        )
    }

    /// The instance of the `{id}` path parameter, if the caller's tenant may see it.
    func accessibleInstance(_ context: APIRequestContext) async throws -> TaskInstance {
        let id = try context.pathUUID()
        guard let instance = try await store.instance(id: id), context.tenancy.canAccess(instance.tenantID) else {
            throw APIError.notFound("instance \(id.wire)")
        }
        return instance
    }

    /// The serialized size of `context`, refused above the configured limit (0 disables the check).
    /// - Throws: ``APIError/payloadTooLarge(_:)``.
    func checkSize(of context: ExecutionContext) throws {
        guard configuration.maxContextBytes > 0 else { return }
        let size = try JSONValueEncoder().encode(context).serializedBytes().count
        if size > configuration.maxContextBytes {
            throw APIError.payloadTooLarge(
                "context is \(size) bytes, more than the limit of \(configuration.maxContextBytes) bytes"
            )
        }
    }
}
