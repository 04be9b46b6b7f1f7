import Foundation
import HTTPTypes
import Orch8Core
import Orch8Engine
import Testing

/// The `/cron` routes (ORCH8-SPEC §1.10) and the engine's cron loop (§7.9) firing real schedules.
@Suite struct CronRouteTests {
    /// A step no built-in handler serves: its instance waits for a worker, active as long as a test
    /// needs.
    private static let waitsForAWorker = #"[{"type": "step", "id": "work", "handler": "cron_test_worker"}]"#
    private static let quick = #"[{"type": "step", "id": "a", "handler": "noop"}]"#

    /// Fires every 50 ms instead of every 10 s.
    private static func fastCron(_ configuration: inout EngineConfiguration) {
        configuration.cronTickInterval = .milliseconds(50)
    }

    private static func body(_ sequence: UUID, _ extra: String = "", expression: String = "0 9 * * MON-FRI") -> String {
        """
        {"tenant_id": "acme", "namespace": "default", "sequence_id": "\(sequence.wire)",
         "cron_expr": "\(expression)"\(extra)}
        """
    }

    /// `POST /cron`; returns the new id.
    private static func create(_ api: APIClient, _ body: String) async throws -> UUID {
        let reply = try await api.send(.post, "/cron", body)
        #expect(reply.status == .created, "\(reply.text)")
        return try #require(UUID(uuidString: reply.json["id"]?.stringValue ?? ""))
    }

    /// The instances a schedule started, newest first (by their UUIDv7 ids: the listing's order is
    /// by last update).
    private static func instances(_ api: APIClient, of schedule: UUID) async throws -> [JSON] {
        let reply = try await api.send(.get, "/instances?metadata.cron_schedule_id=\(schedule.wire)")
        let items = reply.json["items"]?.arrayValue ?? []
        return items.sorted { ($0["id"]?.stringValue ?? "") > ($1["id"]?.stringValue ?? "") }
    }

