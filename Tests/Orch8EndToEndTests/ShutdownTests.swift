import Foundation
import Orch8Core
import Testing

/// SIGTERM drains the engine: the process exits cleanly and a sleeping instance is still there,
/// resumed by the next start.
@Suite struct ShutdownTests {
    @Test func sigtermExitsCleanlyAndWorkResumesOnRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("orch8.db").path
        let sequenceID = "0192f5a4-0000-7000-8000-00000000de01"

        let first = ServerProcess(databasePath: database)
        try await first.start()
        let (created, _) = try await first.request(
            "POST",
            "/api/v1/sequences",
            body: try JSON.parse(
                """
                {"id": "\(sequenceID)", "tenant_id": "acme", "namespace": "default", "name": "term", "version": 1,
                 "created_at": "2026-11-25T00:00:00Z", "blocks": [
                   {"type": "step", "id": "before", "handler": "noop"},
                   {"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 1500}},
                   {"type": "step", "id": "after", "handler": "noop"}]}
                """
            )
        )
        #expect(created == 201)
        let (status, body) = try await first.request(
            "POST",
            "/api/v1/instances",
            body: ["sequence_id": .string(sequenceID), "tenant_id": "acme", "namespace": "default"]
        )
        #expect(status == 201)
        let id = try #require(body["id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(300))

        let exitStatus = first.stop()
        #expect(exitStatus == 0, "SIGTERM is a clean shutdown")

        let second = ServerProcess(databasePath: database)
        try await second.start()
        defer { _ = second.stop() }
        let deadline = ContinuousClock.now + .seconds(30)
        var state = ""
        while ContinuousClock.now < deadline {
            state = try await second.request("GET", "/api/v1/instances/\(id)").1["state"]?.stringValue ?? ""
            if state == "completed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == "completed")
        let (_, outputs) = try await second.request("GET", "/api/v1/instances/\(id)/outputs")
        #expect((outputs.arrayValue ?? []).compactMap { $0["block_id"]?.stringValue } == ["before", "nap", "after"])
    }
}
