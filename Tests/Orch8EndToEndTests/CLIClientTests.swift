import Foundation
import Orch8Core
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `orch8` client commands (sequence, instance, plugin), run as the real binary against a real
/// server over loopback.
@Suite(.serialized) struct CLIClientTests {
    /// What one run of the CLI printed and how it ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output parsed as JSON (for `-o json`).
        func json() throws -> JSON { try JSON.parse(stdout) }

        /// Standard output without its trailing newline.
        var line: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Runs `orch8 arguments…` with no `ORCH8_*` variable of the test's environment, plus `environment`.
    static func cli(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORCH8_") }
            .merging(environment) { _, new in new }
        let (stdout, stderr) = try await process.runCapturing()
        return Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    static func directory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-cli-\(name)-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Writes a sequence definition without id, version or created_at, as a person would.
    static func sequenceFile(in directory: URL, name: String, blocks: String) throws -> String {
        let path = directory.appendingPathComponent("\(name).json").path
        try Data(#"{"name": "\#(name)", "blocks": \#(blocks)}"#.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads the instance with the CLI until `done` holds for it, for at most 60 s.
    static func instance(
        _ id: String,
        _ global: [String],
        until done: (JSON) -> Bool
    ) async throws -> JSON {
        let deadline = ContinuousClock.now + .seconds(60)
        var last: JSON = .null
        while ContinuousClock.now < deadline {
            let get = try await cli(["instance", "get", id, "-o", "json"] + global)
            #expect(get.status == 0, "\(get.stderr)")
            last = try get.json()
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    @Test func sequencesAndInstancesFromCreationToRetry() async throws {
        let directory = try Self.directory("instances")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ServerProcess(databasePath: directory.appendingPathComponent("orch8.db").path)
        try await server.start()
        defer { server.stop() }
        let global = ["--url", server.baseURL + "/api/v1", "--tenant", "acme"]

        // sequence create from a file, then list and get in both formats.
        let file = try Self.sequenceFile(
            in: directory,
            name: "cli-hello",
            blocks: """
                [{"type": "step", "id": "greet", "handler": "transform",
                  "params": {"greeting": "hello {{ context.data.who }}"}},
                 {"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 50}}]
                """
        )
        let created = try await Self.cli(["sequence", "create", file] + global)
        #expect(created.status == 0, "\(created.stderr)")
        let sequenceID = created.line
        #expect(UUID(uuidString: sequenceID) != nil, "create prints the new id: \(created.stdout)")

        let table = try await Self.cli(["sequence", "list"] + global)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true, "a header line: \(table.stdout)")
        #expect(lines.contains { $0.contains(sequenceID) && $0.contains("cli-hello") && $0.contains("acme") })

        let listed = try await Self.cli(["sequence", "list", "-o", "json"] + global).json()
        #expect(listed["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [sequenceID])
        #expect(listed["has_more"] == false)

        let shown = try await Self.cli(["sequence", "get", sequenceID, "-o", "json"] + global).json()
        #expect(shown["name"] == "cli-hello")
        #expect(shown["version"] == 1)
        #expect(shown["tenant_id"] == "acme")
        #expect(shown["namespace"] == "default")
        let shownTable = try await Self.cli(["sequence", "get", sequenceID] + global)
        #expect(shownTable.stdout.contains("name:"), "\(shownTable.stdout)")
        #expect(shownTable.stdout.split(separator: "\n").contains { $0.contains("greet") && $0.contains("transform") })

        // start --wait by name: not a terminal, so one plain final report, and exit 0.
        let waited = try await Self.cli(
            ["instance", "start", "--name", "cli-hello", "--data", #"{"who": "world"}"#, "--wait"] + global
        )
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stdout.contains("completed"), "\(waited.stdout)")
        #expect(waited.stdout.contains("hello world"), "the outputs are shown: \(waited.stdout)")
        #expect(!waited.stderr.contains("\r"), "no live status line without a terminal: \(waited.stderr)")

        let waitedJSON = try await Self.cli(
            [
                "instance", "start", "--sequence", sequenceID, "--context", #"{"data": {"who": "json"}}"#, "--wait",
                "-o", "json",
            ]
                + global
        )
        #expect(waitedJSON.status == 0, "\(waitedJSON.stderr)")
        let report = try waitedJSON.json()
        #expect(report["instance"]?["state"] == "completed")
        let instanceID = try #require(report["instance"]?["id"]?.stringValue)
        let reportOutputs = report["outputs"]?.arrayValue ?? []
        #expect(reportOutputs.first { $0["block_id"] == "greet" }?["output"]?["greeting"] == "hello json")

        // get, list, outputs.
        let got = try await Self.cli(["instance", "get", instanceID, "-o", "json"] + global).json()
        #expect(got["sequence_id"] == .string(sequenceID))
        #expect(got["context"]?["data"]?["who"] == "json")
        let gotTable = try await Self.cli(["instance", "get", instanceID] + global)
        #expect(gotTable.stdout.contains("state:"), "\(gotTable.stdout)")
        #expect(gotTable.stdout.contains("completed"))

        let instances = try await Self.cli(["instance", "list", "--sequence", sequenceID, "-o", "json"] + global).json()
        #expect(instances["items"]?.arrayValue?.count == 2)
        let completedList = try await Self.cli(["instance", "list", "--state", "completed"] + global)
        #expect(
            completedList.stdout.split(separator: "\n").contains { $0.contains(instanceID) && $0.contains("completed") }
        )

        let outputs = try await Self.cli(["instance", "outputs", instanceID, "-o", "json"] + global).json()
        #expect(outputs.arrayValue?.compactMap { $0["block_id"]?.stringValue } == ["greet", "nap"])
        let outputsTable = try await Self.cli(["instance", "outputs", instanceID] + global)
        #expect(
            outputsTable.stdout.split(separator: "\n").contains { $0.contains("greet") && $0.contains("hello json") }
        )

        // cancel a sleeping instance with a signal.
        _ = try Self.sequenceFile(
            in: directory,
            name: "cli-long",
            blocks: #"[{"type": "step", "id": "long", "handler": "sleep", "params": {"duration_ms": 600000}}]"#
        )
        let long = try await Self.cli(
            ["sequence", "create", directory.appendingPathComponent("cli-long.json").path] + global
        )
        let started = try await Self.cli(["instance", "start", "--sequence", long.line] + global)
        #expect(started.status == 0, "\(started.stderr)")
        let sleeper = started.line
        let bogus = try await Self.cli(["instance", "signal", sleeper, "explode"] + global)
        #expect(bogus.status != 0)
        #expect(bogus.stderr.contains("unknown signal"), "\(bogus.stderr)")
        let signalled = try await Self.cli(["instance", "signal", sleeper, "cancel"] + global)
        #expect(signalled.status == 0, "\(signalled.stderr)")
        #expect(UUID(uuidString: signalled.line) != nil, "prints the signal id: \(signalled.stdout)")
        let cancelled = try await Self.instance(sleeper, global) { $0["state"] == "cancelled" }
        #expect(cancelled["state"] == "cancelled")
        let late = try await Self.cli(["instance", "signal", sleeper, "pause"] + global)
        #expect(late.status == 1)
        #expect(late.stderr.contains("HTTP 400"), "\(late.stderr)")
        #expect(late.stderr.contains("terminal state"), "\(late.stderr)")

        // a failing instance: --wait exits non-zero with the reason; retry runs it again.
        let failing = try Self.sequenceFile(
            in: directory,
            name: "cli-fail",
            blocks: #"[{"type": "step", "id": "boom", "handler": "fail", "params": {"message": "it broke"}}]"#
        )
        let failID = try await Self.cli(["sequence", "create", failing] + global).line
        let failed = try await Self.cli(["instance", "start", "--sequence", failID, "--wait", "-o", "json"] + global)
        #expect(failed.status == 2, "\(failed.stderr)")
        #expect(failed.stderr.contains("failed"), "\(failed.stderr)")
        #expect(failed.stderr.contains("it broke"), "the engine's reason: \(failed.stderr)")
        let failedID = try #require(try failed.json()["instance"]?["id"]?.stringValue)
        let runID = try failed.json()["instance"]?["context"]?["runtime"]?["run_id"]

        let retried = try await Self.cli(["instance", "retry", failedID, "-o", "json"] + global)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(try retried.json()["state"] == "scheduled")
        let again = try await Self.instance(failedID, global) {
            $0["state"] == "failed" && $0["context"]?["runtime"]?["run_id"] != runID
        }
        #expect(again["state"] == "failed")
        #expect(again["context"]?["runtime"]?["run_id"] != runID, "a new run")

        let notFailed = try await Self.cli(["instance", "retry", instanceID] + global)
        #expect(notFailed.status == 1)
        #expect(notFailed.stderr.contains("can only retry failed instances"), "\(notFailed.stderr)")

        // unknown ids: the server's 404 message, non-zero exit.
        let unknown = UUID().uuidString.lowercased()
        for command in [
            ["instance", "get", unknown], ["sequence", "get", unknown], ["instance", "outputs", unknown],
        ] {
            let missing = try await Self.cli(command + global)
            #expect(missing.status == 1, "\(command)")
            #expect(missing.stderr.contains("HTTP 404"), "\(missing.stderr)")
            #expect(missing.stderr.contains("not found"), "\(missing.stderr)")
            #expect(missing.stdout.isEmpty)
        }

        // mistakes the CLI catches before sending anything.
        let neither = try await Self.cli(["instance", "start"] + global)
        #expect(neither.status != 0)
        #expect(neither.stderr.contains("--sequence"), "\(neither.stderr)")
        let badData = try await Self.cli(["instance", "start", "--sequence", sequenceID, "--data", "{nope"] + global)
        #expect(badData.status != 0)
        #expect(badData.stderr.contains("--data"), "\(badData.stderr)")
    }

    @Test func pluginsAreRegisteredListedUpdatedAndDeleted() async throws {
        let directory = try Self.directory("plugins")
        defer { try? FileManager.default.removeItem(at: directory) }
        let module = try await PluginRunCommandTests.classifier(in: directory)
        let server = ServerProcess(databasePath: directory.appendingPathComponent("orch8.db").path)
        try await server.start()
        defer { server.stop() }
        let global = ["--url", server.baseURL + "/api/v1", "--tenant", "acme"]

        let registered = try await Self.cli(
            ["plugin", "register", "classifier", module, "--description", "spam or not"] + global
        )
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.stdout.contains("classifier"), "\(registered.stdout)")
        #expect(registered.stdout.contains("wasm"), "the type is inferred from .wasm: \(registered.stdout)")

        let duplicate = try await Self.cli(["plugin", "register", "classifier", module] + global)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("HTTP 409"), "\(duplicate.stderr)")

        let garbage = directory.appendingPathComponent("garbage.wasm").path
        try Data("not wasm".utf8).write(to: URL(fileURLWithPath: garbage))
        let refused = try await Self.cli(["plugin", "register", "junk", garbage] + global)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("HTTP 400"), "the server's check: \(refused.stderr)")

