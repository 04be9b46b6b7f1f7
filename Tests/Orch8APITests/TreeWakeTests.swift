import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// What wakes a tree that is parked or busy, and what a block's fresh start forgets.
@Suite struct TreeWakeTests {
    @Test func aWorkerReportWakesAnInstanceParkedOnAnotherBranchsTimer() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "race", "id": "r", "branches": [
                    [{"type": "step", "id": "work", "handler": "remote_job"}],
                    [{"type": "step", "id": "deadline", "handler": "sleep", "params": {"duration_ms": 600000}}]]}]
                """
            )
            let id = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w")
            let task = try await worker.pollOne("remote_job")
            #expect(try await worker.complete(task, output: #"{"done": true}"#).status == .ok)
            // Without the wake it would sit until the ten-minute timer.
            try await api.waitFor(id, "completed")
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            #expect(tree.first { $0["block_id"] == "deadline" }?["state"] == "cancelled")
        }
    }

    @Test func aTimerFiresWhileAnotherBranchsHandlerIsStillRunning() async throws {
        try await APIHarness().run(extraHandlers: ["nap": Nap()]) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "race", "id": "r", "branches": [
                    [{"type": "step", "id": "slow", "handler": "nap", "params": {"ms": 4000}}],
                    [{"type": "step", "id": "timeout", "handler": "sleep", "params": {"duration_ms": 300}}]]}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let tree = try await api.send(.get, "/instances/\(id.wire)/tree").json.arrayValue ?? []
            let states = Dictionary(uniqueKeysWithValues: tree.map { ($0["block_id"]!.stringValue!, $0["state"]!) })
            #expect(states["timeout"] == "completed")
            #expect(states["slow"] == "cancelled", "the in-process call lost the race it was still running")
            #expect(try await api.outputs(id).contains { $0["block_id"] == "slow" } == false)
        }
    }

    @Test func aRaceLostInOneIterationDoesNotEndTheNextIterationsTask() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "loop", "id": "l", "condition": "true", "max_iterations": 2, "body": [
                    {"type": "race", "id": "r", "branches": [
                        [{"type": "step", "id": "job", "handler": "loop_job"}],
                        [{"type": "step", "id": "limit", "handler": "sleep", "params": {"duration_ms": 2500}}]]}]}]
                """
            )
            let id = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w")
            // Iteration 1: leased and left alone; the timer wins.
            let first = try await worker.pollOne("loop_job")
            // Iteration 2 hands out a fresh task, which this worker completes.
            let second = try await worker.pollOne("loop_job")
            #expect(second["id"] != first["id"])
            #expect(try await worker.complete(second, output: #"{"n": 2}"#).status == .ok)
            try await api.waitFor(id, "completed")
            let jobs = try await api.outputs(id).filter { $0["block_id"] == "job" }
            #expect(jobs.compactMap { $0["output"]?["n"] } == [2])
        }
    }

    @Test func retryingAnInstanceWhoseWorkerFailedHandsOutANewTask() async throws {
        try await APIHarness().run { api in
            let flat = try await api.createSequence(#"[{"type": "step", "id": "job", "handler": "retry_job"}]"#)
            let tree = try await api.createSequence(
                #"[{"type": "parallel", "id": "p", "branches": [[{"type": "step", "id": "job", "handler": "retry_job"}]]}]"#
            )
            for sequence in [flat, tree] {
                let id = try await api.createInstance(sequence)
                let worker = WorkerClient(api: api, id: "w")
                let task = try await worker.pollOne("retry_job")
                #expect(try await worker.fail(task, message: "down", retryable: false).status == .ok)
                try await api.waitFor(id, "failed")
                #expect(try await api.send(.post, "/instances/\(id.wire)/retry").status == .ok)
                let again = try await worker.pollOne("retry_job")
                #expect(try await worker.complete(again, output: #"{"ok": true}"#).status == .ok)
                try await api.waitFor(id, "completed")
            }
        }
    }
}
