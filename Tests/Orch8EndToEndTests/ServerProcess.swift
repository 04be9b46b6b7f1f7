import Foundation
import Orch8Core
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `orch8` binary, started on a free port against a database, spoken to over HTTP.
final class ServerProcess: @unchecked Sendable {
    private(set) var port: Int
    let databaseURL: String
    /// Where the server's log goes (with the port appended).
    let logBase: String
    private var process: Process?

    /// The `orch8` executable built next to the test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("orch8")
    }

    /// A port to listen on: random, and below Linux's ephemeral range (32768 and up), which the
    /// suite's own outgoing connections (to servers, to PostgreSQL) draw their local ports from.
    static func randomListenPort() -> Int { Int.random(in: 20_000...32_000) }

    /// Extra environment variables for the server.
    let environment: [String: String]

    /// A server on the SQLite file at `databasePath`.
    convenience init(databasePath: String, environment: [String: String] = [:]) {
        self.init(databaseURL: "sqlite://\(databasePath)", logBase: databasePath, environment: environment)
    }

    init(databaseURL: String, logBase: String, environment: [String: String] = [:]) {
        self.databaseURL = databaseURL
        self.logBase = logBase
        self.environment = environment
        port = Self.randomListenPort()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until `/health/ready` answers 200. A port another process took
    /// meanwhile is traded for another, up to three times.
    func start() async throws {
        for attempt in 1...3 {
            do {
                try await launch()
                return
            } catch let error as ServerError where error.description.contains("Address already in use") && attempt < 3 {
                port = Self.randomListenPort()
            }
        }
    }

    private func launch() async throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = [
            "serve", "--http-addr", "127.0.0.1:\(port)", "--database-url", databaseURL, "--insecure",
            "--log-level", "warning",
        ]
        // A token only this process reports in `/info`, so that a server some other test left on this
        // port (ours then fails to bind) is never taken for ours.
        let token = environment["ORCH8_ENV_LABEL"] ?? "test-\(UUID().uuidString)"
        // The suite's own variables (ORCH8_TEST_*) are not the server's.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ORCH8_TEST_") }
            .merging(environment) { _, new in new }
            .merging(["ORCH8_ENV_LABEL": token]) { _, new in new }
        let log = logBase + ".\(port).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        self.process = process
        // Generous: the whole suite runs in parallel on two cores while this binary starts.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let (status, _) = try? await request("GET", "/health/ready"), status == 200,
                let (_, info) = try? await request("GET", "/info"), info["env_label"]?.stringValue == token
            {
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stillRunning = process.isRunning
        if stillRunning { kill9() } else { self.process = nil }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // The start of the log says what went wrong first; the end, how it ended.
        let excerpt = output.count <= 3000 ? output : "\(output.prefix(1500))\n…\n\(output.suffix(1500))"
        throw ServerError(
            "server did not become ready on port \(port) (\(stillRunning ? "still running, killed" : "exited")): \(excerpt)"
        )
    }

    /// Kills the process the hard way: no shutdown, no flush.
    func kill9() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops gracefully (SIGTERM), waits, and returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    deinit { kill9() }

    /// Sends a request with the test tenant; returns the status and the parsed body (null if empty).
    func request(_ method: String, _ path: String, body: JSON? = nil) async throws -> (Int, JSON) {
        let (status, data) = try await loopbackRequest(
            method,
            baseURL + path,
            body: body.map { Data($0.serialized().utf8) }
        )
        return (status, data.isEmpty ? .null : try JSON.parse(Array(data)))
    }
}

/// `METHOD url` as the test tenant `acme`, with a JSON body and an API key if given; the status and
/// the body as received.
func loopbackRequest(
    _ method: String,
    _ url: String,
    body: Data? = nil,
    apiKey: String? = nil
) async throws -> (Int, Data) {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.setValue("acme", forHTTPHeaderField: "x-tenant-id")
    if let apiKey { request.setValue(apiKey, forHTTPHeaderField: "x-api-key") }
    if let body {
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = body
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
