import Foundation
import Hummingbird
import Orch8Core
import Orch8Engine

extension InstanceController {
    /// `PATCH /instances/{id}/state`: a transition the table of ORCH8-SPEC §7.1 allows, as a
    /// compare-and-set on the state it was read in; 200 with an empty body.
    @Sendable func updateState(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(StateUpdate.self, limit: configuration.maxBodyBytes)
        // The engine may move the instance between our read and our write: read again and re-check.
        for _ in 0..<3 {
            let instance = try await accessibleInstance(context)
            do {
                _ = try instance.state.transition(to: body.state)
            } catch {
                throw APIError.invalidArgument(error.description)
            }
            let now = Date()
            // A rescheduled instance without an explicit time is due at once.
            let nextFireAt = body.nextFireAt ?? (body.state == .scheduled ? now : nil)
            let moved = try await store.setInstanceState(
                id: instance.id,
                from: instance.state,
                to: body.state,
                nextFireAt: nextFireAt,
                now: now
            )
            // The store wakes a parent that waits for this instance to end (a sub-sequence).
            guard moved else { continue }
            engine.wake()
            return .empty(.ok)
        }
        throw APIError.conflict("instance \(try context.pathUUID().wire) changed state concurrently; try again")
    }

    /// `PATCH /instances/{id}/context`: replaces the whole context (data, config, audit, runtime), in
    /// any state; 200 with an empty body.
    @Sendable func replaceContext(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ContextReplacement.self, limit: configuration.maxBodyBytes)
        let instance = try await accessibleInstance(context)
        try checkSize(of: body.context)
        guard try await store.replaceContext(id: instance.id, context: body.context, now: Date()) else {
            throw APIError.notFound("instance \(instance.id.wire)")
        }
        return .empty(.ok)
    }

    /// `GET /instances/{id}/outputs`: every row in the order written, except the engine's retry and
    /// in-progress markers of blocks that also have a real output.
    @Sendable func outputs(_ request: Request, context: APIRequestContext) async throws -> Response {
        let instance = try await accessibleInstance(context)
        let rows = try await store.outputs(instanceID: instance.id)
        let hidden: Set<String> = [OutputMarker.retry, OutputMarker.inProgress, OutputMarker.snapshot]
        let blocksWithRealRows = Set(
            rows.filter { row in row.outputRef.map { !OutputMarker.all.contains($0) } ?? true }.map(\.blockID)
        )
        let shown = rows.filter { row in
            guard let ref = row.outputRef, hidden.contains(ref) else { return true }
            // A for_each's item snapshot is internal (its markers point at it by id).
            return ref != OutputMarker.snapshot && !blocksWithRealRows.contains(row.blockID)
        }
        return try .json(encoding: shown)
    }

    /// `POST /instances/{id}/retry`: a failed instance runs again under a new run id, keeping the
    /// outputs of its completed steps; 200 `{id, state: "scheduled"}`.
    @Sendable func retry(_ request: Request, context: APIRequestContext) async throws -> Response {
        var instance = try await accessibleInstance(context)
        let now = Date()
        if instance.state == .failed,
            try await store.retryInstance(id: instance.id, runID: UUIDv7.generate(now: now), now: now)
        {
            engine.wake()
            return .json(["id": .string(instance.id.wire), "state": .string(InstanceState.scheduled.rawValue)])
        }
        // Not failed, or no longer failed by the time we wrote: report the state it is in now.
        instance = try await accessibleInstance(context)
        throw APIError.invalidArgument("can only retry failed instances, current state: \(instance.state)")
    }

    /// The body of `PATCH /instances/{id}/state`.
    struct StateUpdate: Decodable {
        var state: InstanceState
        var nextFireAt: Date?

        enum CodingKeys: String, CodingKey {
            case state
            case nextFireAt = "next_fire_at"
        }
    }

    /// The body of `PATCH /instances/{id}/context`.
    struct ContextReplacement: Decodable {
        var context: ExecutionContext
    }
}
