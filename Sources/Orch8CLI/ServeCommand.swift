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
            Settings come from defaults, then orch8.toml (or the file --config or ORCH8_CONFIG names), \
            then ORCH8_* environment variables, then these options; each later source wins. \
            docs/configuration.md lists every key, e.g. ORCH8_API_KEY (root key; without one the server \
            runs open), ORCH8_REQUIRE_TENANT_HEADER, ORCH8_BATCH_SIZE, ORCH8_WORKER_REAPER_STALE_SECS.
            """
    )

    @Option(
        name: .customLong("config"),
        help: "TOML configuration file (env ORCH8_CONFIG). Default ./orch8.toml when it exists."
    )
    var configFile: String?

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

    @Flag(name: .customLong("log-json"), help: "Log one JSON object per line (env ORCH8_LOG_JSON).")
    var logJSON = false

    @Option(name: .customLong("node-id"), help: "The name this node's leases carry (env ORCH8_NODE_ID).")
    var nodeID: String?

    /// The options given, as the settings resolver takes them.
    var commandLineSettings: [CommandLineSetting] {
        var given: [CommandLineSetting] = []
        if let httpAddress { given.append(CommandLineSetting(flag: "--http-addr", value: httpAddress)) }
        if let databaseURL { given.append(CommandLineSetting(flag: "--database-url", value: databaseURL)) }
        if insecure { given.append(CommandLineSetting(flag: "--insecure", value: "true")) }
        if durable { given.append(CommandLineSetting(flag: "--durable", value: "true")) }
        if let logLevel { given.append(CommandLineSetting(flag: "--log-level", value: logLevel)) }
        if logJSON { given.append(CommandLineSetting(flag: "--log-json", value: "true")) }
        if let nodeID { given.append(CommandLineSetting(flag: "--node-id", value: nodeID)) }
        return given
    }

    func run() async throws {
        // A bad setting ends the process here with its source and key, before anything starts.
        let settings = try ServerSettings.resolve(
            configFile: configFile,
            environment: ProcessInfo.processInfo.environment,
            flags: commandLineSettings
        )
        let level = settings.logLevel
        let json = settings.logJSON
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "orch8")
        logger.logLevel = level
        for warning in settings.warnings { logger.warning("\(warning)") }
        if let file = settings.configFile { logger.info("configuration read", metadata: ["file": "\(file)"]) }

        let url = settings.databaseURL
        let store: any Store
        do {
            if Stores.isPostgres(url) {
                store = try await PostgresStore.connect(url: url, maximumConnections: settings.databaseMaxConnections)
            } else {
                store = try await Stores.open(url: url, durable: settings.durable)
            }
        } catch {
            throw SettingError(source: nil, key: "database.url", message: "\(Stores.redacted(url)): \(error)")
        }
        // Running open while a key is configured would silently drop the key (and a leftover
        // ORCH8_INSECURE could override a key given with higher precedence): refuse the mix.
        if settings.insecure && settings.apiKey != nil {
            throw SettingError(
                source: nil,
                key: "api.insecure",
                message: "set together with a root API key (api.api_key / ORCH8_API_KEY): remove one of them"
            )
        }
        if settings.apiKey == nil && !settings.insecure {
            logger.warning(
                "no API key set (ORCH8_API_KEY or api.api_key): running without authentication (pass --insecure to silence this)"
            )
        }

        let tls: HTTP2TLS
        do {
            tls = try HTTP2TLS(
                caFile: settings.grpcTLS.ca,
                certificateFile: settings.grpcTLS.certificate,
                keyFile: settings.grpcTLS.key
            )
        } catch {
            throw SettingError(source: nil, key: "plugins.grpc.tls_*", message: "\(error)")
        }
        let plugins = PluginHost(
            store: store,
            wasm: WasmRuntime(configuration: settings.wasm),
            grpcPool: HTTP2ConnectionPool(tls: tls),
            grpcAllowedHosts: GRPCPluginClient.AllowedHosts(parsing: settings.grpcAllowedHosts.joined(separator: ","))
        )
        let engineConfiguration = settings.engine
        let engine = Engine(
            store: store,
            configuration: engineConfiguration,
            handlers: BuiltinHandlers.standard(allowInternalURLs: settings.allowInternalURLs),
            plugins: plugins,
            logger: Logger(label: "orch8.engine")
        )
        let api = settings.api
        let app = buildApplication(configuration: api, store: store, engine: engine, services: [engine], logger: logger)
        logger.info(
            "orch8 listening",
            metadata: [
                "address": "\(api.host):\(api.port)", "database": "\(Stores.redacted(url))",
                "node": "\(engineConfiguration.nodeID)",
            ]
        )
        try await app.runService()
    }
}

/// `orch8 migrate`: creates or upgrades the schema and exits (serve also does it at start). It reads
/// the database URL from the same places as `serve`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the database schema."
    )

    @Option(
        name: .customLong("config"),
        help: "TOML configuration file (env ORCH8_CONFIG). Default ./orch8.toml when it exists."
    )
    var configFile: String?

    @Option(
        name: .customLong("database-url"),
        help: "sqlite://PATH or postgres://USER@HOST:PORT/DB (env ORCH8_DATABASE_URL). Default sqlite://orch8.db."
    )
    var databaseURL: String?

    func run() async throws {
        let settings = try ServerSettings.resolve(
            configFile: configFile,
            environment: ProcessInfo.processInfo.environment,
            flags: databaseURL.map { [CommandLineSetting(flag: "--database-url", value: $0)] } ?? []
        )
        for warning in settings.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let url = settings.databaseURL
        do {
            _ = try await Stores.open(url: url, durable: false)
        } catch {
            throw SettingError(source: nil, key: "database.url", message: "\(Stores.redacted(url)): \(error)")
        }
        print("schema up to date: \(Stores.redacted(url))")
    }
}
