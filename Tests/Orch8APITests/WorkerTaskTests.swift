import Foundation
import HTTPTypes
import Orch8Core
import Orch8Engine
import Testing

/// External workers through the REST API, with the engine running (ORCH8-SPEC §1.8, §6).
@Suite struct WorkerTaskTests {
    /// A reaper that runs every 50 ms and reclaims leases silent for `staleAfter`.
    static func reaper(staleAfter: Duration) -> (inout EngineConfiguration) -> Void {
        { engine in
            engine.workerReaperInterval = .milliseconds(50)
            engine.workerStaleAfter = staleAfter
        }
    }

    static let chargeThenShape = """
        [{"type": "step", "id": "charge", "handler": "charge_card",
          "params": {"amount": "{{context.data.amount}}", "card": "{{context.data.card}}"}},
         {"type": "step", "id": "shape", "handler": "transform",
          "params": {"charged": "{{outputs.charge.charge_id}}", "merged": "{{context.data.charge_id}}"}}]
        """

    @Test func aWorkerStepWaitsForAWorkerAndTheOutputIsMerged() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.chargeThenShape)
            let instance = try await api.createInstance(sequence, data: #"{"amount": 42, "card": "visa"}"#)
            try await api.waitFor(instance, "waiting")
            let worker = WorkerClient(api: api, id: "w1")
            let task = try await worker.pollOne("charge_card")
            #expect(task["instance_id"]?.stringValue == instance.wire)
            #expect(task["block_id"] == "charge")
            #expect(task["params"] == ["amount": 42, "card": "visa"])
            #expect(task["context"]?["data"]?["amount"] == 42)
            #expect(task["state"] == "claimed")
            #expect(task["worker_id"] == "w1")
            #expect(task["claim_epoch"] == 1)
            #expect(task["attempt"] == 0)
            #expect(try await worker.poll("charge_card").isEmpty, "a claimed task is handed out once")

            let done = try await worker.complete(task, output: #"{"charge_id": "ch_1"}"#)
            #expect(done.status == .ok, "\(done.text)")
            #expect(done.text.isEmpty)
            let finished = try await api.waitFor(instance, "completed")
            #expect(finished["context"]?["data"]?["charge_id"] == "ch_1", "object outputs merge into the data")
            let shaped = try await api.outputs(instance).first { $0["block_id"] == "shape" }
            #expect(shaped?["output"] == ["charged": "ch_1", "merged": "ch_1"])

            #expect(try await api.events(task) == ["claimed", "completed"])
            let handlers = try await api.send(.get, "/handlers").json
            #expect(handlers["external"] == ["charge_card"])
            let workers = try await api.send(.get, "/workers").json.arrayValue ?? []
            #expect(workers.map { $0["worker_id"] } == ["w1"])
            #expect(workers.first?["handlers"] == ["charge_card"])
            #expect(workers.first?["alive"] == true)
            #expect(workers.first?["in_flight"] == 0)
            let stats = try await api.send(.get, "/workers/tasks/stats").json
            #expect(stats["by_state"]?["completed"] == 1)
            #expect(stats["by_handler"]?["charge_card"]?["completed"] == 1)
            #expect(stats["total"] == 1)
        }
    }

    @Test func competingWorkersCompleteEveryTaskExactlyOnce() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                #"[{"type": "step", "id": "work", "handler": "crunch", "params": {"n": "{{context.data.n}}"}}]"#
            )
            let count = 1000
            let items = (0..<count).map { APIClient.instanceJSON(sequence, data: #"{"n": \#($0)}"#) }
            let batch = try await api.send(
                .post,
                "/instances/batch",
                "{\"instances\": [\(items.joined(separator: ","))]}"
            )
            #expect(batch.status == .created, "\(batch.text)")

            // Two workers race until every task is done; each records what it completed.
            let completed = try await withThrowingTaskGroup(of: [String].self) { group in
                for name in ["w1", "w2"] {
                    group.addTask {
                        let worker = WorkerClient(api: api, id: name)
                        var done: [String] = []
                        var idle = 0
                        while idle < 200 {
                            let tasks = try await worker.poll("crunch", limit: 10)
                            if tasks.isEmpty {
                                idle += 1
                                try await Task.sleep(for: .milliseconds(25))
                                continue
                            }
                            idle = 0
                            for task in tasks {
                                let reply = try await worker.complete(task, output: #"{"by": "\#(name)"}"#)
                                #expect(reply.status == .ok, "\(reply.text)")
                                done.append(task["id"]?.stringValue ?? "")
                            }
                            let finished = try await api.send(.get, "/workers/tasks/stats").json
                            if finished["by_state"]?["completed"]?.intValue == Int64(count) { break }
                        }
                        return done
                    }
                }
                var all: [String] = []
                for try await done in group { all += done }
                return all
            }
            #expect(completed.count == count, "every task completed once, none twice")
            #expect(Set(completed).count == count)
            let stats = try await api.send(.get, "/workers/tasks/stats").json
            #expect(stats["by_state"]?["completed"] == .int(Int64(count)))
            // Each instance goes on after its task's report commits, as the engine gets to it: the
            // last few may still be finishing.
            let deadline = ContinuousClock.now + .seconds(30)
            var finished = 0
            while ContinuousClock.now < deadline {
                let instances = try await api.send(.get, "/instances?state=completed&limit=1000").json
                finished = instances["items"]?.arrayValue?.count ?? 0
                if finished >= count { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(finished == count, "every instance went on once its task completed")
        }
    }

    @Test func aDeadWorkersLeaseIsReclaimedAndItsLateReportRefused() async throws {
        // Long enough that the live worker's own lease outlasts a loaded machine between its poll
        // and its complete.
        try await APIHarness().run(engine: Self.reaper(staleAfter: .milliseconds(1500))) { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "work", "handler": "crunch"}]"#)
            let instance = try await api.createInstance(sequence)
            let dead = WorkerClient(api: api, id: "dead")
            let first = try await dead.pollOne("crunch")
            // No heartbeat: the reaper hands the task back.
            let reclaimed = try await api.waitForTask(of: instance) { $0["state"] == "pending" }
            #expect(reclaimed["worker_id"] == .null)

            let alive = WorkerClient(api: api, id: "alive")
            let second = try await alive.pollOne("crunch")
            #expect(second["id"] == first["id"])
            #expect(second["claim_epoch"] == 2)
            #expect(try await alive.complete(second, output: #"{"ok": true}"#).status == .ok)

            let late = try await dead.complete(first)
            #expect(late.status == .conflict)
            #expect(late.error == "conflict: worker task lease changed")
            let lateWithoutEpoch = try await dead.complete(first, epoch: false)
            #expect(lateWithoutEpoch.status == .conflict, "without an epoch the worker id still fences")
            try await api.waitFor(instance, "completed")
            #expect(
                try await api.events(first) == [
                    "claimed", "reclaimed", "claimed", "completed", "stale_mutation_rejected",
                    "stale_mutation_rejected",
                ]
            )
        }
    }

    @Test func heartbeatsKeepALongTaskAndCheckpointsAreCompareAndSet() async throws {
        // A lease that goes stale after 3 s, kept for longer than that by heartbeats every 100 ms (a
        // loaded machine has room between two beats).
        try await APIHarness().run(engine: Self.reaper(staleAfter: .milliseconds(3000))) { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "work", "handler": "crunch"}]"#)
            let instance = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w1")
            let task = try await worker.pollOne("crunch")
            let until = ContinuousClock.now + .milliseconds(4500)
            while ContinuousClock.now < until {
                let beat = try await worker.heartbeat(task)
                #expect(beat.status == .ok, "\(beat.text)")
                #expect(beat.json == ["checkpoint_seq": 0])
                try await Task.sleep(for: .milliseconds(100))
            }
            let held = try await api.task(of: instance)
            #expect(held["state"] == "claimed", "4.5 s of heartbeats outlive a 3 s lease")
            #expect(held["worker_id"] == "w1")

            let saved = try await worker.heartbeat(task, extra: #""checkpoint": {"page": 3}, "checkpoint_seq": 0"#)
            #expect(saved.json == ["checkpoint_seq": 1])
            let stale = try await worker.heartbeat(task, extra: #""checkpoint": {"page": 4}, "checkpoint_seq": 0"#)
            #expect(stale.status == .conflict)
            #expect(stale.error == "conflict: worker task ownership or checkpoint sequence changed")
            let unsequenced = try await worker.heartbeat(task, extra: #""checkpoint": {"page": 4}"#)
            #expect(unsequenced.status == .badRequest)
            #expect(try await api.task(of: instance)["resume_checkpoint"] == ["page": 3])
            let stranger = try await WorkerClient(api: api, id: "w2").heartbeat(task)
            #expect(stranger.status == .conflict)

            #expect(try await worker.complete(task).status == .ok)
            try await api.waitFor(instance, "completed")
        }
    }

    @Test func aTaskPastItsTimeoutFailsItsStep() async throws {
        try await APIHarness().run(engine: Self.reaper(staleAfter: .seconds(60))) { api in
            let sequence = try await api.createSequence(
                #"[{"type": "step", "id": "slow", "handler": "nobody_polls", "timeout": 200}]"#
            )
            let instance = try await api.createInstance(sequence)
            // Pending or already timed out: a loaded machine may not look within the 200 ms.
            let task = try await api.waitForTask(of: instance) { $0["id"] != nil }
            #expect(task["timeout_ms"] == 200)
            let failed = try await api.waitFor(instance, "failed")
            #expect(failed["state"] == "failed")
            let timedOut = try await api.task(of: instance)
            #expect(timedOut["state"] == "failed")
            #expect(timedOut["error_message"] == "task timed out (timeout_ms exceeded)")
            #expect(timedOut["error_retryable"] == false)
            #expect(try await api.events(timedOut) == ["timed_out"])
            let error = try await api.outputs(instance).last?["output"]?["message"]?.stringValue
            #expect(error == "block `slow`: task timed out (timeout_ms exceeded)")
            let late = try await WorkerClient(api: api, id: "w1").poll("nobody_polls")
            #expect(late.isEmpty, "a timed-out task is not handed out")
        }
    }

    @Test func aRetryableFailureIsRetriedAfterItsBackoff() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "flaky", "handler": "flaky_api",
                  "retry": {"max_attempts": 3, "initial_backoff": 3000, "max_backoff": 3000}}]
                """
            )
            let instance = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w1")
            let first = try await worker.pollOne("flaky_api")
            #expect(try await worker.fail(first, message: "upstream 503", retryable: true).status == .ok)
            let failedAt = ContinuousClock.now
            // The retry waits for its back-off (3 s, so that a loaded machine still sees it): the
            // instance is parked on a timer meanwhile.
            let parked = try await api.waitFor(instance, "scheduled")
            #expect(parked["next_fire_at"] != .null)
            let second = try await worker.pollOne("flaky_api")
            #expect(ContinuousClock.now - failedAt >= .milliseconds(2900), "requeued after the back-off")
            #expect(second["id"] == first["id"])
            #expect(second["attempt"] == 1)
            #expect(second["claim_epoch"] == 2)
            #expect(try await worker.complete(second, output: #"{"ok": true}"#).status == .ok)
            try await api.waitFor(instance, "completed")
            #expect(try await api.events(second) == ["claimed", "failed", "requeued", "claimed", "completed"])
            let stale = try await worker.complete(first)
            #expect(stale.status == .conflict, "the first attempt's epoch is fenced out")
        }
    }

    @Test func aPermanentFailureFailsTheInstance() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                #"[{"type": "step", "id": "charge", "handler": "charge_card", "retry": {"max_attempts": 5, "initial_backoff": 10, "max_backoff": 100}}]"#
            )
            let instance = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w1")
            let task = try await worker.pollOne("charge_card")
            #expect(try await worker.fail(task, message: "card declined", retryable: false).status == .ok)
            try await api.waitFor(instance, "failed")
            let error = try await api.outputs(instance).last?["output"]?["message"]?.stringValue
            #expect(error == "block `charge`: card declined")
            let dlq = try await api.send(.get, "/instances/dlq").json.arrayValue ?? []
            #expect(dlq.contains { $0["id"]?.stringValue == instance.wire })
        }
    }

    @Test func aLongPollReturnsAsSoonAsATaskArrives() async throws {
        try await APIHarness().run { api in
            let worker = WorkerClient(api: api, id: "w1")
            let started = ContinuousClock.now
            #expect(try await worker.poll("later", waitMS: 200).isEmpty)
            #expect(ContinuousClock.now - started >= .milliseconds(190), "an empty long-poll waits its wait_ms")

            let sequence = try await api.createSequence(#"[{"type": "step", "id": "work", "handler": "later"}]"#)
            async let polled = worker.poll("later", waitMS: 20_000)
            try await Task.sleep(for: .milliseconds(100))
            let created = ContinuousClock.now
            let instance = try await api.createInstance(sequence)
            let tasks = try await polled
            #expect(tasks.first?["instance_id"]?.stringValue == instance.wire)
            #expect(ContinuousClock.now - created < .seconds(10), "woken by the task, not by the wait running out")
        }
    }

    @Test func cancellingAWaitingInstanceEndsItsTask() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "work", "handler": "crunch"}]"#)
            let instance = try await api.createInstance(sequence)
            let worker = WorkerClient(api: api, id: "w1")
            let task = try await worker.pollOne("crunch")
            let cancel = try await api.send(.post, "/instances/\(instance.wire)/signals", #"{"signal_type": "cancel"}"#)
            #expect(cancel.status == .created)
            try await api.waitFor(instance, "cancelled")
            let ended = try await api.task(of: instance)
            #expect(ended["state"] == "failed")
            #expect(ended["error_message"] == "cancelled: the instance was cancelled")
            #expect(try await worker.complete(task).status == .conflict)
        }
    }

    @Test func pauseAndResumeWhileATaskIsOut() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.chargeThenShape)
            let instance = try await api.createInstance(sequence, data: #"{"amount": 1}"#)
            let worker = WorkerClient(api: api, id: "w1")
            let task = try await worker.pollOne("charge_card")
            _ = try await api.send(.post, "/instances/\(instance.wire)/signals", #"{"signal_type": "pause"}"#)
            try await api.waitFor(instance, "paused")
            #expect(try await worker.complete(task, output: #"{"charge_id": "ch_9"}"#).status == .ok)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await api.send(.get, "/instances/\(instance.wire)").json["state"] == "paused")
            _ = try await api.send(.post, "/instances/\(instance.wire)/signals", #"{"signal_type": "resume"}"#)
            let done = try await api.waitFor(instance, "completed")
            #expect(done["context"]?["data"]?["charge_id"] == "ch_9")
        }
    }

    @Test func tasksAreScopedToTheirTenant() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "work", "handler": "crunch"}]"#)
            let instance = try await api.createInstance(sequence)
            _ = try await api.waitForTask(of: instance) { $0["state"] == "pending" }
            var other = api
            other.tenant = "other"
            #expect(try await WorkerClient(api: other, id: "w9").poll("crunch").isEmpty)
            #expect(try await other.workerTasks().isEmpty)
            let task = try await WorkerClient(api: api, id: "w1").pollOne("crunch")
            let foreign = try await WorkerClient(api: other, id: "w1").complete(task)
            #expect(foreign.status == .notFound)
        }
    }

    @Test func badWorkerRequestsAre4xxWithTheField() async throws {
        try await APIHarness().run { api in
            let cases: [(String, String, Int, String)] = [
                (
                    "/workers/tasks/poll", #"{"handler_name": "h", "worker_id": "w", "limit": 0}"#, 400,
                    "invalid argument: limit must be between 1 and 1000, got 0"
                ),
                (
                    "/workers/tasks/poll", #"{"handler_name": "h", "worker_id": "w", "limit": 1001}"#, 400,
                    "invalid argument: limit must be between 1 and 1000, got 1001"
                ),
                (
                    "/workers/tasks/poll", #"{"handler_name": "h", "worker_id": "w", "wait_ms": 40000}"#, 400,
                    "invalid argument: wait_ms must be between 0 and 30000, got 40000"
                ),
                (
                    "/workers/tasks/poll", #"{"handler_name": "", "worker_id": "w"}"#, 400,
                    "invalid argument: handler_name must not be empty"
                ),
                (
                    "/workers/tasks/poll/queue", #"{"handler_name": "h", "worker_id": "w"}"#, 400,
                    "invalid argument: queue_name is required to poll a queue"
                ),
                (
                    "/workers/tasks/0192f5a4-0000-7000-8000-00000000a001/complete", #"{"worker_id": "w"}"#, 404,
                    "not found: worker task 0192f5a4-0000-7000-8000-00000000a001"
                ),
                (
                    "/workers/tasks/nope/complete", #"{"worker_id": "w"}"#, 400,
                    "invalid argument: invalid UUID in path: 'nope'"
                ),
            ]
            for (path, body, status, error) in cases {
                let reply = try await api.send(.post, path, body)
                #expect(reply.status.code == status, "\(path) \(body): \(reply.text)")
                #expect(reply.error == error)
            }
            let missing = try await api.send(.post, "/workers/tasks/poll", #"{"worker_id": "w"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.error?.contains("handler_name") == true, "\(missing.text)")
            let badState = try await api.send(.get, "/workers/tasks?state=done")
            #expect(badState.status == .badRequest)
            #expect(badState.error?.contains("'done'") == true)
        }
    }
}
