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
        #expect(try await second.completedCount(reaching: count) == count, "every instance completes after the restart")

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

/// kill -9 while instances are inside a parallel inside a for_each; after the restart every
/// instance completes and every completed step ran once per iteration.
@Suite(.serialized) struct CompositeCrashSafetyTests {
    @Test func killNineInsideAParallelInsideAForEach() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-crash-tree-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("orch8.db").path
        let sequenceID = "0192f5a4-0000-7000-8000-0000000c7a55"
        let count = 30
        let items = 4

        let first = ServerProcess(databasePath: database)
        try await first.start()
        let (created, reply) = try await first.request(
            "POST",
            "/api/v1/sequences",
            body: try JSON.parse(
                """
                {"id": "\(sequenceID)", "tenant_id": "acme", "namespace": "default", "name": "crash-tree", "version": 1,
                 "created_at": "2026-11-25T00:00:00Z", "blocks": [
                   {"type": "for_each", "id": "each", "collection": "items", "body": [
                     {"type": "parallel", "id": "fan", "branches": [
                       [{"type": "step", "id": "a1", "handler": "noop"},
                        {"type": "step", "id": "a_nap", "handler": "sleep", "params": {"duration_ms": 600}},
                        {"type": "step", "id": "a2", "handler": "noop"}],
                       [{"type": "step", "id": "b1", "handler": "noop"},
                        {"type": "step", "id": "b_nap", "handler": "sleep", "params": {"duration_ms": 400}},
                        {"type": "step", "id": "b2", "handler": "noop"}]]}]},
                   {"type": "step", "id": "done", "handler": "noop"}]}
                """
            )
        )
        #expect(created == 201, "\(reply)")
        let one: JSON = [
            "sequence_id": .string(sequenceID), "tenant_id": "acme", "namespace": "default",
            "context": ["data": ["items": .array((0..<items).map { .int(Int64($0)) })]],
        ]
        let (batch, _) = try await first.request(
            "POST",
            "/api/v1/instances/batch",
            body: ["instances": .array(Array(repeating: one, count: count))]
        )
        #expect(batch == 201)

        // Kill once some instance is inside its second iteration and before all completed.
        var instances: [JSON] = []
        let startBy = ContinuousClock.now + .seconds(30)
        var midway = false
        while ContinuousClock.now < startBy && !midway {
            try await Task.sleep(for: .milliseconds(50))
            let (_, page) = try await first.request("GET", "/api/v1/instances?limit=1000")
            instances = page["items"]?.arrayValue ?? []
            for instance in instances where instance["state"] != "completed" {
                if instance["context"]?["data"]?["item"] == 1 { midway = true }
            }
        }
        first.kill9()
        #expect(midway, "the kill happens inside the for_each")
        #expect(instances.count { $0["state"] == "completed" } < count)

        let second = ServerProcess(databasePath: database)
        try await second.start()
        defer { second.stop() }
        #expect(try await second.completedCount(reaching: count) == count, "every instance completes after the restart")

        let (_, page) = try await second.request("GET", "/api/v1/instances?limit=1000")
        for id in (page["items"]?.arrayValue ?? []).compactMap({ $0["id"]?.stringValue }) {
            let (_, outputs) = try await second.request("GET", "/api/v1/instances/\(id)/outputs")
            let rows = outputs.arrayValue ?? []
            var perBlock: [String: Int] = [:]
            for row in rows { perBlock[row["block_id"]?.stringValue ?? "", default: 0] += 1 }
            #expect(
                perBlock == [
                    "each": items, "a1": items, "a_nap": items, "a2": items, "b1": items, "b_nap": items,
                    "b2": items, "done": 1,
                ],
                "instance \(id)"
            )
            let indexes = rows.filter { $0["block_id"] == "each" }.compactMap { $0["output"]?["_index"] }
            #expect(indexes == (0..<items).map { .int(Int64($0)) }, "instance \(id)")
        }
    }
}

extension ServerProcess {
    /// How many instances are completed once `count` are, or after a minute.
    func completedCount(reaching count: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        var completed = 0
        while ContinuousClock.now < deadline {
            let (_, page) = try await request("GET", "/api/v1/instances?state=completed&limit=1000")
            completed = page["items"]?.arrayValue?.count ?? 0
            if completed == count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return completed
    }
}
