import Foundation
import Orch8Core
import Testing

/// Schemathesis (from PyPI) fuzzes the real `orch8 serve` from its own OpenAPI document
/// (`GET /api-docs/openapi.json`): schema-shaped and malformed requests to every operation, checked
/// for server errors. No answer may be a 5xx, and the server must be alive afterwards.
@Suite struct SchemathesisTests {
    static let requirement = "schemathesis==4.32.5"
    /// Examples per operation and phase: enough to reach the validation paths of every route, few
    /// enough that the run stays around a minute on two cores.
    static let examplesPerOperation = 25

    /// The hooks module of the run (`SCHEMATHESIS_HOOKS`), two adjustments for the fuzzer only:
    /// - blocks nest without bound, and generating deep trees overflows the generator; inside
    ///   composite blocks the fuzzer gets step blocks only;
    /// - the long-poll's `wait_ms` (up to 30 s, as documented) is capped at 50 ms, so that a
    ///   generated poll does not hold a worker for half a minute.
    static let hooks = """
        import schemathesis

        COMPOSITES = [
            "BlockList", "ParallelBlock", "RaceBlock", "LoopBlock", "ForEachBlock", "RouterBlock", "Route",
            "TryCatchBlock", "ABSplitBlock", "CancellationScopeBlock", "SagaBlock",
        ]


        def _steps_only(node):
            if isinstance(node, dict):
                if node.get("$ref") == "#/components/schemas/Block":
                    return {"$ref": "#/components/schemas/StepBlock"}
                return {key: _steps_only(value) for key, value in node.items()}
            if isinstance(node, list):
                return [_steps_only(value) for value in node]
            return node


        @schemathesis.hook
        def before_load_schema(context, raw_schema):
            schemas = raw_schema["components"]["schemas"]
            for name in COMPOSITES:
                schemas[name] = _steps_only(schemas[name])


        @schemathesis.hook
        def before_call(context, case, kwargs):
            body = case.body
            if isinstance(body, dict):
                wait = body.get("wait_ms")
                if isinstance(wait, (int, float)) and not isinstance(wait, bool) and 50 < wait <= 30000:
                    body["wait_ms"] = 50
        """

    /// The configuration file of the run. The coverage phase's boundary cases of a whole sequence
    /// definition make Python 3.11's parser fail inside Hypothesis (`AST constructor recursion depth
    /// mismatch`), so `POST /sequences` gets the examples and fuzzing phases only.
    static let configuration = """
        [[operations]]
        include-operation-id = "createSequence"
        phases.coverage.enabled = false
        """

    @Test func fuzzingEveryOperationFindsNoServerError() async throws {
        let schemathesis = try await PythonTool.installed(Self.requirement, module: "schemathesis")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.hooks.write(
            to: directory.appendingPathComponent("orch8_fuzz_hooks.py"),
            atomically: true,
            encoding: .utf8
        )
        try Self.configuration.write(
            to: directory.appendingPathComponent("schemathesis.toml"),
            atomically: true,
            encoding: .utf8
        )
        let server = ServerProcess(databasePath: directory.appendingPathComponent("orch8.db").path)
        try await server.start()
        defer { server.stop() }

        let arguments = Self.arguments(baseURL: server.baseURL, reportDirectory: directory.path)
        let run = try await schemathesis.run(
            ["-m", "schemathesis.cli"] + arguments,
            environment: ["SCHEMATHESIS_HOOKS": "orch8_fuzz_hooks", "PYTHONPATH": directory.path],
            in: directory
        )
        let generated = Self.generatedCount(in: run.output)
        print("schemathesis: \(generated.map(String.init) ?? "an unknown number of") test cases generated")
        #expect(run.status == 0, "schemathesis found failures:\n\(run.output.suffix(20_000))")
        #expect((generated ?? 0) > 500, "the run generated cases for every operation:\n\(run.output.suffix(5_000))")

        // Still serving; and still the same process, which a SIGTERM now stops cleanly (a crashed one
        // would report the signal that ended it).
        let (live, _) = try await server.request("GET", "/health/live")
        #expect(live == 200)
        let log = (try? String(contentsOfFile: server.logBase + ".\(server.port).log", encoding: .utf8)) ?? ""
        #expect(!log.contains("request failed"), "the server logged internal errors:\n\(log.suffix(5_000))")
        #expect(server.stop() == 0, "the server exits cleanly after the run:\n\(log.suffix(5_000))")
    }

    /// The `schemathesis run` arguments, as docs/api.md shows them.
    static func arguments(baseURL: String, reportDirectory: String) -> [String] {
        [
            "--config-file", "schemathesis.toml",
            "run", "\(baseURL)/api-docs/openapi.json", "--url", baseURL,
            "--checks", "not_a_server_error",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", "\(examplesPerOperation)",
            "--header", "X-Tenant-Id: fuzz",
            // One worker: Python 3.11.7's parser is not thread-safe (CPython gh-106905), and Hypothesis
            // parses lambdas while generating, so two workers now and then fail inside the tool.
            "--workers", "1",
            "--seed", "8",
            "--request-timeout", "20",
            "--suppress-health-check", "all",
            "--no-color",
            "--report-dir", reportDirectory,
        ]
    }

    /// The number of test cases of the summary line (`Test cases: 1234 generated, …`).
    static func generatedCount(in output: String) -> Int? {
        for line in output.split(separator: "\n") where line.contains("generated") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "," })
            if let index = words.firstIndex(of: "generated"), index > words.startIndex,
                let count = Int(words[words.index(before: index)])
            {
                return count
            }
        }
        return nil
    }
}

/// A Python virtual environment with one PyPI package, made under the temporary directory on first
/// use and reused afterwards. The package is the point of the tests that use it: a failed install
/// fails them rather than skipping them.
struct PythonTool {
    /// The environment's directory.
    let directory: URL

    /// The environment with `requirement` (`name==version`) installed; `module` is imported to tell
    /// whether an earlier run installed it already.
    static func installed(_ requirement: String, module: String) async throws -> PythonTool {
        let name = requirement.replacingOccurrences(of: "==", with: "-")
        let tool = PythonTool(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("orch8-venv-\(name)")
        )
        if try await tool.run(["-c", "import \(module)"]).status == 0 { return tool }
        let venv = try await run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "venv", tool.directory.path])
        guard venv.status == 0 else { throw ServerError("python3 -m venv failed: \(venv.output)") }
        let install = try await tool.run([
            "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement,
        ])
        guard install.status == 0 else { throw ServerError("pip install \(requirement) failed: \(install.output)") }
        return tool
    }

    /// Runs the environment's python with `arguments` (and `environment` added to ours, in
    /// `directory`); its exit status and its standard error followed by its standard output (127 when
    /// there is no environment yet).
    func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: URL? = nil
    ) async throws -> (status: Int32, output: String) {
        let python = self.directory.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return (127, "no environment") }
        return try await Self.run(python, arguments, environment: environment, in: directory)
    }

    private static func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: URL? = nil
    ) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        let (stdout, stderr) = try await process.runCapturing()
        return (process.terminationStatus, stderr + stdout)
    }
}
