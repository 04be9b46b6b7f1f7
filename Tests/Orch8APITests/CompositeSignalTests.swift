import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// Signals inside composite blocks (ORCH8-SPEC §7.6): cancellation scopes, non-cancellable steps,
/// finally, pause and resume.
@Suite struct CompositeSignalTests {
    /// Waits until the instance has an output row for `block`.
    func waitForOutput(_ api: APIClient, _ id: UUID, _ block: String) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await api.outputs(id).contains(where: { $0["block_id"] == .string(block) }) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("no output of \(block)")
    }

    /// Waits until the block's node is in `state`.
    func waitForNode(_ api: APIClient, _ id: UUID, _ block: String, _ state: String) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            if tree.contains(where: { $0["block_id"] == .string(block) && $0["state"] == .string(state) }) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("node \(block) never \(state)")
    }

    func send(_ api: APIClient, _ id: UUID, _ type: String) async throws {
        let reply = try await api.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "\#(type)"}"#)
        #expect(reply.status == .created, "\(reply.text)")
    }

    @Test func aCancellationScopeFinishesBeforeTheCancelTakesEffect() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "cancellation_scope", "id": "scope", "blocks": [
                    {"type": "step", "id": "charge", "handler": "sleep", "params": {"duration_ms": 4000}},
                    {"type": "step", "id": "receipt", "handler": "noop"}]},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await waitForNode(api, id, "charge", "waiting")
            try await send(api, id, "cancel")
            try await api.waitFor(id, "cancelled")
            let ran = try await api.outputs(id).compactMap { $0["block_id"]?.stringValue }
            #expect(ran == ["charge", "receipt"])
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            #expect(tree.first { $0["block_id"] == "scope" }?["state"] == "completed")
            #expect(tree.first { $0["block_id"] == "after" }?["state"] == "cancelled")
        }
    }

    @Test func aNonCancellableStepFinishesWhileItsCancellableSiblingIsCancelled() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "parallel", "id": "p", "branches": [
                    [{"type": "step", "id": "commit", "handler": "sleep", "params": {"duration_ms": 4000}, "cancellable": false},
                     {"type": "step", "id": "commit_next", "handler": "noop"}],
                    [{"type": "step", "id": "remote", "handler": "slow_service"}]]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await waitForNode(api, id, "remote", "waiting")
            try await send(api, id, "cancel")
            try await api.waitFor(id, "cancelled")
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            let states = Dictionary(uniqueKeysWithValues: tree.map { ($0["block_id"]!.stringValue!, $0["state"]!) })
            #expect(states["commit"] == "completed")
            #expect(states["remote"] == "cancelled")
            // The branch's next step is cancellable: it does not start once the cancel is accepted.
            #expect(states["commit_next"] ?? "cancelled" == "cancelled")
            #expect(try await api.task(of: id)["state"] == "failed")
        }
    }

    @Test func aCancelDuringFinallyLetsTheFinallyFinish() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "try_catch", "id": "t", "try_block": [{"type": "step", "id": "work", "handler": "noop"}],
                  "catch_block": [],
                  "finally_block": [{"type": "step", "id": "flush", "handler": "sleep", "params": {"duration_ms": 4000}},
                                    {"type": "step", "id": "close", "handler": "noop"}]},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await waitForNode(api, id, "flush", "waiting")
            try await send(api, id, "cancel")
            try await api.waitFor(id, "cancelled")
            let ran = try await api.outputs(id).compactMap { $0["block_id"]?.stringValue }
            #expect(ran == ["work", "flush", "close"])
        }
    }

    @Test func pauseInsideAParallelHoldsEveryBranchUntilResume() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "parallel", "id": "p", "branches": [
                    [{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 3000}},
                     {"type": "step", "id": "after_nap", "handler": "noop"}],
                    [{"type": "step", "id": "remote", "handler": "pause_service"}]]}]
                """
            )
            let id = try await api.createInstance(sequence)
            let started = ContinuousClock.now
            try await waitForNode(api, id, "remote", "waiting")
            try await send(api, id, "pause")
            try await api.waitFor(id, "paused")
            // Past the nap's end, nothing ran while paused.
            try await Task.sleep(until: started + .milliseconds(3300))
            #expect(try await api.outputs(id).isEmpty)
            try await send(api, id, "resume")
            try await waitForOutput(api, id, "after_nap")
            let worker = WorkerClient(api: api, id: "w")
            let task = try await worker.pollOne("pause_service")
            #expect(try await worker.complete(task).status == .ok)
            try await api.waitFor(id, "completed")
        }
    }

    @Test func compositesNestSeveralLevelsDeep() async throws {
        try await APIHarness().run(extraHandlers: ["increment": Increment()]) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "loop", "id": "outer", "condition": "true", "max_iterations": 2, "body": [
                   {"type": "try_catch", "id": "guard", "try_block": [
                      {"type": "for_each", "id": "each", "collection": "items", "body": [
                         {"type": "parallel", "id": "fan", "branches": [
                            [{"type": "router", "id": "pick", "routes": [
                               {"condition": "context.data.item == 2", "blocks": [
                                  {"type": "step", "id": "two", "handler": "increment"}]}],
                              "default": [{"type": "step", "id": "other", "handler": "increment"}]}],
                            [{"type": "step", "id": "side", "handler": "noop"}]]}]},
                      {"type": "step", "id": "boom", "handler": "fail"}],
                    "catch_block": [{"type": "step", "id": "caught", "handler": "noop"}]}]}]
                """
            )
            let id = try await api.createInstance(sequence, data: #"{"items": [1, 2, 3]}"#)
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            func count(_ block: String) -> Int { outputs.filter { $0["block_id"] == .string(block) }.count }
            #expect(count("two") == 2)
            #expect(count("other") == 4)
            #expect(count("side") == 6)
            #expect(count("caught") == 2)
            #expect(outputs.last { $0["block_id"] == "other" || $0["block_id"] == "two" }?["output"]?["n"] == 6)
        }
    }
}
