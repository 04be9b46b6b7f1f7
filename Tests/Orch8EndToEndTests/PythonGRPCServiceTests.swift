import Foundation
import Orch8Core
import Testing

/// examples/grpc-python served by hypercorn (from PyPI) over h2c, called by the real binary: the
/// lead-scoring sequence of examples/sequences end to end through the REST API.
@Suite struct PythonGRPCServiceTests {
    static let hypercornVersion = "0.18.0"

    /// A directory with hypercorn importable from it, installed from PyPI on first use.
    static func hypercornPath() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-python-hypercorn").path
        if try await PythonSDKTests.python(["-c", "import hypercorn"], path: directory).status == 0 {
            return directory
        }
        let install = try await PythonSDKTests.python(
            [
                "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", directory,
                "hypercorn==\(hypercornVersion)",
            ],
            path: directory
        )
        guard install.status == 0 else { throw ServerError("pip install hypercorn failed: \(install.output)") }
        return directory
    }

    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
    }

    /// Starts the example service on a free port; waits until it accepts connections.
    static func startService(path: String) async throws -> (Process, Int) {
        for _ in 0..<5 {
            let port = ServerProcess.randomListenPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "hypercorn", "enrichment_service:app", "--bind", "127.0.0.1:\(port)"]
            process.currentDirectoryURL = examples.appendingPathComponent("grpc-python")
            var environment = ProcessInfo.processInfo.environment
            environment["PYTHONPATH"] = path
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline && process.isRunning {
                if Self.accepts(port) { return (process, port) }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.terminate()
        }
        throw ServerError("the example gRPC service did not start")
    }

    static func accepts(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    @Test func theLeadScoringSequenceRunsAgainstThePythonService() async throws {
        let (service, port) = try await Self.startService(path: try await Self.hypercornPath())
        defer { service.terminate() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-grpc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ServerProcess(databasePath: directory.appendingPathComponent("orch8.db").path)
        try await server.start()
        defer { server.stop() }

        let (registered, plugin) = try await server.request(
            "POST",
            "/api/v1/plugins",
            body: [
                "name": "enrichment", "plugin_type": "grpc", "tenant_id": "acme",
                "source": .string("grpc://127.0.0.1:\(port)/Enrichment.LookupCompany"),
            ]
        )
        #expect(registered == 201, "\(plugin)")
        let text = try String(
            contentsOf: Self.examples.appendingPathComponent("sequences/lead-scoring.json"),
            encoding: .utf8
        ).replacingOccurrences(of: "127.0.0.1:8090", with: "127.0.0.1:\(port)")
        let (created, sequence) = try await server.request("POST", "/api/v1/sequences", body: try JSON.parse(text))
        #expect(created == 201, "\(sequence)")
        let sequenceID = try #require(UUID(uuidString: "0192f5a4-0000-7000-8000-00000000ead5"))

        let hot = try await server.startInstance(
            sequenceID,
            data: ["company_domain": "acme.io", "visited_pricing": true]
        )
        let cold = try await server.startInstance(sequenceID, data: ["company_domain": "bakery.example"])
        let unknown = try await server.startInstance(sequenceID, data: ["company_domain": "nobody.example"])
        for (id, score, tier) in [(hot, 100, "hot"), (cold, 30, "cold")] {
            #expect(try await server.waitFor(id, "completed")["state"] == "completed")
            let (_, outputs) = try await server.request(
                "GET",
                "/api/v1/instances/\(id.uuidString.lowercased())/outputs"
            )
            let rows = outputs.arrayValue ?? []
            #expect(rows.first { $0["block_id"] == "enrich" }?["output"]?["company_name"] != nil)
            let result = rows.first { $0["block_id"] == "score" }?["output"]
            #expect(result?["score"] == .int(Int64(score)))
            #expect(result?["tier"] == .string(tier))
        }
        // 404 from the service: a permanent failure, not retried.
        #expect(try await server.waitFor(unknown, "failed")["state"] == "failed")
        let (_, outputs) = try await server.request(
            "GET",
            "/api/v1/instances/\(unknown.uuidString.lowercased())/outputs"
        )
        let rows = outputs.arrayValue ?? []
        #expect(rows.last?["output"]?["message"]?.stringValue?.contains("answered 404") == true)
        #expect(rows.contains { $0["output_ref"] == "__retry__" } == false)
    }
}
