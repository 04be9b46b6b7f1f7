import Foundation
import Orch8Core
import Testing

@Suite struct WorkerTaskCodingTests {
    static let claimed = """
        {"id": "0190f5a8-7c3e-7a10-8000-000000000040", "instance_id": "0190f5a8-7c3e-7a10-8000-000000000010",
         "block_id": "send", "handler_name": "send_email", "queue_name": "mail", "params": {"to": "a@b.c"},
         "context": {"data": {}, "config": {}, "audit": [],
                     "runtime": {"current_step": null, "attempt": 0, "started_at": null,
                                 "current_step_started_at": null, "resource_key": null, "total_steps_executed": 0,
                                 "dry_run": false, "dry_run_auto_approve": false}},
         "attempt": 1, "timeout_ms": 30000, "state": "claimed", "worker_id": "w-1",
         "claimed_at": "2026-05-05T12:00:00Z", "heartbeat_at": "2026-05-05T12:00:10Z", "claim_epoch": 3,
         "resume_checkpoint": {"page": 2}, "checkpoint_seq": 4, "completed_at": null, "output": null,
         "error_message": null, "error_retryable": null, "created_at": "2026-05-05T11:59:00Z"}
        """

    @Test func claimedTaskRoundTripsExactly() throws {
        let input = try JSON.parse(Self.claimed)
        let task = try JSONValueDecoder().decode(WorkerTask.self, from: input)
        #expect(task.state == .claimed && task.claimEpoch == 3 && task.timeoutMS == 30000)
        #expect(task.resumeCheckpoint == ["page": 2] && task.output == nil)
        #expect(try encode(task) == input)
    }

    @Test func pendingTaskWritesNullsAndOmitsOptionals() throws {
        let task = WorkerTask(
            id: UUID(),
            instanceID: UUID(),
            blockID: "b",
            handlerName: "h",
            createdAt: Date(timeIntervalSince1970: 0)
        )
        let json = try encode(task)
        for key in [
            "timeout_ms", "worker_id", "claimed_at", "heartbeat_at", "completed_at", "output", "error_message",
            "error_retryable",
        ] {
            #expect(json[key] == .null, "\(key) should be null")
        }
        #expect(json["queue_name"] == nil && json["resume_checkpoint"] == nil)
        #expect(json["state"] == "pending" && json["claim_epoch"] == 0 && json["checkpoint_seq"] == 0)
        #expect(try JSONValueDecoder().decode(WorkerTask.self, from: json) == task)
    }
}
