import Foundation
import Orch8Core
import Testing

/// The official Python SDK's worker (`orch8-io-sdk` from PyPI) against the real binary: it polls,
/// heartbeats, completes and fails tasks in the wire format it was written for.
@Suite struct PythonSDKTests {
    static let sdkVersion = "0.2.0"

    /// A directory with the SDK importable from it, installed from PyPI on first use. The SDK is
    /// the point of the test: a failed install fails the test rather than skipping it.
    static func sdkPath() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-python-sdk").path
        if try await python(["-c", "import orch8"], path: directory).status == 0 { return directory }
        let install = try await python(
            [
                "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", directory,
                "orch8-io-sdk==\(sdkVersion)",
            ],
            path: directory
        )
        guard install.status == 0 else { throw ServerError("pip install orch8-io-sdk failed: \(install.output)") }
        return directory
    }

    /// Runs python3 with `directory` first on its path; its exit status and its standard error
    /// followed by its standard output.
    static func python(_ arguments: [String], path directory: String) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = directory
        process.environment = environment
        let (stdout, stderr) = try await process.runCapturing()
        // Standard output last: callers read its last line.
        return (process.terminationStatus, stderr + stdout)
    }

    /// The worker: `enrich` doubles `params.n` (slowly for n = 0, so that a heartbeat goes out),
    /// `reject` always raises. It stops once it has reported `expected` tasks, then prints what
    /// the SDK's listing calls return.
    static let script = """
        import asyncio, json, sys
        from orch8 import Orch8Client, Orch8Worker

        async def main(base, expected):
            client = Orch8Client(base, tenant_id="acme")
            reported = []

            async def enrich(task):
                if task.params["n"] == 0:
                    await asyncio.sleep(0.5)
                return {"score": task.params["n"] * 2, "seen_attempt": task.attempt}

            async def reject(task):
                raise RuntimeError("rejected by the SDK worker")

            worker = Orch8Worker(
                client, "sdk-worker", {"enrich": enrich, "reject": reject},
                poll_interval=0.05, heartbeat_interval=0.1, max_concurrent=8,
                on_task_complete=lambda task, output: reported.append(task.id),
                on_task_fail=lambda task, error: reported.append(task.id))
            runner = asyncio.create_task(worker.start())
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 90
            while len(reported) < expected and loop.time() < deadline:
                await asyncio.sleep(0.05)
            await worker.stop(timeout=5)
            runner.cancel()
            completed = await client.list_worker_tasks(state="completed", limit=1000)
            stats = await client.get_worker_task_stats()
            print(json.dumps({"reported": len(reported), "listed": len(completed), "stats": stats}))
            await client.close()

        asyncio.run(main(sys.argv[1], int(sys.argv[2])))
        """

    @Test func theSDKWorkerClaimsAndCompletesOurTasks() async throws {
        let sdk = try await Self.sdkPath()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ServerProcess(databasePath: directory.appendingPathComponent("orch8.db").path)
        try await server.start()
        defer { server.stop() }

        let sequence = try await server.createSequence(
            """
            [{"type": "step", "id": "enrich", "handler": "enrich", "params": {"n": "{{context.data.n}}"},
              "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}},
             {"type": "step", "id": "after", "handler": "transform", "params": {"score": "{{outputs.enrich.score}}"}}]
            """
        )
        let rejecting = try await server.createSequence(#"[{"type": "step", "id": "r", "handler": "reject"}]"#)
        let count = 20
        var instances: [UUID] = []
        for n in 0..<count { instances.append(try await server.startInstance(sequence, data: ["n": .int(Int64(n))])) }
        let rejected = try await server.startInstance(rejecting, data: [:])

        let script = directory.appendingPathComponent("worker.py").path
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let run = try await Self.python([script, server.baseURL + "/api/v1", "\(count + 1)"], path: sdk)
        #expect(run.status == 0, "\(run.output)")
        let summary = try JSON.parse(run.output.split(separator: "\n").last.map(String.init) ?? "")
        #expect(summary["reported"] == .int(Int64(count + 1)))
        #expect(summary["listed"] == .int(Int64(count)), "the SDK parses our task listing")
        #expect(summary["stats"]?["by_state"]?["completed"] == .int(Int64(count)))
        #expect(summary["stats"]?["by_state"]?["failed"] == 1)

        for (n, id) in instances.enumerated() {
            let instance = try await server.waitFor(id, "completed")
            #expect(instance["context"]?["data"]?["score"] == .int(Int64(n * 2)), "the worker's output merged")
            let (_, outputs) = try await server.request(
                "GET",
                "/api/v1/instances/\(id.uuidString.lowercased())/outputs"
            )
            let after = outputs.arrayValue?.first { $0["block_id"] == "after" }
            #expect(after?["output"] == ["score": .int(Int64(n * 2))])
        }
        let failed = try await server.waitFor(rejected, "failed")
        #expect(failed["state"] == "failed")
        let (_, outputs) = try await server.request(
            "GET",
            "/api/v1/instances/\(rejected.uuidString.lowercased())/outputs"
        )
        #expect(outputs.arrayValue?.last?["output"]?["message"] == "block `r`: rejected by the SDK worker")
        let (_, workers) = try await server.request("GET", "/api/v1/workers")
        #expect(workers.arrayValue?.first?["worker_id"] == "sdk-worker")
        #expect(workers.arrayValue?.first?["handlers"] == ["enrich", "reject"])
    }
}

extension ServerProcess {
    /// `POST /api/v1/sequences` with these blocks; the new sequence's id.
    func createSequence(_ blocks: String) async throws -> UUID {
        let id = UUID()
        let body = try JSON.parse(
            """
            {"id": "\(id.uuidString.lowercased())", "tenant_id": "acme", "namespace": "default",
             "name": "sdk-\(id.uuidString.prefix(8))", "version": 1, "created_at": "2026-11-25T00:00:00Z",
             "blocks": \(blocks)}
            """
        )
        let (status, reply) = try await request("POST", "/api/v1/sequences", body: body)
        guard status == 201 else { throw ServerError("sequence refused: \(status) \(reply)") }
        return id
    }

    /// `POST /api/v1/instances`; the new instance's id.
    func startInstance(_ sequence: UUID, data: [String: JSON]) async throws -> UUID {
        let body: JSON = [
            "sequence_id": .string(sequence.uuidString.lowercased()), "tenant_id": "acme", "namespace": "default",
            "context": ["data": .object(data)],
        ]
        let (status, reply) = try await request("POST", "/api/v1/instances", body: body)
        guard status == 201, let id = reply["id"]?.stringValue.flatMap(UUID.init(uuidString:)) else {
            throw ServerError("instance refused: \(status) \(reply)")
        }
        return id
    }

    /// Polls the instance until it is in `state` (30 s at most); returns it.
    func waitFor(_ id: UUID, _ state: String) async throws -> JSON {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let (_, instance) = try await request("GET", "/api/v1/instances/\(id.uuidString.lowercased())")
            if instance["state"]?.stringValue == state || ContinuousClock.now > deadline { return instance }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
