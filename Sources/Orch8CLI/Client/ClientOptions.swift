import ArgumentParser
import Foundation
import Orch8Core

/// The options of every command that talks to a server (ORCH8-SPEC §9): where it is, who is
/// asking, and how answers are printed. Each falls back to its environment variable.
struct ClientOptions: ParsableArguments {
    /// Used when neither `--url` nor `ORCH8_URL` says otherwise.
    static let defaultURL = "http://127.0.0.1:8080/api/v1"

    @Option(name: .customLong("url"), help: "The API's base URL (env ORCH8_URL; default \(Self.defaultURL)).")
    var url: String?

    @Option(name: .customLong("api-key"), help: "Sent as x-api-key (env ORCH8_API_KEY).")
    var apiKey: String?

    @Option(
        name: [.customLong("tenant"), .customLong("tenant-id")],
        help: "Sent as X-Tenant-Id, and the tenant of what is created (env ORCH8_TENANT_ID)."
    )
    var tenant: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "table (default) or json (the server's answer).")
    var output: OutputFormat = .table

    /// The base URL without a trailing slash.
    var resolvedURL: String {
        var text = url ?? Self.environment("ORCH8_URL") ?? Self.defaultURL
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// `--api-key`, else `ORCH8_API_KEY`; nil when both are unset or empty.
    var resolvedAPIKey: String? { apiKey.flatMap { $0.isEmpty ? nil : $0 } ?? Self.environment("ORCH8_API_KEY") }

    /// `--tenant`, else `ORCH8_TENANT_ID`; nil when both are unset or empty.
    var resolvedTenant: String? { tenant.flatMap { $0.isEmpty ? nil : $0 } ?? Self.environment("ORCH8_TENANT_ID") }

    /// The tenant that request bodies name: the chosen one, else the server's default.
    var bodyTenant: String { resolvedTenant ?? "default" }

    func validate() throws {
        guard let components = URLComponents(string: resolvedURL), let scheme = components.scheme,
            ["http", "https"].contains(scheme.lowercased()), components.host?.isEmpty == false
        else {
            throw ValidationError("--url: expected http://HOST:PORT/api/v1, got '\(resolvedURL)'")
        }
    }

    /// Runs `body` with a client for these options, then closes it. A ``ClientError`` is printed
    /// on standard error and ends the command with exit status 1.
    func perform(_ body: (APIClient) async throws -> Void) async throws {
        let client = APIClient(baseURL: resolvedURL, apiKey: resolvedAPIKey, tenant: resolvedTenant)
        var failure: (any Error)?
        do {
            try await body(client)
        } catch {
            failure = error
        }
        try? await client.shutdown()
        if let error = failure as? ClientError {
            Terminal.printError("error: \(error.description)")
            throw ExitCode.failure
        }
        if let failure { throw failure }
    }

    /// Prints `json` as it came (pretty) for `-o json`, else what `table` makes of it.
    func emit(_ json: JSON, table: (JSON) -> String) {
        switch output {
        case .json: print(json.pretty())
        case .table:
            let text = table(json)
            if !text.isEmpty { print(text) }
        }
    }

    private static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// How answers are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
