import Foundation
import Orch8Core
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where `orch8 serve` takes its settings from, through the real binary: `orch8.toml` (or the file
/// `--config` / `ORCH8_CONFIG` names), then `ORCH8_*`, then command-line options.
@Suite struct ConfigurationTests {
    @Test func aConfigFileSetsTheAddressAndTheAPIKey() async throws {
        let scratch = try Scratch()
        let server = try await ConfiguredServer.start(in: scratch) { port in
            let file = try scratch.write(
                "settings.toml",
                """
                # The whole server from one file.
                [api]
                http_addr = "127.0.0.1:\(port)"
                api_key = "from-the-file"

                [database]
                url = "sqlite://\(scratch.path("orch8.db"))"

                [logging]
                level = "warning"
                """
            )
            return (["serve", "--config", file], [:])
        }
        defer { server.forceStop() }
        #expect(try await server.status("/api/v1/instances", key: nil) == 401)
        #expect(try await server.status("/api/v1/instances", key: "from-the-file") == 200)
    }

    @Test func theEnvironmentOverridesTheFileAndAnOptionOverridesTheEnvironment() async throws {
        let scratch = try Scratch()
        let server = try await ConfiguredServer.start(in: scratch) { port in
            let file = try scratch.write(
                "orch8.toml",
                """
                [api]
                http_addr = "127.0.0.1:\(port + 1)"
                api_key = "from-the-file"
                [database]
                url = "sqlite://\(scratch.path("orch8.db"))"
                """
            )
            let environment = [
                "ORCH8_CONFIG": file, "ORCH8_HTTP_ADDR": "127.0.0.1:\(port + 2)",
                "ORCH8_API_KEY": "from-the-environment", "ORCH8_LOG_LEVEL": "warning",
            ]
            return (["serve", "--http-addr", "127.0.0.1:\(port)"], environment)
        }
        defer { server.forceStop() }
        // Ready on the option's port, not the file's or the environment's.
        #expect(try await server.status("/api/v1/instances", key: "from-the-environment") == 200)
        #expect(try await server.status("/api/v1/instances", key: "from-the-file") == 401)
    }

    /// A setting that stops the server, and what its message must say.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var file: String?
        var environment: [String: String] = [:]
        var arguments: [String] = []
        var says: [String]
        var testDescription: String { says[0] }
    }

    @Test(arguments: [
        Refusal(
            file: "[engine]\ntick_interval_ms = 50\nbatch_size = \"x\"\n",
            says: ["orch8.toml:3: engine.batch_size: expected a positive integer", "got \"x\""]
        ),
        Refusal(file: "[api]\nrequire_tenant_header = maybe\n", says: ["orch8.toml:2:25:", "strings need quotes"]),
        Refusal(file: "[logging]\nlevel = 3\n", says: ["orch8.toml:2: logging.level: expected trace, debug"]),
        Refusal(file: nil, environment: ["ORCH8_BATCH_SIZE": "many"], says: ["ORCH8_BATCH_SIZE: expected"]),
        Refusal(file: nil, arguments: ["--log-level", "loud"], says: ["--log-level: expected", "got \"loud\""]),
        Refusal(
            file: "[api]\ninsecure = true\n",
            environment: ["ORCH8_API_KEY": "k"],
            says: ["api.insecure: set together with a root API key"]
        ),
        Refusal(file: nil, environment: ["ORCH8_CRON_TICK_SECS": "0.0001"], says: ["ORCH8_CRON_TICK_SECS: expected"]),
    ])
    func aBadSettingStopsTheServerNamingItsSourceAndKey(_ refusal: Refusal) async throws {
        let scratch = try Scratch()
        var arguments = ["serve", "--database-url", "sqlite::memory:", "--http-addr", "127.0.0.1:0"]
        if let file = refusal.file { arguments += ["--config", try scratch.write("orch8.toml", file)] }
        let (status, output) = try await ConfiguredServer.runToExit(
            in: scratch,
            arguments: arguments + refusal.arguments,
            environment: refusal.environment
        )
        #expect(status != 0)
        for words in refusal.says { #expect(output.contains(words), "\(output)") }
    }

    @Test(arguments: [true, false])
    func aMissingFileThatWasNamedIsAnError(byOption: Bool) async throws {
        let scratch = try Scratch()
        let missing = scratch.path("nowhere.toml")
        let (status, output) = try await ConfiguredServer.runToExit(
            in: scratch,
            arguments: ["serve", "--database-url", "sqlite::memory:"] + (byOption ? ["--config", missing] : []),
            environment: byOption ? [:] : ["ORCH8_CONFIG": missing]
        )
        #expect(status != 0)
        #expect(output.contains(byOption ? "--config: " : "ORCH8_CONFIG: "), "\(output)")
        #expect(output.contains("\(missing) does not exist"), "\(output)")
    }

    @Test func logJSONWritesOneParsableObjectPerLine() async throws {
        let scratch = try Scratch()
        let server = try await ConfiguredServer.start(in: scratch) { port in
            // Picked up from the working directory without being named; its typo is warned about.
            _ = try scratch.write("orch8.toml", "[engine]\nbatchsize = 3\n")
            let arguments = [
                "serve", "--http-addr", "127.0.0.1:\(port)", "--database-url", "sqlite://\(scratch.path("orch8.db"))",
                "--log-json", "--log-level", "info",
            ]
            // A misspelt variable and one of a setting this server does not have: both warned about.
            return (arguments, ["ORCH8_LOG_LEVL": "debug", "ORCH8_CORS_ORIGINS": "*"])
        }
        #expect(try await server.status("/health/ready", key: nil) == 200)
        // A step that logs: its line carries the instance, the block and the tenant as fields.
        let sequence = "0192f5a4-0000-7000-8000-00000000c0f1"
        let (created, reply) = try await server.send(
            "POST",
            "/api/v1/sequences",
            #"""
            {"id": "\#(sequence)", "tenant_id": "acme", "namespace": "default", "name": "logs", "version": 1,
             "created_at": "2026-12-02T00:00:00Z",
             "blocks": [{"type": "step", "id": "say", "handler": "log", "params": {"message": "hello from a step"}}]}
            """#
        )
        #expect(created == 201, "\(reply)")
        let (started, instance) = try await server.send(
            "POST",
            "/api/v1/instances",
            #"{"sequence_id": "\#(sequence)", "tenant_id": "acme", "namespace": "default"}"#
        )
        #expect(started == 201, "\(instance)")
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline,
            try String(contentsOfFile: server.logPath, encoding: .utf8).contains("hello from a step") == false
        {
            try await Task.sleep(for: .milliseconds(25))
        }
        try await server.stop()
        let lines = try String(contentsOfFile: server.logPath, encoding: .utf8).split(separator: "\n")
        var objects: [JSON] = []
        for line in lines {
            let object = try JSON.parse(String(line))
            for field in ["timestamp", "level", "label", "message"] {
                #expect(object[field]?.stringValue != nil, "\(field) missing: \(line)")
            }
            objects.append(object)
        }
        let listening = try #require(objects.first { $0["message"] == "orch8 listening" })
        #expect(listening["address"] == .string("127.0.0.1:\(server.port)"))
        #expect(listening["label"] == "orch8")
        #expect(listening["level"] == "info")
        let warning = try #require(objects.first { $0["message"]?.stringValue?.contains("unknown key") == true })
        #expect(warning["level"] == "warning")
        #expect(warning["message"]?.stringValue?.contains("orch8.toml:2: unknown key engine.batchsize") == true)
        #expect(warning["message"]?.stringValue?.contains("did you mean engine.batch_size?") == true)
        let messages = objects.compactMap { $0["message"]?.stringValue }
        #expect(
            messages.contains(
                "environment variable ORCH8_LOG_LEVL is not a setting of this server; ignored (did you mean ORCH8_LOG_LEVEL?)"
            ),
            "\(messages)"
        )
        #expect(messages.contains("environment variable ORCH8_CORS_ORIGINS is not a setting of this server; ignored"))
        let step = try #require(objects.first { $0["message"] == "hello from a step" })
        #expect(step["label"] == "orch8.handler.log")
        #expect(step["instance_id"] == instance["id"])
        #expect(step["block_id"] == "say")
        #expect(step["tenant_id"] == "acme")
        #expect(step["handler"] == "log")
    }
}

extension ConfigurationTests {
    /// A directory of its own for one test: the working directory of the server (so that no stray
    /// `orch8.toml` is read), its database and its files.
    struct Scratch {
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "orch8-config-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// Writes `text` to `name` and returns its path.
        func write(_ name: String, _ text: String) throws -> String {
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
            return path(name)
        }
    }

}

/// `orch8 serve` started with arguments and environment of the test's choosing, ORCH8_* variables of
/// the test runner removed.
final class ConfiguredServer: @unchecked Sendable {
    let process: Process
    let port: Int
    let logPath: String

    private init(process: Process, port: Int, logPath: String) {
        self.process = process
        self.port = port
        self.logPath = logPath
    }

    /// The runner's environment without ORCH8_*, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORCH8_") }.merging(extra) { _, new in new }
    }

    /// Starts the server `configure` describes for a free port (it may use the two after it too) and
    /// waits until it answers there; a port taken meanwhile is traded for another.
    static func start(
        in scratch: ConfigurationTests.Scratch,
        _ configure: (Int) throws -> (arguments: [String], environment: [String: String])
    ) async throws -> ConfiguredServer {
        var lastOutput = ""
        for _ in 1...3 {
            let port = ServerProcess.randomListenPort()
            let (arguments, environment) = try configure(port)
            let process = Process()
            process.executableURL = ServerProcess.binary
            process.arguments = arguments
            process.environment = Self.environment(environment)
            process.currentDirectoryURL = scratch.directory
            let logPath = scratch.path("server.\(port).log")
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: logPath)
            try process.run()
            let server = ConfiguredServer(process: process, port: port, logPath: logPath)
            // Generous: the whole suite runs in parallel on two cores while this binary starts.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline && process.isRunning {
                if (try? await server.status("/health/ready", key: nil)) == 200 { return server }
                try await Task.sleep(for: .milliseconds(50))
            }
            server.forceStop()
            lastOutput = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if !lastOutput.contains("Address already in use") { break }
        }
        throw ServerError("server did not become ready: \(lastOutput.suffix(2000))")
    }

    /// Runs `orch8 ARGUMENTS` to its exit; returns the exit status and standard error.
    static func runToExit(
        in scratch: ConfigurationTests.Scratch,
        arguments: [String],
        environment: [String: String]
    ) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        process.environment = Self.environment(environment)
        process.currentDirectoryURL = scratch.directory
        let output = try await process.runCapturing().stderr
        return (process.terminationStatus, output)
    }

    /// The status of `GET path` with the test tenant and, if given, an API key.
    func status(_ path: String, key: String?) async throws -> Int {
        try await loopbackRequest("GET", "http://127.0.0.1:\(port)\(path)", apiKey: key).0
    }

    /// `METHOD path` with a JSON body and the test tenant; the status and the parsed reply.
    func send(_ method: String, _ path: String, _ body: String) async throws -> (Int, JSON) {
        let (status, data) = try await loopbackRequest(method, "http://127.0.0.1:\(port)\(path)", body: Data(body.utf8))
        return (status, data.isEmpty ? .null : try JSON.parse(Array(data)))
    }

    /// SIGTERM, then waits for the exit without blocking a thread.
    func stop() async throws {
        process.terminate()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// SIGKILL, for a test that is done with it.
    func forceStop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { forceStop() }
}
