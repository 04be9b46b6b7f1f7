import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

/// The trigger routes of ORCH8-SPEC §1.10: create, list, read, delete, and fire (start an instance
/// of the trigger's sequence with the request body as its `context.data`).
///
/// Tenancy as for instances: a trigger of another tenant is reported missing (404) to every route,
/// firing included. Slugs are global (the table's key), so creating a slug another tenant holds is a
/// 409 like any duplicate. Answers never carry a trigger's secret, only `has_secret`.
struct TriggerController {
    let store: any Store
    let engine: Engine
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("triggers", use: create)
        group.get("triggers", use: list)
        group.get("triggers/{slug}", use: get)
        group.delete("triggers/{slug}", use: delete)
        group.post("triggers/{slug}/fire", use: fire)
    }

    /// `POST /triggers`: 201 with the trigger; 409 when the slug is taken. Missing required members
    /// and wrong JSON types (an unknown `trigger_type`) are 422s, bad values 400s, each naming the
    /// field. The sequence need not exist yet: firing looks it up.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateRequest.self, limit: configuration.maxBodyBytes)
        let tenant = try context.tenancy.tenantForCreate(body: body.tenantID)
        let now = PluginController.storedNow()
        let config: JSON =
            switch body.config {
            case nil, .null?: .emptyObject
            case let value?: value
            }
        let trigger = TriggerDefinition(
            slug: body.slug,
            sequenceName: body.sequenceName,
            version: body.version,
            tenantID: tenant,
            namespace: body.namespace ?? "default",
            enabled: body.enabled ?? true,
            secret: body.secret,
            triggerType: body.triggerType ?? .webhook,
            config: config,
            createdAt: now,
            updatedAt: now
        )
        try Self.check(trigger)
        do {
            try await store.createTrigger(trigger)
        } catch StoreError.alreadyExists {
            throw APIError.alreadyExists("trigger '\(trigger.slug)'")
        }
        context.logger.info("trigger created", metadata: metadata(trigger))
        return try .json(encoding: trigger, status: .created)
    }

    /// `GET /triggers?tenant_id&limit=100`: a plain array by slug, of the caller's tenant (the
    /// context overrides `tenant_id`; without either, every tenant's).
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let tenant = context.tenancy.listFilter(query: query["tenant_id"])
        let limit = try query.count("limit", default: 100, maximum: 1000)
        return try .json(encoding: try await store.triggers(tenantID: tenant, limit: limit))
    }

    /// `GET /triggers/{slug}`.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        try .json(encoding: try await accessibleTrigger(context))
    }

    /// `DELETE /triggers/{slug}`: 204. Instances it started are not touched.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let trigger = try await accessibleTrigger(context)
        guard try await store.deleteTrigger(slug: trigger.slug) else {
            throw APIError.notFound("trigger '\(trigger.slug)'")
        }
        context.logger.info("trigger deleted", metadata: metadata(trigger))
        return .empty(.noContent)
    }

    /// `POST /triggers/{slug}/fire`: starts an instance of the trigger's sequence (its pinned version,
    /// else the newest not deprecated) with the body (an object; empty or `null` means `{}`) as
    /// `context.data` and metadata `{"source": "http_fire", "trigger": slug}`; 201 `{instance_id,
    /// trigger, sequence_name}`. Any trigger type may be fired this way.
    ///
    /// A disabled trigger is a 409 `conflict`, not a 400: the request itself is well-formed and would
    /// succeed against the same trigger enabled, so it conflicts with the resource's current state
    /// (as deleting a sequence with active instances does) rather than being bad input.
    /// - Throws: ``APIError``: 404 for an unknown (or another tenant's) trigger or a missing sequence
    ///   (named), 409 for a disabled trigger, 400/413/415 for a bad body, 422 when the data fails the
    ///   sequence's `input_schema`.
    @Sendable func fire(_ request: Request, context: APIRequestContext) async throws -> Response {
        let trigger = try await accessibleTrigger(context)
        let data = try await fireData(request)
        guard trigger.enabled else { throw APIError.conflict("trigger '\(trigger.slug)' is disabled") }
        guard let sequence = try await store.sequence(for: trigger) else {
            throw APIError.notFound("\(trigger.sequenceDescription) of trigger '\(trigger.slug)'")
        }
        if let schema = sequence.inputSchema {
            let violations = JSONSchema(schema).violations(of: data)
            if !violations.isEmpty {
                throw APIError.unprocessableEntity(
                    "context.data failed input_schema validation: \(violations.joined(separator: "; "))"
                )
            }
        }
        let metadata: JSON = ["source": "http_fire", "trigger": .string(trigger.slug)]
        let instance = trigger.instance(of: sequence, data: data, metadata: metadata, now: Date())
        try checkSize(of: instance.context)
        let results = try await store.createInstances([instance])
        guard case .created(let id)? = results.first else {
            throw APIError.internal("createInstances did not create the instance of trigger '\(trigger.slug)'")
        }
        engine.wake()
        context.logger.info(
            "trigger fired",
            metadata: [
                "trigger.slug": "\(trigger.slug)", "instance.id": "\(id.wire)", "sequence.id": "\(sequence.id.wire)",
            ]
        )
        return .json(
            [
                "instance_id": .string(id.wire), "trigger": .string(trigger.slug),
                "sequence_name": .string(sequence.name),
            ],
            status: .created
        )
    }

    /// The trigger of the `{slug}` path parameter, if the caller's tenant may see it.
    private func accessibleTrigger(_ context: APIRequestContext) async throws -> TriggerDefinition {
        let slug = context.parameters.get("slug") ?? ""
        guard let trigger = try await store.trigger(slug: slug), context.tenancy.canAccess(trigger.tenantID) else {
            throw APIError.notFound("trigger '\(slug)'")
        }
        return trigger
    }

    /// The body of a fire: an empty body (no content type needed) or `null` is `{}`; anything else
    /// must be a JSON object.
    /// - Throws: ``APIError``: 413 above the body limit, 415 for a non-empty body that is not JSON,
    ///   400 for malformed JSON or a value that is not an object.
    private func fireData(_ request: Request) async throws -> JSON {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(BodyLimitMiddleware.message(limit: configuration.maxBodyBytes))
        }
        guard buffer.readableBytes > 0 else { return .emptyObject }
        guard Request.isJSON(request.headers[.contentType]) else {
            throw APIError.unsupportedMediaType("expected request with `Content-Type: application/json`")
        }
        let json: JSON
        do {
            json = try JSON.parse(buffer.readableBytesView)
        } catch {
            throw APIError.invalidArgument("malformed JSON body: \(error)")
        }
        if json.isNull { return .emptyObject }
        guard json.objectValue != nil else {
            throw APIError.invalidArgument(
                "the body of a fire becomes context.data and must be a JSON object, found \(json.typeName)"
            )
        }
        return json
    }

    /// The serialized size of `context`, refused above the configured limit (0 disables the check).
    /// - Throws: ``APIError/payloadTooLarge(_:)``.
    private func checkSize(of context: ExecutionContext) throws {
        guard configuration.maxContextBytes > 0 else { return }
        let size = try JSONValueEncoder().encode(context).serializedBytes().count
        if size > configuration.maxContextBytes {
            throw APIError.payloadTooLarge(
                "context is \(size) bytes, more than the limit of \(configuration.maxContextBytes) bytes"
            )
        }
    }

    private func metadata(_ trigger: TriggerDefinition) -> Logger.Metadata {
        [
            "trigger.slug": "\(trigger.slug)", "trigger.tenant": "\(trigger.tenantID)",
            "trigger.type": "\(trigger.triggerType.rawValue)", "trigger.sequence": "\(trigger.sequenceName)",
        ]
    }
}

