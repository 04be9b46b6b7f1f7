import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// Registry changes made through the API reach the engine at once (PLUGINS.md §2, hot reload): the
/// next `wasm://` step runs what the registry says now, with no restart.
@Suite struct PluginHotReloadTests {
    @Test func theNextStepRunsTheChangedPlugin() async throws {
        let harness = try APIHarness()
        let directory = harness.directory
        try await harness.run { api in
            let first = try PluginModules.write(
                PluginModules.plugin(returning: #"{"v":1}"#),
                to: directory,
                as: "v1.wasm"
            )
            let second = try PluginModules.write(
                PluginModules.plugin(returning: #"{"v":2}"#),
                to: directory,
                as: "v2.wasm"
            )
            #expect(try await api.registerPlugin("classifier", type: "wasm", source: first).status == .created)
            let sequence = try await api.createSequence(
                #"[{"type": "step", "id": "classify", "handler": "wasm://classifier"}]"#
            )

            func output(of instance: UUID) async throws -> JSON? {
                try await api.outputs(instance).first { $0["block_id"] == "classify" }?["output"]
            }
            let before = try await api.createInstance(sequence)
            try await api.waitFor(before, "completed")
            #expect(try await output(of: before) == ["v": 1])

            let patched = try await api.send(.patch, "/plugins/classifier", #"{"source": "\#(second)"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let after = try await api.createInstance(sequence)
            try await api.waitFor(after, "completed")
            #expect(try await output(of: after) == ["v": 2], "the registry's cache was dropped")

            #expect(try await api.send(.patch, "/plugins/classifier", #"{"enabled": false}"#).status == .ok)
            let disabled = try await api.createInstance(sequence)
            try await api.waitFor(disabled, "failed")
            #expect(try await output(of: disabled)?["message"] == "block `classify`: plugin 'classifier' is disabled")

            // Rolling back is one more PATCH: enabled again, on the first module.
            let rollback = try await api.send(
                .patch,
                "/plugins/classifier",
                #"{"source": "\#(first)", "enabled": true}"#
            )
            #expect(rollback.status == .ok, "\(rollback.text)")
            #expect(rollback.json["source"]?.stringValue == first)
            #expect(rollback.json["enabled"] == true)
            let rolledBack = try await api.createInstance(sequence)
            try await api.waitFor(rolledBack, "completed")
            #expect(try await output(of: rolledBack) == ["v": 1], "re-enabled, and back on v1")

            #expect(try await api.send(.delete, "/plugins/classifier").status == .noContent)
            let deleted = try await api.createInstance(sequence)
            try await api.waitFor(deleted, "failed")
            #expect(
                try await output(of: deleted)?["message"] == "block `classify`: handler not found: wasm://classifier"
            )
        }
    }
}
