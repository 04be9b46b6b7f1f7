import Foundation
import Orch8Core
import Testing

/// The worker reaper's settings as `orch8 serve` reads them from the environment.
@Suite struct WorkerSettingsTests {
    @Test func theReaperSettingsComeFromTheEnvironment() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-reaper-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ServerProcess(
            databasePath: directory.appendingPathComponent("orch8.db").path,
            environment: ["ORCH8_WORKER_REAPER_TICK_SECS": "0.1", "ORCH8_WORKER_REAPER_STALE_SECS": "0.5"]
        )
        try await server.start()
        defer { server.stop() }
        let sequence = try await server.createSequence(#"[{"type": "step", "id": "w", "handler": "slowpoke"}]"#)
        let instance = try await server.startInstance(sequence, data: [:])
        var task: JSON = .null
        let pollBy = ContinuousClock.now + .seconds(30)
        while task.isNull && ContinuousClock.now < pollBy {
            let (_, tasks) = try await server.request(
                "POST",
                "/api/v1/workers/tasks/poll",
                body: ["handler_name": "slowpoke", "worker_id": "silent"]
            )
            task = tasks.arrayValue?.first ?? .null
        }
        #expect(task["instance_id"]?.stringValue == instance.uuidString.lowercased())
        // The default would keep a silent worker's lease for 60 s; half a second is configured.
        let reclaimBy = ContinuousClock.now + .seconds(30)
        var state: JSON = .null
        while ContinuousClock.now < reclaimBy {
            let (_, tasks) = try await server.request("GET", "/api/v1/workers/tasks?handler_name=slowpoke")
            state = tasks.arrayValue?.first?["state"] ?? .null
            if state == "pending" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(state == "pending", "the lease of a silent worker was reclaimed")
    }

    @Test func aBadSettingStopsTheServerWithItsName() async throws {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["serve", "--database-url", "sqlite::memory:", "--http-addr", "127.0.0.1:0"]
        process.environment = ProcessInfo.processInfo.environment.merging(["ORCH8_WORKER_REAPER_STALE_SECS": "soon"]) {
            _,
            new in new
        }
        let output = try await process.runCapturing().stderr
        #expect(process.terminationStatus != 0)
        #expect(output.contains("ORCH8_WORKER_REAPER_STALE_SECS"), "\(output)")
    }
}
