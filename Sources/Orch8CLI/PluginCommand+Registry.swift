import ArgumentParser
import Foundation
import NIOHTTP1
import Orch8Core

/// The `label: value` view of one plugin and the table of several.
enum PluginViews {
    static func details(_ plugin: JSON) -> String {
        Table.details(
            [
                "name", "plugin_type", "tenant_id", "enabled", "source", "config", "description", "created_at",
                "updated_at",
            ]
            .map { ($0, plugin[$0]?.cell ?? "-") }
        )
    }

    static func table(_ plugins: JSON) -> String {
        let rows = (plugins.arrayValue ?? []).map { plugin in
            ["name", "plugin_type", "tenant_id", "enabled", "source", "updated_at"].map { plugin[$0]?.cell ?? "-" }
        }
        return Table(["name", "type", "tenant", "enabled", "source", "updated"], rows: rows).rendered()
    }
}

/// `orch8 plugin register NAME SOURCE`.
struct PluginRegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a plugin: a .wasm file the server can read, or a gRPC host:port/Service.Method.",
        discussion: """
            The server checks the source before it stores the plugin. A relative .wasm path that exists \
            here is sent as an absolute path (the server reads the file, not the CLI).
            """
    )

    @Argument(help: "The plugin's name (steps call it as wasm://NAME or grpc://NAME).")
    var name: String

    @Argument(help: "A .wasm path on the server, or host:port/Service.Method for gRPC.")
    var source: String

    @Option(help: "wasm or grpc; inferred from a .wasm or grpc:// source.")
    var type: PluginKind?

    @Option(help: "The plugin's config, JSON or @FILE (for wasm: limits such as fuel and memory_pages).")
    var config: String?

    @Option(help: "What the plugin does.")
    var description: String?

    @Flag(help: "Register it disabled.")
    var disabled = false

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let kind = try type ?? PluginKind(inferringFrom: source)
        var source = self.source
        if kind == .wasm, !source.hasPrefix("/"), FileManager.default.fileExists(atPath: source) {
            source = URL(fileURLWithPath: source).standardizedFileURL.path
        }
        var body: JSON = [
            "name": .string(name), "plugin_type": .string(kind.rawValue), "source": .string(source),
            "enabled": .bool(!disabled),
        ]
        if let tenant = options.resolvedTenant { body["tenant_id"] = .string(tenant) }
        if let config { body["config"] = try JSONArgument.parse(config, option: "--config") }
        if let description { body["description"] = .string(description) }
        try await options.perform { client in
            options.emit(try await client.send(.POST, "/plugins", body: body), table: PluginViews.details)
        }
    }
}

/// `orch8 plugin list`.
struct PluginListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the plugins the tenant sees (its own and the global ones)."
    )

    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.perform { client in
            options.emit(try await client.get("/plugins"), table: PluginViews.table)
        }
    }
}

/// `orch8 plugin get NAME`.
struct PluginGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one plugin.")

    @Argument(help: "The plugin's name.")
    var name: String

    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.perform { client in
            options.emit(try await client.get("/plugins/\(APIClient.segment(name))"), table: PluginViews.details)
        }
    }
}

/// `orch8 plugin update NAME`: the fields `PATCH /plugins/{name}` may change.
struct PluginUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a plugin's source, config, description, or whether it is enabled."
    )

    @Argument(help: "The plugin's name.")
    var name: String

    @Option(help: "A new source (checked by the server as on registration).")
    var source: String?

    @Option(help: "A new config, JSON or @FILE (null clears it).")
    var config: String?

    @Option(help: "A new description.")
    var description: String?

    @Flag(help: "Enable or disable the plugin.")
    var switched: Switch?

    /// `--enable` / `--disable`.
    enum Switch: String, EnumerableFlag {
        case enable
        case disable
    }

    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard source != nil || config != nil || description != nil || switched != nil else {
            throw ValidationError("nothing to change: give --source, --config, --description, --enable or --disable")
        }
    }

    func run() async throws {
        var body: JSON = [:]
        if var source {
            if !source.hasPrefix("/"), source.hasSuffix(".wasm"), FileManager.default.fileExists(atPath: source) {
                source = URL(fileURLWithPath: source).standardizedFileURL.path
            }
            body["source"] = .string(source)
        }
        if let config { body["config"] = try JSONArgument.parse(config, option: "--config") }
        if let description { body["description"] = .string(description) }
        if let switched { body["enabled"] = .bool(switched == .enable) }
        try await options.perform { client in
            let plugin = try await client.send(.PATCH, "/plugins/\(APIClient.segment(name))", body: body)
            options.emit(plugin, table: PluginViews.details)
        }
    }
}

/// `orch8 plugin delete NAME`.
struct PluginDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a plugin.")

    @Argument(help: "The plugin's name.")
    var name: String

    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.perform { client in
            _ = try await client.send(.DELETE, "/plugins/\(APIClient.segment(name))")
            // 204 has no body: -o json prints nothing, the table form says what happened.
            if options.output == .table { print("deleted plugin '\(name)'") }
        }
    }
}

/// A plugin's type, as `plugin_type` spells it.
enum PluginKind: String, ExpressibleByArgument, CaseIterable {
    case wasm
    case grpc

    /// `.wasm` files are WASM, `grpc://` and `grpcs://` endpoints gRPC; anything else must say.
    init(inferringFrom source: String) throws {
        if source.lowercased().hasSuffix(".wasm") {
            self = .wasm
        } else if source.hasPrefix("grpc://") || source.hasPrefix("grpcs://") {
            self = .grpc
        } else {
            throw ValidationError("--type: cannot tell from '\(source)' whether it is wasm or grpc; say --type")
        }
    }
}
