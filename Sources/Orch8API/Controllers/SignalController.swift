import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

/// `POST /instances/{id}/signals` (ORCH8-SPEC §1.7): stores a signal for the engine, refusing
/// terminal instances atomically with the store's check.
struct SignalController {
    let store: any Store
    let engine: Engine
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("instances/{id}/signals", use: send)
    }

    /// 201 `{signal_id}`; 400 when the instance is terminal, 404 when it is not there (or not the
    /// caller's), 422 for an unknown signal type.
    @Sendable func send(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.pathUUID()
        let body = try await request.decodeJSON(SignalRequest.self, limit: configuration.maxBodyBytes)
        guard let instance = try await store.instance(id: id), context.tenancy.canAccess(instance.tenantID) else {
            throw APIError.notFound("instance \(id.wire)")
        }
        let now = Date()
        let signal = Signal(
            id: UUIDv7.generate(now: now),
            instanceID: id,
            signalType: body.signalType,
            payload: body.payload,
            createdAt: now
        )
        switch try await store.enqueueSignal(signal, now: now) {
        case .enqueued:
            engine.signalArrived(for: id)
            context.logger.debug(
                "signal enqueued",
                metadata: ["instance.id": "\(id.wire)", "signal.type": "\(body.signalType)"]
            )
            return .json(["signal_id": .string(signal.id.wire)], status: .created)
        case .instanceNotFound:
            throw APIError.notFound("instance \(id.wire)")
        case .instanceTerminal:
            throw APIError.invalidArgument(
                "cannot send signal to instance \(id.wire): target is in a terminal state"
            )
        }
    }
}
