import Foundation
import Orch8Core
import Testing

@Suite struct TaskInstanceCodingTests {
    static let full = """
        {"id": "0190f5a8-7c3e-7a10-8000-000000000010", "sequence_id": "0190f5a8-7c3e-7a10-8000-000000000001",
         "tenant_id": "acme", "namespace": "default", "state": "waiting", "next_fire_at": "2026-05-05T12:00:05Z",
         "priority": "High", "timezone": "Europe/Berlin", "metadata": {"source": "cron"},
         "context": {"data": {"amount": 5}, "config": {"holidays": []},
                     "audit": [{"timestamp": "2026-05-05T12:00:00Z", "event": "created", "details": {"by": "api"}}],
                     "runtime": {"current_step": "charge", "attempt": 2, "started_at": "2026-05-05T12:00:01Z",
                                 "current_step_started_at": "2026-05-05T12:00:02.250Z", "resource_key": "smtp",
                                 "instance_id": "0190f5a8-7c3e-7a10-8000-000000000010", "total_steps_executed": 7,
                                 "run_id": "0190f5a8-7c3e-7a10-8000-000000000099", "dry_run": true,
                                 "dry_run_auto_approve": false}},
         "concurrency_key": "user:1", "max_concurrency": 2, "idempotency_key": "req-1",
         "session_id": "0190f5a8-7c3e-7a10-8000-000000000020",
         "parent_instance_id": "0190f5a8-7c3e-7a10-8000-000000000030",
         "budget": {"max_input_tokens": 100, "max_output_tokens": 50, "max_total_tokens": 150, "max_steps": 10,
                    "max_cost_usd": 1.5},
         "created_at": "2026-05-05T12:00:00Z", "updated_at": "2026-05-05T12:00:03Z"}
        """

    @Test func fullInstanceRoundTripsExactly() throws {
        let input = try JSON.parse(Self.full)
        let instance = try JSONValueDecoder().decode(TaskInstance.self, from: input)
        #expect(try encode(instance) == input)
        #expect(instance.state == .waiting && instance.priority == .high)
        #expect(instance.context.runtime.attempt == 2 && instance.context.runtime.dryRun)
        #expect(instance.context.audit.first?.event == "created")
        #expect(instance.budget?.maxSteps == 10)
        #expect(instance.budget?.additionalFields == ["max_cost_usd": 1.5])
    }