    /// Polls until `condition` holds (20 s at most).
    private static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func schedulesAreCreatedReadChangedPreviewedAndDeleted() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.quick)
            let reply = try await api.send(
                .post,
                "/cron",
                Self.body(sequence, #", "timezone": "Europe/Berlin", "metadata": {"team": "ops"}"#)
            )
            #expect(reply.status == .created, "\(reply.text)")
            let id = try #require(UUID(uuidString: reply.json["id"]?.stringValue ?? ""))
            let next = try #require(RFC3339.parse(reply.json["next_fire_at"]?.stringValue ?? ""))
            #expect(next > Date())

            let schedule = try await api.send(.get, "/cron/\(id.wire)").json
            #expect(schedule["tenant_id"] == "acme")
            #expect(schedule["namespace"] == "default")
            #expect(schedule["sequence_id"] == .string(sequence.wire))
            #expect(schedule["cron_expr"] == "0 9 * * MON-FRI")
            #expect(schedule["timezone"] == "Europe/Berlin")
            #expect(schedule["enabled"] == true)
            #expect(schedule["metadata"] == ["team": "ops"])
            #expect(schedule["overlap_policy"] == "allow")
            #expect(schedule["skipped_fires"] == 0)
            #expect(schedule["last_skipped_at"] == .null)
            #expect(schedule["last_triggered_at"] == .null)
            #expect(schedule["next_fire_at"] == reply.json["next_fire_at"])
            #expect(schedule["created_at"]?.stringValue != nil)
            #expect(schedule["updated_at"]?.stringValue != nil)
            #expect(try await api.send(.get, "/cron").json.arrayValue?.map { $0["id"] } == [.string(id.wire)])

            // Previews: 09:00 Berlin on weekdays only.
            let fires = try await api.send(.get, "/cron/\(id.wire)/next-fires?n=7").json.arrayValue ?? []
            #expect(fires.count == 7)
            let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = berlin
            for fire in fires {
                let date = try #require(RFC3339.parse(fire.stringValue ?? ""))
                let parts = calendar.dateComponents([.hour, .minute, .weekday], from: date)
                #expect(parts.hour == 9 && parts.minute == 0)
                #expect(parts.weekday.map { (2...6).contains($0) } == true, "\(fire) is not a weekday")
            }
            #expect(fires.first == reply.json["next_fire_at"])
            #expect(try await api.send(.get, "/cron/\(id.wire)/next-fires").json.arrayValue?.count == 5)
            #expect(try await api.send(.get, "/cron/\(id.wire)/next-fires?n=500").json.arrayValue?.count == 50)
            #expect(try await api.send(.get, "/cron/\(id.wire)/next-fires?n=x").status == .badRequest)

            // A partial change: what is not sent stays.
            let changed = try await api.send(
                .put,
                "/cron/\(id.wire)",
                #"{"cron_expr": "*/5 * * * *", "timezone": "UTC", "overlap_policy": "skip", "enabled": false}"#
            )
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.json["cron_expr"] == "*/5 * * * *")
            #expect(changed.json["enabled"] == false)
            #expect(changed.json["overlap_policy"] == "skip")
            #expect(changed.json["metadata"] == ["team": "ops"])
            let stored = try await api.send(.get, "/cron/\(id.wire)").json
            #expect(stored == changed.json)
            let nextFire = try #require(RFC3339.parse(stored["next_fire_at"]?.stringValue ?? ""))
            #expect(Calendar(identifier: .gregorian).component(.minute, from: nextFire) % 5 == 0)
            #expect(try await api.send(.put, "/cron/\(id.wire)", #"{"metadata": null}"#).json["metadata"] == .null)

            #expect(try await api.send(.delete, "/cron/\(id.wire)").status == .noContent)
            #expect(try await api.send(.get, "/cron/\(id.wire)").status == .notFound)
            #expect(try await api.send(.delete, "/cron/\(id.wire)").status == .notFound)
            #expect(try await api.send(.get, "/cron/not-a-uuid").status == .badRequest)
        }
    }

    @Test func badValuesAreRefusedNamingTheProblem() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.quick)
            let cases: [(String, String)] = [
                (
                    Self.body(sequence, expression: "61 * * * *"),
                    "invalid argument: invalid cron expression: minute field '61': 61 is out of range 0-59"
                ),
                (
                    Self.body(sequence, expression: "* * *"),
                    "invalid argument: invalid cron expression: expected 5 fields"
                ),
                (
                    Self.body(sequence, expression: "0 0 30 2 *"),
                    "invalid argument: invalid cron expression: '0 0 30 2 *' matches no time after"
                ),
                (
                    Self.body(sequence, #", "timezone": "Mars/Olympus_Mons""#),
                    "invalid argument: invalid `timezone` 'Mars/Olympus_Mons': not an IANA time zone name"
                ),
                (Self.body(sequence, #", "metadata": [1]"#), "invalid argument: `metadata` must be an object or null"),
                (
                    Self.body(sequence).replacingOccurrences(of: "\"default\"", with: "\"  \""),
                    "invalid argument: `namespace` must not be empty"
                ),
            ]
            for (body, message) in cases {
                let reply = try await api.send(.post, "/cron", body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.error?.hasPrefix(message) == true, "\(reply.text)")
            }
            let missing = try await api.send(.post, "/cron", Self.body(UUID()))
            #expect(missing.status == .notFound)
            #expect(missing.error?.hasPrefix("not found: sequence ") == true, "\(missing.text)")
            let policy = try await api.send(.post, "/cron", Self.body(sequence, #", "overlap_policy": "never""#))
            #expect(policy.status == .unprocessableContent, "\(policy.text)")
            #expect(try await api.send(.post, "/cron", #"{"namespace": "default"}"#).status == .unprocessableContent)

            let id = try await Self.create(api, Self.body(sequence))
            let bad = try await api.send(.put, "/cron/\(id.wire)", #"{"cron_expr": "0 0 * * 9"}"#)
            #expect(bad.status == .badRequest)
            #expect(
                bad.error == "invalid argument: invalid cron expression: day-of-week field '9': 9 is out of range 0-7"
            )
            #expect(try await api.send(.put, "/cron/\(id.wire)", #"{"timezone": "Nowhere"}"#).status == .badRequest)
            #expect(try await api.send(.get, "/cron/\(id.wire)").json["cron_expr"] == "0 9 * * MON-FRI")
        }
    }

    @Test func tenantsSeeOnlyTheirOwnSchedules() async throws {
        try await APIHarness().run { api in
            var globex = api
            globex.tenant = "globex"
            let theirs = UUID()
            let theirSequence = APIClient.sequenceJSON(id: theirs, name: "theirs", blocks: Self.quick)
                .replacingOccurrences(of: "\"acme\"", with: "\"globex\"")
            #expect(try await globex.send(.post, "/sequences", theirSequence).status == .created)

            let foreign = try await api.send(.post, "/cron", Self.body(theirs))
            #expect(foreign.status == .forbidden)
            #expect(foreign.error == "forbidden: sequence \(theirs.wire) belongs to another tenant")
            let mismatch = try await globex.send(.post, "/cron", Self.body(theirs))
            #expect(mismatch.status == .forbidden, "the body names acme, the header globex")

            let sequence = try await api.createSequence(Self.quick)
            let id = try await Self.create(api, Self.body(sequence))
            for (method, path) in [
                (HTTPRequest.Method.get, "/cron/\(id.wire)"), (.get, "/cron/\(id.wire)/next-fires"),
                (.put, "/cron/\(id.wire)"), (.delete, "/cron/\(id.wire)"),
            ] {
                let reply = try await globex.send(method, path, method == .put ? #"{"enabled": false}"# : nil)
                #expect(reply.status == .notFound, "\(method) \(path)")
                #expect(reply.error == "not found: cron schedule \(id.wire)")
            }
            #expect(try await globex.send(.get, "/cron?tenant_id=acme").json == [])
            #expect(try await api.send(.get, "/cron").json.arrayValue?.count == 1)
            #expect(try await api.send(.get, "/cron/\(id.wire)").json["enabled"] == true)
        }
    }

    @Test func theEngineFiresSchedulesIntoInstancesStampedWithTheirID() async throws {
        try await APIHarness().run(engine: Self.fastCron) { api in
            let sequence = try await api.createSequence(Self.quick)
            let id = try await Self.create(
                api,
                Self.body(sequence, #", "metadata": {"team": "ops"}"#, expression: "* * * * * *")
            )
            try await Self.eventually("two fires") { try await Self.instances(api, of: id).count >= 2 }
            _ = try await api.send(.put, "/cron/\(id.wire)", #"{"enabled": false}"#)
            let started = try await Self.instances(api, of: id)
            #expect(started.count >= 2)
            for instance in started {
                #expect(instance["metadata"] == ["team": "ops", "cron_schedule_id": .string(id.wire)])
                #expect(instance["sequence_id"] == .string(sequence.wire))
                let instanceID = try #require(UUID(uuidString: instance["id"]?.stringValue ?? ""))
                try await api.waitFor(instanceID, "completed")
            }
            let schedule = try await api.send(.get, "/cron/\(id.wire)").json
            #expect(schedule["last_triggered_at"]?.stringValue != nil)
            #expect(schedule["skipped_fires"] == 0)
        }
    }

    @Test func skipCountsFiresWhileTheLastInstanceIsActive() async throws {
        try await APIHarness().run(engine: Self.fastCron) { api in
            let sequence = try await api.createSequence(Self.waitsForAWorker)
            let id = try await Self.create(
                api,
                Self.body(sequence, #", "overlap_policy": "skip""#, expression: "* * * * * *")
            )
            try await Self.eventually("a skipped fire") {
                try await api.send(.get, "/cron/\(id.wire)").json["skipped_fires"]?.intValue ?? 0 >= 2
            }
            _ = try await api.send(.put, "/cron/\(id.wire)", #"{"enabled": false}"#)
            let started = try await Self.instances(api, of: id)
            #expect(started.count == 1, "one instance, still waiting for its worker")
            #expect(started.first?["state"] == "waiting")
            let schedule = try await api.send(.get, "/cron/\(id.wire)").json
            #expect(schedule["last_skipped_at"]?.stringValue != nil)
            let skipped = Double(schedule["skipped_fires"]?.intValue ?? 0)
            let scrape = try await api.metrics { ($0["orch8_cron_skipped_total"] ?? 0) >= skipped }
            #expect(scrape.values["orch8_cron_triggered_total"] == 1)
            #expect((scrape.values["orch8_cron_skipped_total"] ?? 0) >= skipped)
        }
    }

    @Test func cancelPreviousCancelsTheActiveInstance() async throws {
        try await APIHarness().run(engine: Self.fastCron) { api in
            let sequence = try await api.createSequence(Self.waitsForAWorker)
            let id = try await Self.create(
                api,
                Self.body(sequence, #", "overlap_policy": "cancel_previous""#, expression: "* * * * * *")
            )
            try await Self.eventually("a second fire") { try await Self.instances(api, of: id).count >= 2 }
            _ = try await api.send(.put, "/cron/\(id.wire)", #"{"enabled": false}"#)
            let started = try await Self.instances(api, of: id)
            // Newest first: every instance but the newest was replaced by a later fire.
            for instance in started.dropFirst() {
                let instanceID = try #require(UUID(uuidString: instance["id"]?.stringValue ?? ""))
                try await api.waitFor(instanceID, "cancelled")
            }
            let newest = try #require(UUID(uuidString: started.first?["id"]?.stringValue ?? ""))
            try await api.waitFor(newest, "waiting")
        }
    }
}
