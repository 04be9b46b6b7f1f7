import Foundation
import Orch8Core
import Synchronization

/// The built-ins that act on other instances through the store: `send_signal`, `query_instance` and
/// `emit_event` (ORCH8-SPEC §4). They live beside the engine because what they write must ring it.
enum InstanceHandlers {
    static func make(store: any Store, link: EngineLink) -> [String: any StepHandler] {
        [
            "send_signal": SendSignalHandler(store: store, link: link),
            "query_instance": QueryInstanceHandler(store: store),
            "emit_event": EmitEventHandler(store: store, link: link),
        ]
    }

    /// `params.instance_id` as a UUID, or a permanent failure naming the param.
    static func targetID(_ params: JSON, handler: String) throws(StepFailure) -> UUID {
        guard let text = params["instance_id"]?.stringValue else {
            throw .permanent("\(handler): params.instance_id is required (a UUID string)")
        }
        guard let id = UUID(text: text) else {
            throw .permanent("\(handler): params.instance_id must be a UUID, got `\(text)`")
        }
        return id
    }
}

/// Lets handlers made before the engine reach it once it exists.
final class EngineLink: Sendable {
    private struct Rings {
        var signalArrived: (@Sendable (UUID) -> Void)?
        var wake: (@Sendable () -> Void)?
    }
    private let rings = Mutex(Rings())

    func connect(signalArrived: @escaping @Sendable (UUID) -> Void, wake: @escaping @Sendable () -> Void) {
        rings.withLock { $0 = Rings(signalArrived: signalArrived, wake: wake) }
    }

    /// A signal was stored for `id`.
    func signalArrived(for id: UUID) {
        let ring = rings.withLock { $0.signalArrived }
        ring?(id)
    }

    /// New work (an instance) was stored.
    func wake() {
        let ring = rings.withLock { $0.wake }
        ring?()
    }
}

/// `send_signal`: enqueues a signal for another instance of the same tenant, as
/// `POST /instances/{id}/signals` would. Output `{"signal_id"}`.
struct SendSignalHandler: StepHandler {
    let store: any Store
    let link: EngineLink

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = invocation.params
        let target = try InstanceHandlers.targetID(params, handler: "send_signal")
        guard let type = params["signal_type"] else {
            throw .permanent(
                #"send_signal: params.signal_type is required ("pause", "resume", "cancel", "update_context" or {"custom": "<name>"})"#
            )
        }
        let signalType: SignalType
        do {
            signalType = try JSONValueDecoder().decode(SignalType.self, from: type)
        } catch let error as DecodingError {
            throw .permanent("send_signal: params.signal_type: \(error.wireMessage)")
        } catch {
            throw .permanent("send_signal: params.signal_type: \(error)")
        }
        let instance: TaskInstance?
        do { instance = try await store.instance(id: target) } catch {
            throw .retryable("send_signal: reading instance \(target.lowercased): \(error)")
        }
        guard let instance, instance.tenantID == invocation.tenantID else {
            throw .permanent("send_signal: instance \(target.lowercased) not found")
        }
        let now = Date()
        let signal = Signal(
            id: UUIDv7.generate(now: now),
            instanceID: target,
            signalType: signalType,
            payload: params["payload"] ?? .null,
            createdAt: now
        )
        let result: SignalEnqueueResult
        do { result = try await store.enqueueSignal(signal, now: now) } catch {
            throw .retryable("send_signal: storing the signal: \(error)")
        }
        switch result {
        case .enqueued:
            link.signalArrived(for: target)
            return StepResult(output: ["signal_id": .string(signal.id.lowercased)])
        case .instanceNotFound:
            throw .permanent("send_signal: instance \(target.lowercased) not found")
        case .instanceTerminal(let state):
            throw .permanent("send_signal: instance \(target.lowercased) is \(state.rawValue), a terminal state")
        }
    }
}

/// `query_instance`: another instance of the same tenant as `{found, state, context, started_at,
/// completed_at, current_node}`; `{found: false}` when there is none.
struct QueryInstanceHandler: StepHandler {
    let store: any Store

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let target = try InstanceHandlers.targetID(invocation.params, handler: "query_instance")
        let instance: TaskInstance?
        let nodes: [ExecutionNode]
        do {
            instance = try await store.instance(id: target)
            nodes = instance == nil ? [] : try await store.executionTree(instanceID: target)
        } catch {
            throw .retryable("query_instance: reading instance \(target.lowercased): \(error)")
        }
        guard let instance else { return StepResult(output: ["found": false]) }
        guard instance.tenantID == invocation.tenantID else {
            throw .permanent("query_instance: instance \(target.lowercased) belongs to another tenant")
        }
        let context: JSON
        do { context = try JSONValueEncoder().encode(instance.context) } catch {
            throw .permanent("query_instance: encoding the context: \(error)")
        }
        // The innermost block in progress (a leaf, not the composite around it), the latest started.
        let active = nodes.filter { $0.state == .running || $0.state == .waiting }
        let parents = Set(active.compactMap(\.parentID))
        let current = active.filter { !parents.contains($0.id) }
            .max { ($0.startedAt ?? .distantPast) < ($1.startedAt ?? .distantPast) }
        let output: JSON = [
            "found": true,
            "state": .string(instance.state.rawValue),
            "context": context,
            "started_at": .string(RFC3339.format(instance.createdAt)),
            "completed_at": instance.state.isTerminal ? .string(RFC3339.format(instance.updatedAt)) : .null,
            "current_node": current.map { .string($0.blockID) } ?? .null,
        ]
        return StepResult(output: output)
    }
}

extension UUID {
    fileprivate var lowercased: String { lowercasedText }
}
