import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// The plugin guide's first scenario end to end over HTTP: the C text classifier registered as a
/// WASM plugin, and a sequence whose router branches on its `category` output.
@Suite struct PluginScenarioTests {
    @Test func theClassifierRoutesEachEmailToItsBranch() async throws {
        let module = try await PluginModules.compileExample("text_classifier")
        try await APIHarness().run { api in
            let registered = try await api.send(
                .post,
                "/plugins",
                """
                {"name": "text_classifier", "plugin_type": "wasm", "source": "\(module)",
                 "description": "Classifies text into spam/ham/transactional"}
                """
            )
            #expect(registered.status == .created, "\(registered.text)")
            // The guide's sequence, with its spelling of the default route.
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "classify_email", "handler": "wasm://text_classifier",
                  "params": {"text": "{{context.data.email_body}}"}, "timeout": 5000},
                 {"type": "router", "id": "route_email", "routes": [
                    {"condition": "{{outputs.classify_email.category == 'spam'}}",
                     "blocks": [{"type": "step", "id": "quarantine", "handler": "noop"}]},
                    {"condition": "{{outputs.classify_email.category == 'transactional'}}",
                     "blocks": [{"type": "step", "id": "file_receipt", "handler": "noop"}]},
                    {"default": true, "blocks": [{"type": "step", "id": "deliver", "handler": "noop"}]}]}]
                """
            )
            let emails = [
                ("Limited offer: buy now and save!", "spam", "quarantine"),
                ("Your invoice for November is attached", "transactional", "file_receipt"),
                ("Lunch on Friday?", "ham", "deliver"),
            ]
            for (body, category, branch) in emails {
                let id = try await api.createInstance(sequence, data: #"{"email_body": "\#(body)"}"#)
                try await api.waitFor(id, "completed")
                let outputs = try await api.outputs(id)
                #expect(outputs.first?["output"]?["category"] == .string(category), "\(body)")
                // What the call cost is kept with its output, and told by the instance's logs.
                let cost = try #require(outputs.first?["cost"], "\(outputs)")
                #expect((cost["duration_us"]?.intValue ?? 0) > 0 && (cost["fuel"]?.intValue ?? 0) > 0, "\(cost)")
                #expect(cost["peak_memory_pages"]?.intValue == 2, "\(cost)")
                #expect(cost["module_hash"]?.stringValue?.count == 64, "\(cost)")
                #expect(outputs.dropFirst().allSatisfy { $0["cost"] == nil }, "noop steps carry no cost")
                let logs = try await api.send(.get, "/instances/\(id.wire)/logs").json.arrayValue ?? []
                let costLine = try #require(logs.first { $0["block_id"] == "classify_email" }, "\(logs)")
                #expect(costLine["level"] == "info" && costLine["cost"] == cost)
                #expect(costLine["message"]?.stringValue?.hasPrefix("plugin call took ") == true, "\(costLine)")
                #expect(outputs.compactMap { $0["block_id"]?.stringValue } == ["classify_email", branch], "\(body)")
                let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
                let skipped = tree.filter { $0["state"] == "skipped" }.compactMap { $0["block_id"]?.stringValue }
                #expect(Set(skipped) == Set(["quarantine", "file_receipt", "deliver"]).subtracting([branch]))
            }
        }
    }
}
