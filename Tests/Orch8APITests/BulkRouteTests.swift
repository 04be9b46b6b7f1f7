import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// `PATCH /instances/bulk/state`, `/bulk/reschedule`, `POST /instances/batch-action` and
/// `GET /instances/{id}/logs` (ORCH8-SPEC §1.6).
@Suite struct BulkRouteTests {
    static let napping = #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 600000}}]"#

    /// Starts `count` instances that sleep for ten minutes and waits until they all do.
    func sleepers(_ api: APIClient, _ count: Int, metadata: String = "null") async throws -> [UUID] {
        let sequence = try await api.createSequence(Self.napping)
        var ids: [UUID] = []
        for _ in 0..<count {
            ids.append(try await api.createInstance(sequence, extra: #", "metadata": \#(metadata)"#))
        }
        for id in ids {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let instance = try await api.send(.get, "/instances/\(id.wire)").json
                let due = instance["next_fire_at"]?.stringValue.flatMap(RFC3339.parse)
                if instance["state"] == "scheduled", let due, due > Date().addingTimeInterval(60) { break }
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        return ids
    }

    @Test func bulkStateMovesTheMatchingInstancesTheTableAllows() async throws {
        try await APIHarness().run { api in
            let tagged = try await sleepers(api, 3, metadata: #"{"batch": "a"}"#)
            let other = try await sleepers(api, 2, metadata: #"{"batch": "b"}"#)
            let reply = try await api.send(
                .patch,
                "/instances/bulk/state",
                #"{"filter": {"metadata": {"batch": "a"}, "states": ["scheduled"]}, "state": "paused"}"#
            )
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["count"] == 3)
            for id in tagged { #expect(try await api.send(.get, "/instances/\(id.wire)").json["state"] == "paused") }
            for id in other { #expect(try await api.send(.get, "/instances/\(id.wire)").json["state"] == "scheduled") }
            // paused → completed is not in the table: nothing moves.
            let refused = try await api.send(
                .patch,
                "/instances/bulk/state",
                #"{"filter": {"states": ["paused"]}, "state": "completed"}"#
            )
            #expect(refused.json["count"] == 0)
            let bad = try await api.send(.patch, "/instances/bulk/state", #"{"filter": {}, "state": "sideways"}"#)
            #expect(bad.status.code / 100 == 4)
        }
    }

    @Test func bulkRescheduleShiftsDueTimes() async throws {
        try await APIHarness().run { api in
            let ids = try await sleepers(api, 2)
            let before = try await api.send(.get, "/instances/\(ids[0].wire)").json["next_fire_at"]?.stringValue
                .flatMap(RFC3339.parse)
            let reply = try await api.send(
                .patch,
                "/instances/bulk/reschedule",
                #"{"filter": {"tenant_id": "acme"}, "offset_secs": 3600}"#
            )
            #expect(reply.json["count"] == 2, "\(reply.text)")
            let after = try await api.send(.get, "/instances/\(ids[0].wire)").json["next_fire_at"]?.stringValue
                .flatMap(RFC3339.parse)
            let shift = try #require(after).timeIntervalSince(try #require(before))
            #expect(abs(shift - 3600) < 1)
        }
    }

    @Test func batchActionsCountWhatTheyDidAndDryRunsChangeNothing() async throws {
        try await APIHarness().run { api in
            let ids = try await sleepers(api, 3)
            let dry = try await api.send(
                .post,
                "/instances/batch-action",
                #"{"filter": {"tenant_id": "acme"}, "action": "cancel", "dry_run": true}"#
            )
            #expect(dry.json == ["matched": 3, "applied": 0, "skipped": 0, "failed": 0, "dry_run": true])
            let cancel = try await api.send(
                .post,
                "/instances/batch-action",
                #"{"filter": {"tenant_id": "acme"}, "action": "cancel", "limit": 2}"#
            )
            #expect(cancel.json["matched"] == 2)
            #expect(cancel.json["applied"] == 2)
            let deadline = ContinuousClock.now + .seconds(10)
            var cancelled: [JSON] = []
            while cancelled.count < 2 && ContinuousClock.now < deadline {
                cancelled = try await api.send(.get, "/instances?state=cancelled").json["items"]?.arrayValue ?? []
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(cancelled.count == 2)
            let cancelledIDs = Set(cancelled.compactMap { $0["id"]?.stringValue })
            #expect(cancelledIDs.isSubset(of: Set(ids.map(\.wire))))
            let retry = try await api.send(
                .post,
                "/instances/batch-action",
                #"{"filter": {"tenant_id": "acme", "states": ["cancelled"]}, "action": "retry"}"#
            )
            #expect(retry.json["skipped"] == 2)
            let noTenant = try await api.send(.post, "/instances/batch-action", #"{"filter": {}, "action": "pause"}"#)
            #expect(noTenant.status == .badRequest)
            #expect(noTenant.error == "invalid argument: filter.tenant_id is required")
            let noType = try await api.send(
                .post,
                "/instances/batch-action",
                #"{"filter": {"tenant_id": "acme"}, "action": "signal"}"#
            )
            #expect(noType.error == "invalid argument: signal_type is required when action is signal")
        }
    }

    @Test func logsListLogStepsRetriesAndFailures() async throws {
        try await APIHarness().run(extraHandlers: ["flaky": FailsTwice()]) { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "hello", "handler": "log", "params": {"message": "hi", "level": "warn"}},
                 {"type": "step", "id": "shaky", "handler": "flaky", "retry": {"max_attempts": 3, "initial_backoff": 1, "max_backoff": 1}},
                 {"type": "step", "id": "bad", "handler": "fail", "params": {"message": "nope"}}]
                """
            )
            let id = try await api.createInstance(sequence)
            try await api.waitFor(id, "failed")
            let logs = try await api.send(.get, "/instances/\(id.wire)/logs").json.arrayValue ?? []
            #expect(logs.compactMap { $0["block_id"] } == ["hello", "shaky", "shaky", "bad"])
            #expect(logs.compactMap { $0["level"] } == ["warn", "warn", "warn", "error"])
            #expect(logs[0]["message"] == "hi")
            #expect(logs[3]["message"] == "block `bad`: nope")
            #expect(logs.allSatisfy { $0["ts"]?.stringValue.flatMap(RFC3339.parse) != nil })
        }
    }
}
