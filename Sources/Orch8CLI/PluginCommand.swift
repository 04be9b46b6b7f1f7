import ArgumentParser
import Foundation
import Orch8Core
import Orch8Plugins

/// `orch8 plugin …`: the registry on a server (PLUGINS.md §2), and `run`, which needs none.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Work with plugins.",
        subcommands: [
            PluginRegisterCommand.self, PluginListCommand.self, PluginGetCommand.self, PluginUpdateCommand.self,
            PluginDeleteCommand.self, PluginRunCommand.self,
        ]
    )
}

/// `orch8 plugin run FILE.wasm`: one call exactly as the engine makes it, for plugin authors.
struct PluginRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a WASM plugin once, as the engine would, and print its output and what it cost."
    )

    @Argument(help: "The .wasm module.")
    var file: String

    @Option(help: "The step's params (JSON).")
    var params = "{}"

    @Option(help: "The instance context: {\"data\": {…}, \"config\": {…}} (JSON).")
    var context = "{}"

    @Option(help: "The plugin's config (JSON), as registered: limits such as memory_pages and fuel.")
    var config = "null"

    @Option(name: .customLong("timeout-ms"), help: "The step's timeout in milliseconds (default 5000).")
    var timeoutMilliseconds: Int = 5_000

    func run() async throws {
        let params = try Self.json(self.params, option: "--params")
        let context = try Self.json(self.context, option: "--context")
        let config = try Self.json(self.config, option: "--config")
        guard timeoutMilliseconds > 0 else { throw ValidationError("--timeout-ms must be > 0") }

        let runtime = WasmRuntime()
        do {
            try runtime.check(path: file, config: config)
        } catch {
            throw ValidationError("\(file): \(error.message)")
        }
        let envelope: JSON = [
            "instance_id": "00000000-0000-0000-0000-000000000000", "block_id": "run", "params": params,
            "context": ["data": context["data"] ?? .emptyObject, "config": context["config"] ?? .emptyObject],
            "attempt": 1, "config": config,
        ]
        let result = await runtime.invoke(
            path: file,
            config: config,
            input: envelope,
            timeout: .milliseconds(timeoutMilliseconds)
        )
        switch result {
        case .success(let call):
            print(call.output.serialized())
            let stats = call.stats
            FileHandle.standardError.write(
                Data(
                    "duration \(Double(stats.duration.components.attoseconds / 1_000_000_000) / 1_000 + Double(stats.duration.components.seconds) * 1e6) µs, fuel \(stats.fuelUsed), peak memory \(stats.peakMemoryPages) pages, module sha256 \(stats.moduleHash)\n"
                        .utf8
                )
            )
        case .failure(let failure):
            FileHandle.standardError.write(
                Data("error (\(failure.retryable ? "retryable" : "permanent")): \(failure.message)\n".utf8)
            )
            throw ExitCode(1)
        }
    }

    private static func json(_ text: String, option: String) throws -> JSON {
        do {
            return try JSON.parse(text)
        } catch {
            throw ValidationError("\(option): \(error)")
        }
    }
}
