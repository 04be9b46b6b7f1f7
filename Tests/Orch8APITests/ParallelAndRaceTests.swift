import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// parallel and race through the REST API (ORCH8-SPEC §2.2).
@Suite struct ParallelAndRaceTests {
    @Test func parallelBranchesRunTheirStepsAtTheSameTime() async throws {
        // Three branches whose middle steps only succeed when all three are in flight together.
        let handlers: [String: any StepHandler] = ["meet": Rendezvous(parties: 3)]
        try await APIHarness().run(extraHandlers: handlers) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "parallel", "id": "fan", "branches": [
                    [{"type": "step", "id": "a1", "handler": "noop"}, {"type": "step", "id": "a2", "handler": "meet"}],
                    [{"type": "step", "id": "b1", "handler": "meet"}],
                    [{"type": "step", "id": "c1", "handler": "noop"}, {"type": "step", "id": "c2", "handler": "noop"},
                     {"type": "step", "id": "c3", "handler": "meet"}]]},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            for block in ["a2", "b1", "c3"] {
                #expect(outputs.first { $0["block_id"] == .string(block) }?["output"]?["met"] == 3)
            }
            #expect(outputs.last?["block_id"] == "after")
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            #expect(tree.count == 8)
            #expect(tree.allSatisfy { $0["state"] == "completed" })
            let fan = try #require(tree.first { $0["block_id"] == "fan" })
            let b1 = try #require(tree.first { $0["block_id"] == "b1" })
            #expect(b1["parent_id"] == fan["id"])
            #expect(b1["branch_index"] == 1)
            #expect(fan["parent_id"] == .null)
            #expect(fan["block_type"] == "parallel")
        }
    }

    @Test func aFailedBranchFailsTheParallelButTheOthersFinish() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "parallel", "id": "fan", "branches": [
                    [{"type": "step", "id": "bad", "handler": "fail", "params": {"message": "boom"}},
                     {"type": "step", "id": "after_bad", "handler": "noop"}],
                    [{"type": "step", "id": "good", "handler": "noop"}], []]},
                 {"type": "step", "id": "never", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "failed")
            let blocks = try await api.outputs(id).compactMap { $0["block_id"]?.stringValue }
            // The cursor moves past a failed child (ORCH8-SPEC §2.2): its later siblings still run.
            #expect(Set(blocks) == ["bad", "after_bad", "good"])
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            let states = Dictionary(uniqueKeysWithValues: tree.map { ($0["block_id"]!.stringValue!, $0["state"]!) })
            #expect(states == ["fan": "failed", "bad": "failed", "after_bad": "completed", "good": "completed"])
            #expect(try await api.send(.get, "/instances/dlq").json.arrayValue?.count == 1)
        }
    }

    @Test func emptyParallelAndEmptyRaceBranchComplete() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "parallel", "id": "nothing", "branches": [[], []]},
                 {"type": "race", "id": "instant", "branches": [[], [{"type": "step", "id": "slow", "handler": "sleep",
                    "params": {"duration_ms": 60000}}]]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            #expect(tree.first { $0["block_id"] == "slow" }?["state"] ?? "cancelled" == "cancelled")
        }
    }

    @Test func theFirstBranchToFinishWinsAndTheLosersWorkerTaskIsCancelled() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "race", "id": "r", "branches": [
                    [{"type": "step", "id": "human_work", "handler": "review_queue"}],
                    [{"type": "step", "id": "quick_nap", "handler": "sleep", "params": {"duration_ms": 300}},
                     {"type": "step", "id": "fast", "handler": "noop"}]]},
                 {"type": "step", "id": "done", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            let states = Dictionary(uniqueKeysWithValues: tree.map { ($0["block_id"]!.stringValue!, $0["state"]!) })
            #expect(states["r"] == "completed")
            #expect(states["human_work"] == "cancelled")
            #expect(states["fast"] == "completed")
            let task = try await api.task(of: id)
            #expect(task["state"] == "failed")
            #expect(task["error_message"]?.stringValue?.contains("cancelled") == true)
        }
    }

    @Test func raceSemanticsDecideWhatAFailedBranchDoes() async throws {
        try await APIHarness().run { api in
            let branches = """
                [[{"type": "step", "id": "boom", "handler": "fail", "params": {"message": "no"}}],
                 [{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 200}}]]
                """
            let resolve = try await api.createSequence(#"[{"type": "race", "id": "r", "branches": \#(branches)}]"#)
            let succeed = try await api.createSequence(
                #"[{"type": "race", "id": "r", "branches": \#(branches), "semantics": "first_to_succeed"}]"#
            )
            let allFail = try await api.createSequence(
                """
                [{"type": "race", "id": "r", "semantics": "first_to_succeed", "branches": [
                    [{"type": "step", "id": "f1", "handler": "fail"}], [{"type": "step", "id": "f2", "handler": "fail"}]]}]
                """
            )
            let first = try await api.createInstance(resolve)
            let second = try await api.createInstance(succeed)
            let third = try await api.createInstance(allFail)
            try await api.waitFor(first, "failed")
            try await api.waitFor(second, "completed")
            try await api.waitFor(third, "failed")
            let tree = try await api.send(.get, "/instances/\(first.wire)/tree").json.arrayValue ?? []
            #expect(tree.first { $0["block_id"] == "nap" }?["state"] == "cancelled")
        }
    }
}
