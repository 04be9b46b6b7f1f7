import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// Failures, the dead-letter queue and retries through the API (ORCH8-SPEC §1.6, §7.4, §7.5).
@Suite struct RetryAndDeadLetterTests {
    @Test func aFailedInstanceIsInTheDLQAndRetryRerunsOnlyWhatFailed() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "first", "handler": "log", "params": {"message": "once"}},
                 {"type": "step", "id": "gate", "handler": "assert", "params": {"condition": "ok == true"}}]
                """
            )
            let id = try await api.createInstance(sequence, data: #"{"ok": false}"#)
            try await api.waitFor(id, "failed")

            let dlq = try await api.send(.get, "/instances/dlq")
            #expect(dlq.status == .ok)
            #expect(dlq.json.arrayValue?.compactMap { $0["id"]?.stringValue } == [id.wire], "a plain array")
            let failedRows = try await api.outputs(id)
            #expect(failedRows.filter { $0["block_id"] == "first" }.count == 1)
            #expect(failedRows.contains { $0["block_id"] == "gate" && $0["output_ref"] == "__error__" })

            let notFailed = try await api.createInstance(
                try await api.createSequence(#"[{"type": "step", "id": "a", "handler": "noop"}]"#),
                extra: #", "next_fire_at": "2099-01-01T00:00:00Z""#
            )
            let refused = try await api.send(.post, "/instances/\(notFailed.wire)/retry")
            #expect(refused.status == .badRequest)
            #expect(refused.error == "invalid argument: can only retry failed instances, current state: scheduled")

            // Fix the data, retry: the completed step is not run again.
            let patched = try await api.send(
                .patch,
                "/instances/\(id.wire)/context",
                #"{"context": {"data": {"ok": true}}}"#
            )
            #expect(patched.status == .ok)
            let retried = try await api.send(.post, "/instances/\(id.wire)/retry")
            #expect(retried.status == .ok)
            #expect(retried.json == ["id": .string(id.wire), "state": "scheduled"])
            try await api.waitFor(id, "completed")
            let rows = try await api.outputs(id)
            #expect(rows.filter { $0["block_id"] == "first" }.count == 1, "the completed step ran once")
            #expect(rows.last?["block_id"] == "gate")
            #expect(rows.last?["output"]?["passed"] == true)
            #expect(try await api.send(.get, "/instances/dlq").json == [])
            let instance = try await api.send(.get, "/instances/\(id.wire)").json
            #expect(instance["context"]?["runtime"]?["run_id"]?.stringValue != nil)
        }
    }

    @Test func aRetryableFailureRunsMaxAttemptsTimesThenFails() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "flaky", "handler": "fail", "params": {"retryable": true, "message": "flaky"},
                  "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "failed")
            let rows = try await api.outputs(id)
            // Two executions: one retry marker (attempt 0), one final error (attempt 1). No real row hides them.
            #expect(rows.compactMap { $0["attempt"]?.intValue } == [0, 1], "\(rows)")
            #expect(rows.compactMap { $0["output_ref"]?.stringValue } == ["__retry__", "__error__"])
        }
    }

    @Test func retryMarkersAreHiddenOnceTheStepSucceeds() async throws {
        try await APIHarness().run(extraHandlers: ["flaky": FailsTwice()]) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "shaky", "handler": "flaky",
                  "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "completed")
            let rows = try await api.outputs(id)
            #expect(rows.count == 1, "\(rows)")
            #expect(rows.first?["output_ref"] == .null)
            #expect(rows.first?["output"] == ["attempt": 2])
        }
    }
}

/// Fails retryably on attempts 0 and 1, then succeeds.
struct FailsTwice: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        guard invocation.attempt >= 2 else { throw .retryable("not yet") }
        return StepResult(output: ["attempt": .int(Int64(invocation.attempt))])
    }
}