extension TriggerController {
    /// The body of `POST /triggers`: `slug` and `sequence_name` required, the rest defaulted
    /// (`tenant_id` by the create rule of ``Tenancy/tenantForCreate(body:)``).
    struct CreateRequest: Decodable {
        var slug: String
        var sequenceName: String
        var version: Int?
        var tenantID: String?
        var namespace: String?
        var secret: String?
        var triggerType: TriggerType?
        /// Nil when absent, `.null` when sent as `null` (both mean `{}`).
        var config: JSON?
        var enabled: Bool?

        enum CodingKeys: String, CodingKey {
            case slug
            case sequenceName = "sequence_name"
            case version
            case tenantID = "tenant_id"
            case namespace
            case secret
            case triggerType = "trigger_type"
            case config
            case enabled
        }
    }

    /// The value rules of a new trigger, each naming the field.
    /// - Throws: ``APIError/invalidArgument(_:)``.
    static func check(_ trigger: TriggerDefinition) throws(APIError) {
        if let problem = TriggerDefinition.slugProblem(trigger.slug) { throw .invalidArgument(problem) }
        if trigger.sequenceName.allSatisfy(\.isWhitespace) {
            throw .invalidArgument("`sequence_name` must not be empty")
        }
        if trigger.namespace.allSatisfy(\.isWhitespace) { throw .invalidArgument("`namespace` must not be empty") }
        if let version = trigger.version, !(1...Int(Int32.max)).contains(version) {
            throw .invalidArgument("`version` must be between 1 and \(Int32.max), found \(version)")
        }
        if trigger.secret?.isEmpty == true { throw .invalidArgument("`secret` must not be empty when given") }
        guard trigger.config.objectValue != nil else {
            throw .invalidArgument("`config` must be an object, found \(trigger.config.typeName)")
        }
    }
}
