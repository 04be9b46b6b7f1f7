import Foundation
import Logging
import Orch8API
import Orch8Engine
import Orch8Plugins
import Orch8Storage

/// Everything `orch8 serve` runs with. Each setting starts at its default and is overridden, in
/// this order, by `orch8.toml`, by `ORCH8_*` environment variables and by command-line options
/// (``resolve(configFile:environment:flags:)``); ``keys`` lists them.
struct ServerSettings {
    /// Listen address, API key, tenancy and request limits.
    var api = APIConfiguration()
    /// Scheduling; `nodeID` is settled last (``nodeID``).
    var engine = EngineConfiguration()
    /// The WASM sandbox's switches and limits.
    var wasm = WasmConfiguration()
    /// `sqlite://PATH`, `sqlite::memory:` or `postgres://…`.
    var databaseURL = "sqlite://orch8.db"
    /// PostgreSQL only: connections in the pool.
    var databaseMaxConnections = 20
    /// SQLite only: synchronous=FULL.
    var durable = false
    /// The root API key as configured; ``api`` gets it unless ``insecure``.
    var apiKey: String?
    /// Run without an API key and without the warning about it.
    var insecure = false
    /// Lowest level logged.
    var logLevel: Logger.Level = .info
    /// One JSON object per log line instead of text.
    var logJSON = false
    /// The name this node's leases carry; nil picks `local` on SQLite, `<host>-<pid>` on PostgreSQL.
    var nodeID: String?
    /// `host:port` entries (or `*`) that direct `grpc://host:port/…` steps may call.
    var grpcAllowedHosts: [String] = []
    /// PEM files for `grpcs://` plugins: trust roots, and this engine's client certificate and key.
    var grpcTLS = (ca: String?.none, certificate: String?.none, key: String?.none)
    /// Lets `http_request` call loopback and private addresses.
    var allowInternalURLs = false
    /// The configuration file read, if any.
    var configFile: String?
    /// What the operator should hear about once logging is set up (unknown keys in the file).
    var warnings: [String] = []

    /// The file read when neither `--config` nor `ORCH8_CONFIG` names one; it may be absent.
    static let defaultConfigFile = "orch8.toml"
    /// A configuration file larger than this is refused rather than read.
    static let maxConfigFileBytes = 1 << 20
}

/// A value given on the command line, by its option name (`--http-addr`).
struct CommandLineSetting {
    var flag: String
    var value: String
}

extension ServerSettings {
    /// Resolves every setting: defaults, then the configuration file, then the environment, then
    /// the command line.
    /// - Parameters:
    ///   - configFile: the `--config` option, if given. Otherwise `ORCH8_CONFIG`, otherwise
    ///     `orch8.toml` if it exists. A file named explicitly must exist.
    ///   - flags: the options given, in any order (each at most once).
    /// - Throws: ``SettingError`` naming the source and the key of the first bad value.
    static func resolve(
        configFile: String?,
        environment: [String: String],
        flags: [CommandLineSetting]
    ) throws(SettingError) -> ServerSettings {
        var settings = ServerSettings()
        let byPath = Dictionary(keys.map { ($0.path, $0) }) { first, _ in first }

        if let file = try locateConfigFile(flag: configFile, environment: environment) {
            settings.configFile = file
            try settings.apply(try readConfigFile(file), file: file, keys: byPath)
        }
        for key in keys {
            // Aliases first, so that the documented name wins when both are set.
            for name in key.environment.reversed() {
                guard let text = environment[name], !text.isEmpty else { continue }
                try settings.apply(key, .text(text), source: .environment(name))
            }
        }
        settings.warnings += environmentWarnings(environment)
        for given in flags {
            guard let key = keys.first(where: { $0.flag == given.flag }) else {
                throw SettingError(source: .flag(given.flag), key: nil, message: "not a setting")
            }
            try settings.apply(key, .text(given.value), source: .flag(given.flag))
        }
        try settings.settle()
        return settings
    }

    /// Stores one value, naming its source and key if it is refused.
    mutating func apply(_ key: SettingKey, _ value: SettingValue, source: SettingSource) throws(SettingError) {
        do {
            try key.apply(&self, value)
        } catch let problem as SettingProblem {
            throw SettingError(source: source, key: key.path, message: problem.message)
        } catch {
            throw SettingError(source: source, key: key.path, message: "\(error)")
        }
    }

    /// Settings that depend on others, and checks across settings.
    private mutating func settle() throws(SettingError) {
        // Leases name their node: on a shared database each running node needs its own name. A node
        // that keeps its name across restarts takes its leases back at once; a new name waits for
        // them to expire (engine.lease_secs).
        if let nodeID {
            engine.nodeID = nodeID
        } else if Stores.isPostgres(databaseURL) {
            engine.nodeID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        }
        api.apiKey = insecure ? nil : apiKey
        do {
            try api.validate()
        } catch {
            throw SettingError(source: nil, key: nil, message: error.message)
        }
    }
}
