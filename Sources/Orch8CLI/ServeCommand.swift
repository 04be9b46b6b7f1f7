import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Orch8API
import Orch8Core
import Orch8Engine
import Orch8Handlers
import Orch8Plugins
import Orch8Storage

/// `orch8 serve`: the REST API and the engine in one process, on SQLite by default.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the REST API and the engine.",
        discussion: """
            Environment: ORCH8_API_KEY (root key; without one the server runs open), \
            ORCH8_REQUIRE_TENANT_HEADER, ORCH8_WASM_ENABLED, ORCH8_WASM_MAX_MEMORY_PAGES, ORCH8_GRPC_ALLOWED_HOSTS, \
            ORCH8_GRPC_TLS_CA, ORCH8_GRPC_TLS_CERT and ORCH8_GRPC_TLS_KEY (PEM files for grpcs://), \
            ORCH8_ALLOW_INTERNAL_URLS=1 (http_request may call loopback and private addresses), \
            ORCH8_WORKER_REAPER_TICK_SECS (default 1), ORCH8_WORKER_REAPER_STALE_SECS (default 60), \
            ORCH8_ENV_LABEL, ORCH8_ENV_COLOR, and the variables named beside the options below.
            """
    )

    @Option(name: .customLong("http-addr"), help: "Address to listen on (env ORCH8_HTTP_ADDR). Default 127.0.0.1:8080.")
    var httpAddress: String?

    @Option(
        name: .customLong("database-url"),
        help:
            "sqlite://PATH, sqlite::memory: or postgres://USER@HOST:PORT/DB (env ORCH8_DATABASE_URL). Default sqlite://orch8.db."
    )
    var databaseURL: String?

    @Flag(help: "Run without an API key: every request is treated as the administrator.")
    var insecure = false

    @Flag(help: "Sync every commit to disk (SQLite synchronous=FULL): slower, survives power loss.")
    var durable = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (env ORCH8_LOG_LEVEL).")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "orch8")
        let levelText = logLevel ?? environment["ORCH8_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("--log-level: unknown level '\(levelText)'")
        }
        logger.logLevel = level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }

        let address = try ListenAddress(parsing: httpAddress ?? environment["ORCH8_HTTP_ADDR"] ?? "127.0.0.1:8080")
        let url = databaseURL ?? environment["ORCH8_DATABASE_URL"] ?? "sqlite://orch8.db"
        let store: any Store
        do {
            store = try await Stores.open(url: url, durable: durable)
        } catch {
            throw ValidationError("--database-url \(Stores.redacted(url)): \(error)")
        }

        let apiKey = environment["ORCH8_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if apiKey == nil && !insecure {
            logger.warning("no ORCH8_API_KEY set: running without authentication (pass --insecure to silence this)")
        }
        var api = APIConfiguration()
        api.host = address.host
        api.port = address.port
        api.apiKey = insecure ? nil : apiKey
        if let required = environment["ORCH8_REQUIRE_TENANT_HEADER"] {
            api.requireTenantHeader = !["0", "false", "no"].contains(required.lowercased())
        }
        api.allowNoTenantIsolation = environment["ORCH8_ALLOW_NO_TENANT_ISOLATION"] == "1"
        api.environmentLabel = environment["ORCH8_ENV_LABEL"]
        api.environmentColor = environment["ORCH8_ENV_COLOR"]
        do {
            try api.validate()
        } catch {
            throw ValidationError(error.message)
        }

        var wasm = WasmConfiguration()
        if let enabled = environment["ORCH8_WASM_ENABLED"] {
            wasm.enabled = !["0", "false", "no"].contains(enabled.lowercased())
        }
        if let pages = environment["ORCH8_WASM_MAX_MEMORY_PAGES"] {
            guard let value = Int(pages), value > 0, value <= 65_536 else {
                throw ValidationError("ORCH8_WASM_MAX_MEMORY_PAGES: expected 1-65536 pages, got '\(pages)'")
            }
            wasm.maxMemoryPages = value
        }
        var engineConfiguration = EngineConfiguration()
        // Leases name their node: on a shared database each running node needs its own name. A node
        // that keeps its name across restarts takes its leases back at once; a new name waits for
        // them to expire (ORCH8_LEASE_SECS).
        if let node = environment["ORCH8_NODE_ID"], !node.isEmpty {
            engineConfiguration.nodeID = node
        } else if Stores.isPostgres(url) {
            engineConfiguration.nodeID =
                "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        }
        if let lease = try Self.seconds(environment, "ORCH8_LEASE_SECS") {
            engineConfiguration.leaseDuration = lease
        }
        if let tick = try Self.seconds(environment, "ORCH8_WORKER_REAPER_TICK_SECS") {
            engineConfiguration.workerReaperInterval = tick
        }
        if let stale = try Self.seconds(environment, "ORCH8_WORKER_REAPER_STALE_SECS") {
            engineConfiguration.workerStaleAfter = stale
        }
        let tls: HTTP2TLS
        do {
            tls = try HTTP2TLS(
                caFile: environment["ORCH8_GRPC_TLS_CA"],
                certificateFile: environment["ORCH8_GRPC_TLS_CERT"],
                keyFile: environment["ORCH8_GRPC_TLS_KEY"]
            )
        } catch {
            throw ValidationError("ORCH8_GRPC_TLS_*: \(error)")
        }
        let plugins = PluginHost(
            store: store,
            wasm: WasmRuntime(configuration: wasm),
            grpcPool: HTTP2ConnectionPool(tls: tls),
            grpcAllowedHosts: GRPCPluginClient.AllowedHosts(parsing: environment["ORCH8_GRPC_ALLOWED_HOSTS"])
        )
        let engine = Engine(
            store: store,
            configuration: engineConfiguration,
            handlers: BuiltinHandlers.standard(allowInternalURLs: environment["ORCH8_ALLOW_INTERNAL_URLS"] == "1"),
            plugins: plugins,
            logger: Logger(label: "orch8.engine")
        )
        let app = buildApplication(configuration: api, store: store, engine: engine, services: [engine], logger: logger)
        logger.info(
            "orch8 listening",
            metadata: [
                "address": "\(address.host):\(address.port)", "database": "\(Stores.redacted(url))",
                "node": "\(engineConfiguration.nodeID)",
            ]
        )
        try await app.runService()
    }
}

