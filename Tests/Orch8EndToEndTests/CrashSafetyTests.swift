import Foundation
import Orch8Core
import Testing

/// kill -9 of the real binary in the middle of 200 instances; a restart finishes them all, and no
/// step that completed runs again.
@Suite(.serialized) struct CrashSafetyTests {
    @Test func killNineMidRunLosesNothingAndRepeatsNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-crash-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("orch8.db").path
        let sequenceID = "0192f5a4-0000-7000-8000-0000000c7a54"
        let count = 200

        let first = ServerProcess(databasePath: database)
        try await first.start()
        let (created, _) = try await first.request(
            "POST",
            "/api/v1/sequences",
            body: try JSON.parse(
                """
                {"id": "\(sequenceID)", "tenant_id": "acme", "namespace": "default", "name": "crash", "version": 1,
                 "created_at": "2026-11-25T00:00:00Z", "blocks": [
                   {"type": "step", "id": "r1", "handler": "noop"},
                   {"type": "step", "id": "s1", "handler": "sleep", "params": {"duration_ms": 1000}},
                   {"type": "step", "id": "r2", "handler": "noop"},
                   {"type": "step", "id": "s2", "handler": "sleep", "params": {"duration_ms": 1000}},
                   {"type": "step", "id": "r3", "handler": "noop"}]}
                """
            )
        )
        #expect(created == 201)
        let one: JSON = ["sequence_id": .string(sequenceID), "tenant_id": "acme", "namespace": "default"]
        let (batch, _) = try await first.request(
            "POST",
            "/api/v1/instances/batch",
            body: ["instances": .array(Array(repeating: one, count: count))]
        )
        #expect(batch == 201)

        // The kill must land mid-run: once work has started, and before every instance finished
        // (each sleeps two seconds in all). Waits for the start rather than for a fixed time, which
        // a loaded machine can overrun.
        var instances: [JSON] = []
        let startBy = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < startBy {
            try await Task.sleep(for: .milliseconds(100))
            let (_, before) = try await first.request("GET", "/api/v1/instances?limit=1000")
            instances = before["items"]?.arrayValue ?? []
            if instances.contains(where: { $0["context"]?["runtime"]?["started_at"]?.isNull == false }) { break }
        }
        first.kill9()
        let started = instances.filter { $0["context"]?["runtime"]?["started_at"]?.isNull == false }
        #expect(!started.isEmpty, "the kill happens after work started")
        #expect(instances.count { $0["state"] == "completed" } < count, "and before every instance finished")

        let second = ServerProcess(databasePath: database)
        try await second.start()
        defer { second.stop() }
        let deadline = ContinuousClock.now + .seconds(60)
        var completed = 0
        while ContinuousClock.now < deadline {
            let (_, page) = try await second.request("GET", "/api/v1/instances?state=completed&limit=1000")
            completed = page["items"]?.arrayValue?.count ?? 0
            if completed == count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(completed == count, "every instance completes after the restart")

        let (_, page) = try await second.request("GET", "/api/v1/instances?limit=1000")
        let ids = (page["items"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        #expect(ids.count == count)
        for id in ids {
            let (_, outputs) = try await second.request("GET", "/api/v1/instances/\(id)/outputs")
            let blocks = (outputs.arrayValue ?? []).compactMap { $0["block_id"]?.stringValue }
            #expect(blocks.sorted() == ["r1", "r2", "r3", "s1", "s2"], "instance \(id): \(blocks)")
        }
    }
}
