import Foundation
import Logging
import Orch8Core
import Orch8Engine
import Orch8Handlers
import Orch8Plugins
import Orch8Storage
import ServiceLifecycle
import Synchronization
import Testing

/// Where an engine test keeps its data: a real SQLite file, and a PostgreSQL database of its own
/// when `ORCH8_TEST_POSTGRES_URL` names a server (scripts/postgres).
struct EngineBackend: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable () async throws -> any Store
    var testDescription: String { name }

    static var all: [EngineBackend] {
        var backends = [
            EngineBackend(name: "SQLite") {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "orch8-engine-\(UUID().uuidString)"
                )
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                return try SQLiteStore(path: directory.appendingPathComponent("orch8.db").path)
            }
        ]
        if let server = ProcessInfo.processInfo.environment["ORCH8_TEST_POSTGRES_URL"] {
            backends.append(
                EngineBackend(name: "PostgreSQL") {
                    let name = "orch8_engine_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                    let url = try await PostgresStore.createDatabase(name, onServerOf: server)
                    return try await PostgresStore.connect(url: url, maximumConnections: 4)
                }
            )
        }
        return backends
    }
}

/// A real engine on a real store, with test handlers next to the built-ins.
struct EngineHarness {
    let store: any Store
    let probe = Probe()

    init(_ backend: EngineBackend) async throws {
        store = try await backend.make()
    }

    /// Runs `body` while the engine runs, then shuts the engine down gracefully.
    @discardableResult
    func withEngine<T: Sendable>(
        configuration: EngineConfiguration = EngineHarness.fastConfiguration,
        wasm: WasmConfiguration = WasmConfiguration(),
        _ body: @Sendable (Engine) async throws -> T
    ) async throws -> T {
        var handlers = BuiltinHandlers.standard()
        handlers["count"] = CountingHandler(probe: probe)
        handlers["flaky"] = FlakyHandler(probe: probe)
        handlers["slow"] = SlowHandler(probe: probe)
        let plugins = PluginHost(store: store, wasm: WasmRuntime(configuration: wasm))
        let engine = Engine(store: store, configuration: configuration, handlers: handlers, plugins: plugins)
        let group = ServiceGroup(
            configuration: .init(services: [engine], logger: Logger(label: "test"))
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { Task { await group.triggerGracefulShutdown() } }
            let result = try await body(engine)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    static var fastConfiguration: EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.tickInterval = .milliseconds(20)
        configuration.shutdownGracePeriod = .seconds(2)
        return configuration
    }

    /// Stores a sequence of `blocks` (JSON text of the array) and returns its id.
    func sequence(_ blocks: String, name: String = "test-\(UUID().uuidString.prefix(8))") async throws -> UUID {
        let id = UUID()
        let json = try JSON.parse(
            """
            {"id": "\(id.uuidString.lowercased())", "tenant_id": "acme", "namespace": "default", "name": "\(name)",
             "version": 1, "created_at": "2026-11-25T00:00:00Z", "blocks": \(blocks)}
            """
        )
        let definition = try JSONValueDecoder().decode(SequenceDefinition.self, from: json)
        #expect(definition.validationErrors().isEmpty)
        try await store.createSequence(definition)
        return id
    }

    /// Starts an instance of `sequenceID` with `data`.
    func start(
        _ sequenceID: UUID,
        data: JSON = .emptyObject,
        tenant: String = "acme",
        engine: Engine
    ) async throws -> UUID {
        let now = Date()
        let id = UUID()
        let instance = TaskInstance(
            id: id,
            sequenceID: sequenceID,
            tenantID: tenant,
            namespace: "default",
            nextFireAt: now,
            context: ExecutionContext(data: data),
            createdAt: now,
            updatedAt: now
        )
        _ = try await store.createInstances([instance])
        engine.wake()
        return id
    }

    /// Waits until the instance is in `state` (10 s at most) and returns it.
    @discardableResult
    func waitFor(_ id: UUID, _ state: InstanceState, timeout: Duration = .seconds(10)) async throws -> TaskInstance {
        let deadline = ContinuousClock.now + timeout
        while true {
            let instance = try #require(try await store.instance(id: id))
            if instance.state == state { return instance }
            if ContinuousClock.now > deadline {
                Issue.record(
                    "instance is \(instance.state), expected \(state); outputs: \(try await store.outputs(instanceID: id).map(\.output))"
                )
                return instance
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// The output rows of an instance that are real outputs (no engine markers).
    func realOutputs(_ id: UUID) async throws -> [BlockOutput] {
        try await store.outputs(instanceID: id).filter { $0.outputRef == nil }
    }
}

/// Counts executions per block, shared by the test handlers.
final class Probe: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func hit(_ block: String) -> Int {
        counts.withLock { counts in
            counts[block, default: 0] += 1
            return counts[block]!
        }
    }

    func count(_ block: String) -> Int { counts.withLock { $0[block] ?? 0 } }
}

/// `count`: records the execution and outputs how many there have been.
struct CountingHandler: StepHandler {
    let probe: Probe

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        StepResult(output: [
            "executions": .int(Int64(probe.hit(invocation.blockID))), "attempt": .int(Int64(invocation.attempt)),
        ])
    }
}

/// `flaky`: fails (retryably) `params.failures` times, then succeeds.
struct FlakyHandler: StepHandler {
    let probe: Probe

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let execution = probe.hit(invocation.blockID)
        let failures = Int(invocation.params["failures"]?.intValue ?? 1)
        if execution <= failures {
            throw .retryable("flaky failure \(execution)", details: ["code": "flaky"])
        }
        return StepResult(output: ["execution": .int(Int64(execution)), "attempt": .int(Int64(invocation.attempt))])
    }
}

/// `slow`: sleeps `params.ms`, honouring cancellation.
struct SlowHandler: StepHandler {
    let probe: Probe

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        _ = probe.hit(invocation.blockID)
        let ms = invocation.params["ms"]?.intValue ?? 1000
        do {
            try await Task.sleep(for: .milliseconds(ms))
        } catch {
            throw .retryable("cancelled")
        }
        return StepResult(output: ["slept": .int(ms)])
    }
}