extension ServeCommand {
    /// A positive number of seconds (fractions allowed) from `name`, nil when unset.
    /// - Throws: `ValidationError` naming the variable for anything else.
    static func seconds(_ environment: [String: String], _ name: String) throws -> Duration? {
        guard let text = environment[name] else { return nil }
        guard let value = Double(text), value > 0, value <= 86_400 else {
            throw ValidationError("\(name): expected a number of seconds between 0 and 86400, got '\(text)'")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}

/// `orch8 migrate`: creates or upgrades the schema and exits (serve also does it at start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the database schema."
    )

    @Option(
        name: .customLong("database-url"),
        help: "sqlite://PATH or postgres://USER@HOST:PORT/DB (env ORCH8_DATABASE_URL). Default sqlite://orch8.db."
    )
    var databaseURL: String?

    func run() async throws {
        let url = databaseURL ?? ProcessInfo.processInfo.environment["ORCH8_DATABASE_URL"] ?? "sqlite://orch8.db"
        do {
            _ = try await Stores.open(url: url, durable: false)
        } catch {
            throw ValidationError("--database-url \(Stores.redacted(url)): \(error)")
        }
        print("schema up to date: \(url)")
    }
}

/// `HOST:PORT`, with a clear error for anything else.
struct ListenAddress {
    var host: String
    var port: Int

    init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port), colon != text.startIndex
        else {
            throw ValidationError("--http-addr: expected HOST:PORT such as 127.0.0.1:8080, got '\(text)'")
        }
        host = String(text[..<colon])
        self.port = port
    }
}
