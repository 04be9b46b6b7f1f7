import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// sub_sequence and the human gate through the REST API (ORCH8-SPEC §2.2, §7.7, §1.10).
@Suite struct SubSequenceAndGateTests {
    @Test func aSubSequenceRunsAsAChildAndItsOutputsBecomeTheBlocksOutput() async throws {
        try await APIHarness().run { api in
            try await api.createSequence(
                #"[{"type": "step", "id": "child_step", "handler": "transform", "params": {"got": "{{context.data.x}}"}}]"#,
                name: "child"
            )
            try await api.createSequence(
                #"[{"type": "step", "id": "v2_step", "handler": "noop"}]"#,
                name: "child",
                version: 2
            )
            let parent = try await api.createSequence(
                """
                [{"type": "sub_sequence", "id": "call", "sequence_name": "child", "version": 1, "input": {"x": 42}},
                 {"type": "sub_sequence", "id": "latest", "sequence_name": "child"},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(parent)
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            let call = try #require(outputs.first { $0["block_id"] == "call" })
            #expect(call["output"]?[0]?["block_id"] == "child_step")
            #expect(call["output"]?[0]?["output"]?["got"] == 42)
            let latest = try #require(outputs.first { $0["block_id"] == "latest" })
            #expect(latest["output"]?[0]?["block_id"] == "v2_step")
            let children = try await api.send(.get, "/instances/\(id.wire)/children").json.arrayValue ?? []
            #expect(children.count == 2)
            #expect(children.allSatisfy { $0["parent_instance_id"] == .string(id.wire) && $0["state"] == "completed" })
            #expect(children.first?["metadata"]?["_parent_block_id"] == "call")
            #expect(children.first?["metadata"]?["_sub_sequence_depth"] == 1)
        }
    }

    @Test func aFailedChildFailsItsBlockAndAMissingSequenceFailsTheParent() async throws {
        try await APIHarness().run { api in
            try await api.createSequence(#"[{"type": "step", "id": "boom", "handler": "fail"}]"#, name: "broken")
            let caught = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "sub_sequence", "id": "call", "sequence_name": "broken"}],
                  "catch_block": [{"type": "step", "id": "recover", "handler": "noop"}]}]
                """
            )
            let missing = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "sub_sequence", "id": "call", "sequence_name": "nope"}],
                  "catch_block": [{"type": "step", "id": "recover", "handler": "noop"}]}]
                """
            )
            let first = try await api.createInstance(caught)
            let second = try await api.createInstance(missing)
            try await api.waitFor(first, "completed")
            #expect(try await api.outputs(first).contains { $0["block_id"] == "recover" })
            // Not catchable (ORCH8-SPEC §2.2): the whole parent fails with the reason.
            try await api.waitFor(second, "failed")
            let error = try await api.outputs(second).last
            #expect(error?["output"]?["message"]?.stringValue?.contains("sub-sequence 'nope' not found") == true)
            #expect(try await api.outputs(second).contains { $0["block_id"] == "recover" } == false)
        }
    }

    @Test func aSubSequenceThatLosesARaceHasItsChildCancelled() async throws {
        try await APIHarness().run { api in
            try await api.createSequence(
                #"[{"type": "step", "id": "long", "handler": "sleep", "params": {"duration_ms": 60000}}]"#,
                name: "slow_child"
            )
            let parent = try await api.createSequence(
                """
                [{"type": "race", "id": "r", "branches": [
                    [{"type": "sub_sequence", "id": "call", "sequence_name": "slow_child"}],
                    [{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 300}}]]}]
                """
            )
            let id = try await api.createInstance(parent)
            try await api.waitFor(id, "completed")
            let deadline = ContinuousClock.now + .seconds(10)
            var child: JSON = .null
            while ContinuousClock.now < deadline {
                child =
                    (try await api.send(.get, "/instances/\(id.wire)/children").json.arrayValue ?? []).first ?? .null
                if child["state"] == "cancelled" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(child["state"] == "cancelled")
        }
    }

    @Test func aSelfCallingSequenceStopsAtTheDepthLimit() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                #"[{"type": "sub_sequence", "id": "again", "sequence_name": "recursive"}]"#,
                name: "recursive"
            )
            let id = try await api.createInstance(sequence)
            // Sixteen children deep the last one fails; its failure fails each parent in turn.
            try await api.waitFor(id, "failed", timeout: .seconds(30))
            let all = try await api.send(.get, "/instances?limit=100").json["items"]?.arrayValue ?? []
            #expect(all.count == 17)
            let deepest = all.first { $0["metadata"]?["_sub_sequence_depth"] == 16 }
            let reply = try await api.outputs(try #require(UUID(uuidString: deepest?["id"]?.stringValue ?? "")))
            #expect(reply.last?["output"]?["message"]?.stringValue?.contains("depth limit of 16") == true)
        }
    }

    static let gate = """
        [{"type": "step", "id": "approve", "handler": "transform", "params": {"decision": "{{context.data.verdict}}"},
          "wait_for_input": {"prompt": "Ship it?", "store_as": "verdict", "choices": [
            {"label": "Ship", "value": "ship"}, {"label": "Hold", "value": "hold"}]}},
         {"type": "step", "id": "after", "handler": "noop"}]
        """

    @Test func aHumanGateWaitsIsListedAndResumesOnAValidAnswer() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.gate)
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "waiting")
            let approvals = try await api.send(.get, "/approvals").json
            #expect(approvals["total"] == 1)
            let item = try #require(approvals["items"]?[0])
            #expect(item["instance_id"] == .string(id.wire))
            #expect(item["block_id"] == "approve")
            #expect(item["prompt"] == "Ship it?")
            #expect(item["choices"]?.arrayValue?.compactMap { $0["value"] } == ["ship", "hold"])
            #expect(item["store_as"] == "verdict")
            #expect(item["waiting_since"]?.stringValue != nil)

            // An answer that is not a choice is consumed and ignored.
            let wrong = #"{"signal_type": {"custom": "human_input:approve"}, "payload": {"value": "maybe"}}"#
            #expect(try await api.send(.post, "/instances/\(id.wire)/signals", wrong).status == .created)
            // It wakes the instance, which looks and parks again.
            try await Task.sleep(for: .milliseconds(200))
            try await api.waitFor(id, "waiting")
            #expect(try await api.outputs(id).isEmpty)

            let right = #"{"signal_type": {"custom": "human_input:approve"}, "payload": {"value": "ship"}}"#
            #expect(try await api.send(.post, "/instances/\(id.wire)/signals", right).status == .created)
            let done = try await api.waitFor(id, "completed")
            #expect(done["context"]?["data"]?["verdict"] == "ship")
            let outputs = try await api.outputs(id)
            #expect(outputs.first { $0["block_id"] == "approve" }?["output"]?["_orch8_human_gate"] == true)
            #expect(outputs.last { $0["block_id"] == "approve" }?["output"]?["decision"] == "ship")
            #expect(try await api.send(.get, "/approvals").json["total"] == 0)
        }
    }

    @Test func aGateInsideAParallelWaitsWhileTheOtherBranchRuns() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "parallel", "id": "p", "branches": [
                    [{"type": "step", "id": "ask", "handler": "noop", "wait_for_input": {"prompt": "ok?"}}],
                    [{"type": "step", "id": "work", "handler": "noop"}, {"type": "step", "id": "more", "handler": "noop"}]]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "waiting")
            #expect(Set(try await api.outputs(id).compactMap { $0["block_id"]?.stringValue }) == ["work", "more"])
            let yes = #"{"signal_type": {"custom": "human_input:ask"}, "payload": {"value": "yes"}}"#
            #expect(try await api.send(.post, "/instances/\(id.wire)/signals", yes).status == .created)
            let done = try await api.waitFor(id, "completed")
            #expect(done["context"]?["data"]?["ask"] == "yes")
        }
    }

    @Test func aGateTimeoutFailsTheInstanceOrEscalates() async throws {
        try await APIHarness().run { api in
            let strict = try await api.createSequence(
                #"[{"type": "step", "id": "ask", "handler": "noop", "wait_for_input": {"timeout": 200}}]"#
            )
            let escalating = try await api.createSequence(
                """
                [{"type": "step", "id": "ask", "handler": "noop",
                  "wait_for_input": {"timeout": 200, "escalation_handler": "page_the_manager"}}]
                """
            )
            let first = try await api.createInstance(strict)
            let second = try await api.createInstance(escalating)
            try await api.waitFor(first, "failed")
            #expect(
                try await api.outputs(first).last?["output"]?["message"]?.stringValue?.contains("timed out") == true
            )
            let deadline = ContinuousClock.now + .seconds(10)
            var escalated: JSON?
            while escalated == nil && ContinuousClock.now < deadline {
                escalated = try await api.outputs(second).first { $0["output"]?["_escalated"] == true }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(escalated?["output"]?["_escalation_handler"] == "page_the_manager")
            #expect(try await api.send(.get, "/instances/\(second.wire)").json["state"] == "waiting")
        }
    }
}
