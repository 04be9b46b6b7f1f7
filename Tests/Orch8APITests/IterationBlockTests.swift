import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// loop and for_each through the REST API (ORCH8-SPEC §2.2).
@Suite struct IterationBlockTests {
    let handlers: [String: any StepHandler] = ["increment": Increment()]

    @Test func aLoopRunsWhileItsConditionHoldsAndCountsItsIterations() async throws {
        try await APIHarness().run(extraHandlers: handlers) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "loop", "id": "again", "condition": "state.n < 3 || state.n == null",
                  "body": [{"type": "step", "id": "bump", "handler": "increment"},
                           {"type": "step", "id": "note", "handler": "noop"}]},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            #expect(outputs.filter { $0["block_id"] == "bump" }.compactMap { $0["output"]?["n"] } == [1, 2, 3])
            #expect(outputs.filter { $0["block_id"] == "note" }.count == 3)
            #expect(
                outputs.filter { $0["block_id"] == "again" }.compactMap { $0["output"]?["_iterations"] } == [1, 2, 3]
            )
            #expect(outputs.last?["block_id"] == "after")
        }
    }

    @Test func breakOnMaxIterationsAndContinueOnError() async throws {
        try await APIHarness().run(extraHandlers: handlers) { api in
            let breaking = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "break_on": "state.n >= 2",
                  "body": [{"type": "step", "id": "bump", "handler": "increment"}]}]
                """
            )
            let capped = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "max_iterations": 4,
                  "body": [{"type": "step", "id": "bump", "handler": "increment"}]}]
                """
            )
            let failing = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "max_iterations": 3,
                  "body": [{"type": "step", "id": "bump", "handler": "increment"}, {"type": "step", "id": "bad", "handler": "fail"}]}]
                """
            )
            let tolerant = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "max_iterations": 3, "continue_on_error": true,
                  "body": [{"type": "step", "id": "bump", "handler": "increment"}, {"type": "step", "id": "bad", "handler": "fail"}]}]
                """
            )
            let ids = [
                try await api.createInstance(breaking), try await api.createInstance(capped),
                try await api.createInstance(failing), try await api.createInstance(tolerant),
            ]
            try await api.waitFor(ids[0], "completed")
            try await api.waitFor(ids[1], "completed")
            try await api.waitFor(ids[2], "failed")
            try await api.waitFor(ids[3], "completed")
            func bumps(_ id: UUID) async throws -> Int {
                try await api.outputs(id).filter { $0["block_id"] == "bump" }.count
            }
            #expect(try await bumps(ids[0]) == 2)
            #expect(try await bumps(ids[1]) == 4)
            #expect(try await bumps(ids[2]) == 1)
            #expect(try await bumps(ids[3]) == 3)
        }
    }

    @Test func aStepRetriedInOneIterationStartsItsAttemptsAfreshInTheNext() async throws {
        try await APIHarness().run(extraHandlers: ["increment": Increment(), "flaky": FailsTwice()]) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "max_iterations": 2,
                  "body": [{"type": "step", "id": "bump", "handler": "increment"},
                           {"type": "step", "id": "shaky", "handler": "flaky",
                            "retry": {"max_attempts": 3, "initial_backoff": 1, "max_backoff": 1}}]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            // Carried over, the second iteration would start at attempt 3 and succeed at once.
            let shaky = try await api.outputs(id).filter { $0["block_id"] == "shaky" }
            #expect(shaky.compactMap { $0["attempt"] } == [2, 2])
        }
    }

    @Test func retainIterationsKeepsTheNewestRowsOfTheBody() async throws {
        try await APIHarness().run(extraHandlers: handlers) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "max_iterations": 5, "retain_iterations": 2,
                  "body": [{"type": "step", "id": "bump", "handler": "increment"}]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            #expect(outputs.filter { $0["block_id"] == "bump" }.compactMap { $0["output"]?["n"] } == [4, 5])
            #expect(outputs.filter { $0["block_id"] == "l" }.count == 5)
        }
    }

    @Test func aLoopWaitsItsPollIntervalBetweenIterations() async throws {
        try await APIHarness().run(extraHandlers: handlers) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "loop", "id": "poll", "condition": "true", "max_iterations": 2, "poll_interval": 1,
                  "body": [{"type": "step", "id": "bump", "handler": "increment"}]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let times = try await api.outputs(id).filter { $0["block_id"] == "bump" }
                .compactMap { $0["created_at"]?.stringValue.flatMap(RFC3339.parse) }
            #expect(times.count == 2)
            #expect(times[1].timeIntervalSince(times[0]) >= 0.9)
        }
    }

    @Test func forEachRunsTheBodyPerItemWithTheItemInTheData() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "for_each", "id": "each", "collection": "order.lines", "item_var": "line",
                  "body": [{"type": "step", "id": "price", "handler": "transform",
                            "params": {"sku": "{{context.data.line.sku}}"}}]},
                 {"type": "step", "id": "after", "handler": "transform", "params": {"line": "{{context.data.line}}"}}]
                """
            )
            let id = try await api.createInstance(
                sequence,
                data: #"{"order": {"lines": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}]}}"#
            )
            let instance = try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            #expect(
                outputs.filter { $0["block_id"] == "price" }.compactMap { $0["output"]?["sku"] } == ["a", "b", "c"]
            )
            let markers = outputs.filter { $0["block_id"] == "each" }.compactMap(\.["output"])
            #expect(markers.compactMap { $0["_index"] } == [0, 1, 2])
            #expect(markers.allSatisfy { $0["_total"] == 3 && $0["_item_var"] == "line" })
            #expect(markers.allSatisfy { $0["_snapshot_ref"]?.stringValue != nil })
            // The item variable is gone once the for_each ends.
            #expect(instance["context"]?["data"]?["line"] == nil)
            #expect(outputs.last?["output"]?["line"] == .null)
        }
    }

    @Test func forEachOverAMissingOrEmptyCollectionCompletesAndATemplateCollectionReadsOutputs() async throws {
        try await APIHarness().run { api in
            let missing = try await api.createSequence(
                """
                [{"type": "for_each", "id": "each", "collection": "nothing.here",
                  "body": [{"type": "step", "id": "x", "handler": "noop"}]}]
                """
            )
            let templated = try await api.createSequence(
                """
                [{"type": "step", "id": "list", "handler": "transform", "params": {"ids": [7, 8]}},
                 {"type": "for_each", "id": "each", "collection": "{{outputs.list.ids}}",
                  "body": [{"type": "step", "id": "x", "handler": "transform", "params": {"id": "{{context.data.item}}"}}]}]
                """
            )
            let first = try await api.createInstance(missing)
            let second = try await api.createInstance(missing, data: #"{"nothing": {"here": []}}"#)
            let third = try await api.createInstance(templated)
            try await api.waitFor(first, "completed")
            try await api.waitFor(second, "completed")
            try await api.waitFor(third, "completed")
            #expect(try await api.outputs(first).isEmpty)
            #expect(try await api.outputs(second).isEmpty)
            let ids = try await api.outputs(third).filter { $0["block_id"] == "x" }.compactMap { $0["output"]?["id"] }
            #expect(ids == [7, 8])
        }
    }

    @Test func aFailedBodyStopsTheForEach() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "for_each", "id": "each", "collection": "items",
                  "body": [{"type": "step", "id": "check", "handler": "assert",
                            "params": {"condition": "context.data.item != 2"}}]}]
                """
            )
            let id = try await api.createInstance(sequence, data: #"{"items": [1, 2, 3]}"#)
            try await api.waitFor(id, "failed")
            let checks = try await api.outputs(id).filter { $0["block_id"] == "check" }
            #expect(checks.count == 2)
        }
    }
}