        let list = try await Self.cli(["plugin", "list", "-o", "json"] + global).json()
        #expect(list.arrayValue?.compactMap { $0["name"]?.stringValue } == ["classifier"])
        let listTable = try await Self.cli(["plugin", "list"] + global)
        #expect(listTable.stdout.split(separator: "\n").contains { $0.contains("classifier") && $0.contains("acme") })

        let plugin = try await Self.cli(["plugin", "get", "classifier", "-o", "json"] + global).json()
        #expect(plugin["source"] == .string(module))
        #expect(plugin["enabled"] == true)
        #expect(plugin["description"] == "spam or not")

        let updated = try await Self.cli(
            ["plugin", "update", "classifier", "--disable", "--config", #"{"fuel": 1000000}"#, "-o", "json"] + global
        )
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(try updated.json()["enabled"] == false)
        #expect(try updated.json()["config"]?["fuel"] == 1_000_000)
        let reread = try await Self.cli(["plugin", "get", "classifier", "-o", "json"] + global).json()
        #expect(reread["enabled"] == false, "the change is stored")

        let nothing = try await Self.cli(["plugin", "update", "classifier"] + global)
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("nothing to change"), "\(nothing.stderr)")

        let deleted = try await Self.cli(["plugin", "delete", "classifier"] + global)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let gone = try await Self.cli(["plugin", "get", "classifier"] + global)
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("not found: plugin 'classifier'"), "\(gone.stderr)")

        // `plugin run` still works next to the registry commands.
        let run = try await Self.cli(["plugin", "run", module, "--params", #"{"text": "buy now"}"#])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func theAPIKeyAndTheTenantArePassedThrough() async throws {
        let directory = try Self.directory("auth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await KeyedServer.start(
            database: directory.appendingPathComponent("orch8.db").path,
            apiKey: "root-secret"
        )
        defer { server.stop() }
        let url = ["--url", server.baseURL + "/api/v1"]

        let anonymous = try await Self.cli(["sequence", "list", "--tenant", "acme"] + url)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("HTTP 401"), "\(anonymous.stderr)")
        #expect(anonymous.stderr.contains("--api-key"), "says how to fix it: \(anonymous.stderr)")

        let wrong = try await Self.cli(["sequence", "list", "--tenant", "acme", "--api-key", "guess"] + url)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("HTTP 401"), "\(wrong.stderr)")

        let noTenant = try await Self.cli(["sequence", "list", "--api-key", "root-secret"] + url)
        #expect(noTenant.status == 1)
        #expect(noTenant.stderr.contains("HTTP 400"), "\(noTenant.stderr)")
        #expect(noTenant.stderr.contains("--tenant"), "\(noTenant.stderr)")

        let file = try Self.sequenceFile(
            in: directory,
            name: "keyed",
            blocks: #"[{"type": "step", "id": "only", "handler": "noop"}]"#
        )
        let created = try await Self.cli(
            ["sequence", "create", file, "--api-key", "root-secret", "--tenant-id", "acme"] + url
        )
        #expect(created.status == 0, "\(created.stderr)")

        // The same key and tenant from the environment; another tenant sees nothing.
        let environment = [
            "ORCH8_API_KEY": "root-secret", "ORCH8_TENANT_ID": "acme", "ORCH8_URL": server.baseURL + "/api/v1",
        ]
        let acme = try await Self.cli(["sequence", "list", "-o", "json"], environment: environment)
        #expect(acme.status == 0, "\(acme.stderr)")
        #expect(try acme.json()["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [created.line])
        let globex = try await Self.cli(
            ["sequence", "list", "-o", "json", "--tenant", "globex"],
            environment: environment
        )
        #expect(globex.status == 0, "\(globex.stderr)")
        #expect(try globex.json()["items"]?.arrayValue?.isEmpty == true)
        let hidden = try await Self.cli(
            ["sequence", "get", created.line, "--tenant", "globex"],
            environment: environment
        )
        #expect(hidden.status == 1)
        #expect(hidden.stderr.contains("not found"), "\(hidden.stderr)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script"))
    func startWaitShowsALiveStatusOnATerminalAndGivesUpAtTheTimeout() async throws {
        let directory = try Self.directory("live")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = ServerProcess(databasePath: directory.appendingPathComponent("orch8.db").path)
        try await server.start()
        defer { server.stop() }
        let file = try Self.sequenceFile(
            in: directory,
            name: "cli-nap",
            blocks: #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 600000}}]"#
        )
        let global = ["--url", server.baseURL + "/api/v1", "--tenant", "acme"]
        #expect(try await Self.cli(["sequence", "create", file] + global).status == 0)

        // util-linux's `script` runs the command on a pseudo-terminal and records what it wrote.
        let command =
            ([ServerProcess.binary.path, "instance", "start", "--name", "cli-nap", "--wait", "--timeout", "1.2"]
            + global).map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        let typescript = directory.appendingPathComponent("typescript").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["--quiet", "--return", "--flush", "--command", command, typescript]
        process.standardInput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORCH8_") }
        _ = try await process.runCapturing()
        let screen = try String(contentsOfFile: typescript, encoding: .utf8)
        #expect(process.terminationStatus == 3, "the timeout's exit status: \(screen)")
        // A status line redrawn in place (carriage return, erase line), naming the instance, its
        // state and its step count, then the timeout's message on a cleared line.
        let redraws = screen.components(separatedBy: "\r\u{1B}[2K").count - 1
        #expect(redraws >= 3, "two status lines and the clearing of the last: \(screen)")
        let status = try #require(
            screen.firstMatch(of: #/⠋ ([0-9a-f-]{36})  (?:running|scheduled)  0 step\(s\)/#),
            "\(screen)"
        )
        // A sleeping instance is parked on its timer, so the last word is `scheduled` (or `running`
        // on a slow machine that had not parked it yet).
        let timedOut = try Regex("error: instance \(status.1) is still (scheduled|running) after 1\\.2 s")
        #expect(screen.contains(timedOut), "\(screen)")
    }

    @Test func nothingListeningIsReportedWithTheURL() async throws {
        // Port 9 (discard) on loopback: nothing of ours listens there.
        let refused = try await Self.cli(["instance", "list", "--url", "http://127.0.0.1:9/api/v1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot connect to http://127.0.0.1:9/api/v1"), "\(refused.stderr)")
        #expect(refused.stderr.contains("connection refused"), "\(refused.stderr)")

        let badURL = try await Self.cli(["instance", "list", "--url", "nowhere"])
        #expect(badURL.status != 0)
        #expect(badURL.stderr.contains("--url"), "\(badURL.stderr)")
    }
}

