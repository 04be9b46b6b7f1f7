import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

extension InstanceController {
    /// Most instances one `POST /instances/batch` may create.
    static let maxBatchSize = 10_000

    /// `POST /instances`: 201 `{id}` for a new instance, 200 `{id, deduplicated: true}` when the
    /// tenant's idempotency key already names one.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateInstanceRequest.self, limit: configuration.maxBodyBytes)
        var sequences: [UUID: SequenceDefinition] = [:]
        let instance = try await makeInstance(body, context, sequences: &sequences, item: nil)
        let results = try await store.createInstances([instance])
        switch results.first {
        case .created(let id)?:
            engine.wake()
            context.logger.debug("instance created", metadata: ["instance.id": "\(id.wire)"])
            return .json(["id": .string(id.wire)], status: .created)
        case .deduplicated(let id)?:
            return .json(["id": .string(id.wire), "deduplicated": true])
        case nil:
            throw APIError.internal("createInstances returned no result")
        }
    }

    /// `POST /instances/batch`: 201 `{count}` with how many were created (items whose idempotency key
    /// exists are skipped silently); every item is checked before any is stored.
    @Sendable func createBatch(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(BatchRequest.self, limit: configuration.maxBodyBytes)
        guard !body.instances.isEmpty else { return .json(["count": 0]) }
        guard body.instances.count <= Self.maxBatchSize else {
            throw APIError.invalidArgument(
                "batch has \(body.instances.count) instances, more than the limit of \(Self.maxBatchSize)"
            )
        }
        var sequences: [UUID: SequenceDefinition] = [:]
        var instances: [TaskInstance] = []
        instances.reserveCapacity(body.instances.count)
        for (index, item) in body.instances.enumerated() {
            instances.append(try await makeInstance(item, context, sequences: &sequences, item: index))
        }
        let results = try await store.createInstances(instances)
        let created = results.count { if case .created = $0 { true } else { false } }
        if created > 0 { engine.wake() }
        return .json(["count": .int(Int64(created))], status: .created)
    }

    struct BatchRequest: Decodable {
        var instances: [CreateInstanceRequest]
    }

    /// Turns a request into a new `scheduled` instance, in the order of ORCH8-SPEC §1.6: tenant, the
    /// sequence, the input schema, the context size. `item` is the batch index that prefixes messages.
    /// - Throws: ``APIError``: 403 for a body naming another tenant (or, in a batch, a sequence of
    ///   another tenant), 400 for an empty namespace, 404 for a sequence that does not exist or
    ///   belongs to another tenant, 422 for data failing the input schema, 413 for a context too large.
    private func makeInstance(
        _ body: CreateInstanceRequest,
        _ context: APIRequestContext,
        sequences: inout [UUID: SequenceDefinition],
        item: Int?
    ) async throws -> TaskInstance {
        func prefixed(_ message: String) -> String { item.map { "instances[\($0)]: \(message)" } ?? message }
        let tenant: String
        do {
            tenant = try context.tenancy.tenantForCreate(body: body.tenantID)
        } catch {
            throw APIError.forbidden(prefixed("tenant_id in body does not match X-Tenant-Id header"))
        }
        if body.namespace.allSatisfy(\.isWhitespace) {
            throw APIError.invalidArgument(prefixed("namespace must not be empty"))
        }
        var sequence = sequences[body.sequenceID]
        if sequence == nil {
            sequence = try await store.sequence(id: body.sequenceID)
            sequences[body.sequenceID] = sequence
        }
        guard let sequence else { throw APIError.notFound(prefixed("sequence \(body.sequenceID.wire)")) }
        guard sequence.tenantID == tenant else {
            if item != nil {
                throw APIError.forbidden(prefixed("sequence \(body.sequenceID.wire) belongs to another tenant"))
            }
            throw APIError.notFound("sequence \(body.sequenceID.wire)")
        }
        if let schema = sequence.inputSchema {
            let violations = JSONSchema(schema).violations(of: body.context.data)
            if !violations.isEmpty {
                throw APIError.unprocessableEntity(
                    prefixed("context.data failed input_schema validation: \(violations.joined(separator: "; "))")
                )
            }
        }
        var instanceContext = body.context
        instanceContext.runtime.dryRun = body.dryRun
        instanceContext.runtime.dryRunAutoApprove = body.dryRunAutoApprove
        do {
            try checkSize(of: instanceContext)
        } catch APIError.payloadTooLarge(let message) {
            throw APIError.payloadTooLarge(prefixed(message))
        }
        let now = Date()
        return TaskInstance(
            id: UUIDv7.generate(now: now),
            sequenceID: sequence.id,
            tenantID: tenant,
            namespace: body.namespace,
            state: .scheduled,
            nextFireAt: body.nextFireAt ?? now,
            priority: body.priority,
            timezone: body.timezone,
            metadata: body.metadata,
            context: instanceContext,
            concurrencyKey: body.concurrencyKey,
            maxConcurrency: body.maxConcurrency,
            // Dry runs have keys of their own, so a rehearsal never blocks the real run.
            idempotencyKey: body.idempotencyKey.map { body.dryRun ? "dryrun:\($0)" : $0 },
            sessionID: body.sessionID,
            parentInstanceID: body.parentInstanceID,
            budget: body.budget,
            createdAt: now,
            updatedAt: now
        )
    }
}
