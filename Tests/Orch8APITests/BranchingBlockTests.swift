import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// router, try_catch and a_b_split through the REST API (ORCH8-SPEC §2.2).
@Suite struct BranchingBlockTests {
    static let router = """
        [{"type": "step", "id": "score", "handler": "transform", "params": {"value": "{{context.data.amount}}"}},
         {"type": "router", "id": "route", "routes": [
            {"condition": "outputs.score.value > 100", "blocks": [{"type": "step", "id": "big", "handler": "noop"}]},
            {"condition": "context.data.amount > 10", "blocks": [{"type": "step", "id": "medium", "handler": "noop"}]}],
          "default": [{"type": "step", "id": "small", "handler": "noop"}]}]
        """

    @Test func theRouterTakesTheFirstTrueRouteElseTheDefaultAndSkipsTheRest() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.router)
            let big = try await api.createInstance(sequence, data: #"{"amount": 500}"#)
            let medium = try await api.createInstance(sequence, data: #"{"amount": 50}"#)
            let small = try await api.createInstance(sequence, data: #"{"amount": 5}"#)
            for (id, chosen) in [(big, "big"), (medium, "medium"), (small, "small")] {
                try await api.waitFor(id, "completed")
                let ran = try await api.outputs(id).compactMap { $0["block_id"]?.stringValue }
                #expect(ran == ["score", chosen])
                let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
                for block in ["big", "medium", "small"] {
                    let state = tree.first { $0["block_id"] == .string(block) }?["state"]
                    #expect(state == (block == chosen ? "completed" : "skipped"), "\(block) when \(chosen) ran")
                }
            }
        }
    }

    @Test func aRouterWithNoMatchAndNoDefaultCompletes() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "router", "id": "route", "routes": [
                    {"condition": "context.data.missing == true", "blocks": [{"type": "step", "id": "x", "handler": "noop"}]}]},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            #expect(try await api.outputs(id).compactMap { $0["block_id"]?.stringValue } == ["after"])
        }
    }

    @Test func catchSeesTheErrorAndFinallyAlwaysRuns() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "guarded",
                  "try_block": [{"type": "step", "id": "charge", "handler": "fail", "params": {"message": "card declined"}}],
                  "catch_block": [{"type": "step", "id": "apologise", "handler": "transform",
                                   "params": {"failed": "{{context.data._error.failed_blocks}}",
                                              "source": "{{context.data._error.source}}"}}],
                  "finally_block": [{"type": "step", "id": "cleanup", "handler": "noop"}]},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            let instance = try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            #expect(outputs.compactMap { $0["block_id"]?.stringValue } == ["charge", "apologise", "cleanup", "after"])
            #expect(outputs[1]["output"] == ["failed": ["charge"], "source": "try_catch"])
            #expect(instance["context"]?["data"]?["_error"]?["block_id"] == "guarded")
        }
    }

    @Test func anEmptyCatchSwallowsASuccessfulTrySkipsTheCatchAndAFailedFinallyFails() async throws {
        try await APIHarness().run { api in
            let swallow = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "step", "id": "bad", "handler": "fail"}],
                  "catch_block": []}]
                """
            )
            let fine = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "step", "id": "good", "handler": "noop"}],
                  "catch_block": [{"type": "step", "id": "handler", "handler": "noop"}]}]
                """
            )
            let badFinally = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "step", "id": "good", "handler": "noop"}],
                  "catch_block": [], "finally_block": [{"type": "step", "id": "oops", "handler": "fail"}]}]
                """
            )
            let doubleFault = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "step", "id": "bad", "handler": "fail"}],
                  "catch_block": [{"type": "step", "id": "worse", "handler": "fail"}]}]
                """
            )
            let first = try await api.createInstance(swallow)
            let second = try await api.createInstance(fine)
            let third = try await api.createInstance(badFinally)
            let fourth = try await api.createInstance(doubleFault)
            try await api.waitFor(first, "completed")
            try await api.waitFor(second, "completed")
            try await api.waitFor(third, "failed")
            try await api.waitFor(fourth, "failed")
            let tree = try await api.send(.get, "/instances/\(second.wire)/tree").json.arrayValue ?? []
            #expect(tree.first { $0["block_id"] == "handler" }?["state"] == "skipped")
        }
    }

    @Test func aWorkersNonRetryableFailureInsideTryIsCaught() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t",
                  "try_block": [{"type": "step", "id": "remote", "handler": "flaky_service",
                                 "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}],
                  "catch_block": [{"type": "step", "id": "recover", "handler": "noop"}]}]
                """
            )
            let id = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w1")
            let task = try await worker.pollOne("flaky_service")
            let reply = try await worker.fail(task, message: "invalid account", retryable: false)
            #expect(reply.status == .ok, "\(reply.text)")
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            #expect(outputs.compactMap { $0["block_id"]?.stringValue } == ["remote", "recover"])
            #expect(outputs[0]["output"]?["message"]?.stringValue?.contains("invalid account") == true)
            // Not retried: one task attempt only.
            #expect(try await api.events(task).filter { $0 == "claimed" }.count == 1)
        }
    }

    @Test func anABSplitPicksTheSameVariantForTheSameInstance() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "a_b_split", "id": "exp", "variants": [
                    {"name": "control", "weight": 50, "blocks": [{"type": "step", "id": "old_copy", "handler": "noop"}]},
                    {"name": "bold", "weight": 50, "blocks": [{"type": "step", "id": "new_copy", "handler": "noop"}]}]}]
                """
            )
            var seen: Set<String> = []
            for _ in 0..<12 {
                let id = try await api.createInstance(sequence)
                try await api.waitFor(id, "completed")
                let expected = ABSplitChoice.variantIndex(instanceID: id, blockID: "exp", weights: [50, 50])
                let outputs = try await api.outputs(id)
                let marker = try #require(outputs.first { $0["block_id"] == "exp" })
                #expect(marker["output"]?["variant_index"] == .int(Int64(expected)))
                #expect(marker["output"]?["variant"] == (expected == 0 ? "control" : "bold"))
                let ran = outputs.compactMap { $0["block_id"]?.stringValue }.filter { $0 != "exp" }
                #expect(ran == [expected == 0 ? "old_copy" : "new_copy"])
                seen.insert(ran[0])
            }
            #expect(seen.count == 2)
        }
    }
}