/// `orch8 serve` with a root API key (``ServerProcess`` runs open, with `--insecure`).
final class KeyedServer: @unchecked Sendable {
    let baseURL: String
    private let process: Process

    private init(baseURL: String, process: Process) {
        self.baseURL = baseURL
        self.process = process
    }

    /// Starts the server and waits for `/health/ready` (public), trying three ports.
    static func start(database: String, apiKey: String) async throws -> KeyedServer {
        var lastLog = ""
        for _ in 1...3 {
            let port = ServerProcess.randomListenPort()
            let process = Process()
            process.executableURL = ServerProcess.binary
            process.arguments = [
                "serve", "--http-addr", "127.0.0.1:\(port)", "--database-url", "sqlite://\(database)",
                "--log-level", "warning",
            ]
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORCH8_") }
                .merging(["ORCH8_API_KEY": apiKey]) { _, new in new }
            let log = database + ".\(port).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            let server = KeyedServer(baseURL: "http://127.0.0.1:\(port)", process: process)
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, process.isRunning {
                if try await server.ready() { return server }
                try await Task.sleep(for: .milliseconds(50))
            }
            server.stop()
            lastLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        throw ServerError("keyed server did not start: \(lastLog.suffix(2000))")
    }

    private func ready() async throws -> Bool {
        let request = URLRequest(url: URL(string: baseURL + "/health/ready")!)
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// SIGTERM, then waits.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
