import Foundation
import Orch8Core
import Orch8Engine
import Orch8Plugins
import Orch8Storage
import Testing
import WAT

/// `wasm://` steps through the engine: tenant-scoped resolution, disabled plugins, type mismatches,
/// hot reload, and a hostile plugin that fails only its own step.
@Suite struct EnginePluginTests {
    private static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-engine-plugins-\(UUID().uuidString)"
        )
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A module whose `handle` answers `text` (JSON), whatever the input.
    private static func module(answering text: String) throws -> String {
        let escaped = text.replacingOccurrences(of: "\"", with: "\\\"")
        let bytes = try wat2wasm(
            """
            (module
              (memory (export "memory") 1)
              (global $heap (mut i32) (i32.const 4096))
              (func (export "alloc") (param $n i32) (result i32)
                (local $p i32) (local.set $p (global.get $heap))
                (global.set $heap (i32.add (global.get $heap) (local.get $n))) (local.get $p))
              (data (i32.const 16) "\(escaped)")
              (func (export "handle") (param i32 i32) (result i64)
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const \(text.utf8.count)))))
            """
        )
        let path = directory.appendingPathComponent("\(UUID().uuidString).wasm").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    private func register(
        _ name: String,
        source: String,
        tenant: String = "",
        type: PluginType = .wasm,
        enabled: Bool = true,
        in harness: EngineHarness
    ) async throws {
        let now = Date()
        try await harness.store.createPlugin(
            PluginDefinition(
                name: name,
                pluginType: type,
                source: source,
                tenantID: tenant,
                enabled: enabled,
                createdAt: now,
                updatedAt: now
            )
        )
    }

    @Test(arguments: EngineBackend.all) func theSameSequenceRunsEachTenantsPlugin(_ backend: EngineBackend) async throws
    {
        let harness = try await EngineHarness(backend)
        try await register("scorer", source: try Self.module(answering: #"{"model":"global"}"#), in: harness)
        try await register(
            "scorer",
            source: try Self.module(answering: #"{"model":"acme-v2"}"#),
            tenant: "acme",
            in: harness
        )
        let sequence = try await harness.sequence(#"[{"type": "step", "id": "score", "handler": "wasm://scorer"}]"#)
        try await harness.withEngine { engine in
            let acme = try await harness.start(sequence, tenant: "acme", engine: engine)
            let other = try await harness.start(sequence, tenant: "globex", engine: engine)
            try await harness.waitFor(acme, .completed)
            try await harness.waitFor(other, .completed)
            #expect(try await harness.realOutputs(acme).first?.output == ["model": "acme-v2"])
            #expect(try await harness.realOutputs(other).first?.output == ["model": "global"])
        }
    }

    @Test(arguments: EngineBackend.all) func missingDisabledAndMistypedPluginsFailPermanently(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        try await register("off", source: try Self.module(answering: "{}"), enabled: false, in: harness)
        try await register("remote", source: "localhost:50051/Svc.Method", type: .grpc, in: harness)
        let cases = [
            ("wasm://nobody", "block `s`: handler not found: wasm://nobody"),
            ("wasm://off", "block `s`: plugin 'off' is disabled"),
            ("wasm://remote", "block `s`: plugin 'remote' is a grpc plugin, not wasm: use grpc://remote"),
        ]
        try await harness.withEngine { engine in
            for (handler, message) in cases {
                let sequence = try await harness.sequence(
                    #"[{"type": "step", "id": "s", "handler": "\#(handler)", "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}]"#
                )
                let id = try await harness.start(sequence, engine: engine)
                try await harness.waitFor(id, .failed)
                let rows = try await harness.store.outputs(instanceID: id)
                #expect(rows.count == 1, "no retry for \(handler)")
                #expect(rows.last?.output["message"] == .string(message))
            }
        }
    }

    @Test(arguments: EngineBackend.all) func aHostilePluginFailsOnlyItsStep(_ backend: EngineBackend) async throws {
        let harness = try await EngineHarness(backend)
        let loop = try wat2wasm(
            """
            (module (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "handle") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0)))
            """
        )
        let path = Self.directory.appendingPathComponent("loop-\(UUID().uuidString).wasm").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(loop))
        try await register("spinner", source: path, in: harness)
        try await register("fine", source: try Self.module(answering: #"{"fine":true}"#), in: harness)
        let hostile = try await harness.sequence(
            #"[{"type": "step", "id": "spin", "handler": "wasm://spinner", "timeout": 100, "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]"#
        )
        let healthy = try await harness.sequence(#"[{"type": "step", "id": "ok", "handler": "wasm://fine"}]"#)
        try await harness.withEngine { engine in
            let bad = try await harness.start(hostile, engine: engine)
            let good = try await harness.start(healthy, engine: engine)
            try await harness.waitFor(good, .completed)
            try await harness.waitFor(bad, .failed)
            let rows = try await harness.store.outputs(instanceID: bad)
            #expect(rows.map(\.outputRef) == [OutputMarker.retry, OutputMarker.error])
            #expect(
                rows.last?.output["message"] == "block `spin`: plugin timed out after 100 ms (gave up after 2 attempts)"
            )
            // The retry and error rows keep what each call cost up to its deadline.
            for row in rows {
                #expect((row.cost?["duration_us"]?.intValue ?? 0) >= 100_000, "\(String(describing: row.cost))")
                #expect(row.cost?["module_hash"]?.stringValue?.count == 64)
            }
        }
    }

    @Test(arguments: EngineBackend.all) func aTrappingPluginsErrorRowKeepsTheFuelAndMemoryItUsed(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let trap = try wat2wasm(
            """
            (module (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "handle") (param i32 i32) (result i64) unreachable))
            """
        )
        let path = Self.directory.appendingPathComponent("trap-\(UUID().uuidString).wasm").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(trap))
        try await register("trapper", source: path, in: harness)
        let sequence = try await harness.sequence(#"[{"type": "step", "id": "t", "handler": "wasm://trapper"}]"#)
        try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .failed)
            let rows = try await harness.store.outputs(instanceID: id)
            #expect(rows.count == 1)
            for row in rows {
                let cost = try #require(row.cost, "row \(row.outputRef ?? "-") has no cost")
                #expect((cost["fuel"]?.intValue ?? 0) > 0, "\(cost)")
                #expect(cost["peak_memory_pages"] == 1, "\(cost)")
                #expect(cost["module_hash"]?.stringValue?.count == 64, "\(cost)")
            }
            #expect(rows.last?.output["message"]?.stringValue?.hasPrefix("block `t`: plugin trapped in handle") == true)
        }
    }

    @Test(arguments: EngineBackend.all) func anUpdatedPluginIsUsedByTheNextInvocation(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let v1 = try Self.module(answering: #"{"v":1}"#)
        let v2 = try Self.module(answering: #"{"v":2}"#)
        try await register("versioned", source: v1, in: harness)
        let sequence = try await harness.sequence(#"[{"type": "step", "id": "v", "handler": "wasm://versioned"}]"#)
        try await harness.withEngine { engine in
            let first = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(first, .completed)
            var plugin = try #require(try await harness.store.plugin(named: "versioned", tenantID: ""))
            plugin.source = v2
            #expect(try await harness.store.updatePlugin(plugin))
            engine.plugins?.registry.invalidate()
            let second = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(second, .completed)
            #expect(try await harness.realOutputs(first).first?.output == ["v": 1])
            #expect(try await harness.realOutputs(second).first?.output == ["v": 2])
        }
    }

    @Test(arguments: EngineBackend.all) func theFeatureGateTurnsWasmStepsOff(_ backend: EngineBackend) async throws {
        let harness = try await EngineHarness(backend)
        try await register("any", source: try Self.module(answering: "{}"), in: harness)
        let sequence = try await harness.sequence(#"[{"type": "step", "id": "w", "handler": "wasm://any"}]"#)
        var disabled = WasmConfiguration()
        disabled.enabled = false
        try await harness.withEngine(wasm: disabled) { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .failed)
            #expect(
                try await harness.store.outputs(instanceID: id).last?.output["message"]
                    == "block `w`: WASM plugins are disabled on this server (ORCH8_WASM_ENABLED=false)"
            )
        }
    }
}