    @Test func nullsAndOmissions() throws {
        let instance = TaskInstance(
            id: UUID(),
            sequenceID: UUID(),
            tenantID: "acme",
            namespace: "default",
            createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0)
        )
        let json = try encode(instance)
        #expect(json["next_fire_at"] == .null)
        #expect(json["metadata"] == .null)
        #expect(json["priority"] == "Normal" && json["timezone"] == "UTC" && json["state"] == "scheduled")
        for key in [
            "concurrency_key", "max_concurrency", "idempotency_key", "session_id", "parent_instance_id", "budget",
        ] {
            #expect(json[key] == nil, "\(key) should be omitted")
        }
        let runtime = try #require(json["context"]?["runtime"])
        for key in ["current_step", "started_at", "current_step_started_at", "resource_key"] {
            #expect(runtime[key] == .null, "\(key) should be null")
        }
        #expect(runtime["instance_id"] == nil && runtime["run_id"] == nil)
        #expect(json["context"]?["data"] == .emptyObject && json["context"]?["audit"] == [])
        #expect(json["id"]?.stringValue == instance.id.uuidString.lowercased())
        #expect(try JSONValueDecoder().decode(TaskInstance.self, from: json) == instance)
    }

    @Test func theContextIsTheSameThroughAnyEncoder() throws {
        let instance = try JSONValueDecoder().decode(TaskInstance.self, from: JSON.parse(Self.full))
        let context = instance.context
        // Foundation's encoder walks `encode(to:)`; ours takes the hand-built value.
        let foundation = try JSON.parse(Array(JSONEncoder().encode(context)))
        #expect(foundation == context.jsonValue)
        #expect(try JSONValueEncoder().encode(context) == context.jsonValue)
        #expect(try JSONValueDecoder().decode(ExecutionContext.self, from: context.jsonValue) == context)
        // Nulls and omissions survive the trip through `encode(to:)` too.
        let empty = ExecutionContext(audit: [AuditEntry(timestamp: Date(timeIntervalSince1970: 0), event: "created")])
        let emptyFoundation = try JSON.parse(Array(JSONEncoder().encode(empty)))
        #expect(emptyFoundation == empty.jsonValue)
        #expect(emptyFoundation["runtime"]?["current_step"] == .null && emptyFoundation["runtime"]?["run_id"] == nil)
        #expect(emptyFoundation["audit"]?[0]?["details"] == .null)
        // A step count past Int64 is written as a double, as every wide integer is.
        var runtime = context.runtime
        runtime.totalStepsExecuted = .max
        #expect(runtime.jsonValue["total_steps_executed"] == .double(Double(UInt64.max)))
    }

    @Test func createRequestDefaults() throws {
        let request = try decode(
            CreateInstanceRequest.self,
            #"{"sequence_id": "0190f5a8-7c3e-7a10-8000-000000000001", "tenant_id": "acme", "namespace": "default"}"#
        )
        #expect(request.priority == .normal)
        #expect(request.timezone == "UTC")
        #expect(request.metadata == .null)
        #expect(request.context == ExecutionContext())
        #expect(request.context.data == .emptyObject && request.context.audit.isEmpty)
        #expect(request.nextFireAt == nil && request.budget == nil)
        #expect(!request.dryRun && !request.dryRunAutoApprove)
        #expect(try JSONValueDecoder().decode(CreateInstanceRequest.self, from: encode(request)) == request)
    }

    @Test func partialContextGetsDefaults() throws {
        let context = try decode(
            ExecutionContext.self,
            #"{"data": {"a": 1}, "audit": [{"timestamp": "2026-05-05T12:00:00Z", "event": "e"}], "#
                + #""runtime": {"attempt": 2, "run_id": null}}"#
        )
        #expect(context.data == ["a": 1] && context.config == .emptyObject)
        #expect(context.audit == [AuditEntry(timestamp: Date(timeIntervalSince1970: 1_777_982_400), event: "e")])
        #expect(context.runtime == RuntimeContext(attempt: 2))
        #expect(try decode(ExecutionContext.self, "{}") == ExecutionContext())
        #expect(try JSONValueDecoder().decode(ExecutionContext.self, from: encode(context)) == context)
    }

    @Test func createRequestFields() throws {
        let request = try decode(
            CreateInstanceRequest.self,
            """
            {"sequence_id": "0190f5a8-7c3e-7a10-8000-000000000001", "tenant_id": "acme", "namespace": "ns",
             "priority": "Critical", "timezone": "Asia/Tokyo", "metadata": {"k": "v"},
             "context": {"data": {"x": 1}}, "next_fire_at": "2026-05-05T12:00:00Z", "concurrency_key": "c",
             "max_concurrency": 3, "idempotency_key": "i", "dry_run": true, "dry_run_auto_approve": true,
             "budget": {"max_steps": 5}, "unknown": 1}
            """
        )
        #expect(request.priority == .critical && request.timezone == "Asia/Tokyo")
        #expect(request.context.data == ["x": 1] && request.context.config == .emptyObject)
        #expect(request.maxConcurrency == 3 && request.dryRun && request.dryRunAutoApprove)
        #expect(request.budget == Budget(maxSteps: 5))
    }

    @Test(arguments: [
        (#"{"tenant_id": "a", "namespace": "n"}"#, "sequence_id: missing field"),
        (#"{"sequence_id": "0190f5a8-7c3e-7a10-8000-000000000001", "namespace": "n"}"#, "tenant_id: missing field"),
        (
            #"{"sequence_id": "0190f5a8-7c3e-7a10-8000-000000000001", "tenant_id": "a", "namespace": "n", "#
                + #""priority": "high"}"#,
            "priority: unknown variant `high`, expected one of `Low`, `Normal`, `High`, `Critical`"
        ),
        (#"{"sequence_id": "nope", "tenant_id": "a", "namespace": "n"}"#, "sequence_id: invalid UUID 'nope'"),
        (
            #"{"sequence_id": "0190f5a8-7c3e-7a10-8000-000000000001", "tenant_id": "  ", "namespace": "n"}"#,
            "tenant_id: must not be empty or whitespace"
        ),
    ])
    func createRequestErrorsNameTheField(body: String, message: String) {
        #expect(decodingFailure(CreateInstanceRequest.self, body) == message)
    }
}
