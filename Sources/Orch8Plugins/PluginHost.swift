import Foundation
public import Logging
public import Orch8Core

/// What the engine and the API share about plugins: the registry, the source checks, the WASM
/// runtime and the gRPC client. Resolves `wasm://` and `grpc://` handlers for a tenant and runs
/// them (PLUGINS.md §1, §3, §4).
public final class PluginHost: Sendable {
    public let registry: PluginRegistry
    public let wasm: WasmRuntime
    public let grpc: GRPCPluginClient
    public let checker: PluginSourceChecker
    private let logger: Logger

    public init(
        store: any Store,
        wasm: WasmRuntime,
        grpcPool: HTTP2ConnectionPool = HTTP2ConnectionPool(),
        grpcAllowedHosts: GRPCPluginClient.AllowedHosts = GRPCPluginClient.AllowedHosts(parsing: nil),
        logger: Logger = Logger(label: "orch8.plugins")
    ) {
        registry = PluginRegistry(store: store)
        self.wasm = wasm
        grpc = GRPCPluginClient(registry: registry, pool: grpcPool, allowedHosts: grpcAllowedHosts)
        checker = PluginSourceChecker(wasm: wasm)
        self.logger = logger
    }

    /// Whether this host runs `handler` (a `wasm://`, `grpc://` or `grpcs://` handler).
    public static func handles(_ handler: String) -> Bool {
        handler.hasPrefix("wasm://") || GRPCPluginClient.handles(handler)
    }

    /// Runs a plugin step for the invocation's tenant, telling `observer` what the call cost.
    public func run(
        _ invocation: StepInvocation,
        timeout: Duration?,
        observer: (any PluginCallObserver)? = nil
    ) async -> Result<StepResult, StepFailure> {
        if GRPCPluginClient.handles(invocation.handler) {
            return await grpc.run(invocation, timeout: timeout, observer: observer)
        }
        let started = ContinuousClock.now
        let (result, plugin, fuel) = await runWasm(invocation, timeout: timeout)
        if let observer {
            let failed = if case .failure = result { true } else { false }
            observer.pluginCallFinished(
                PluginCallReport(
                    plugin: plugin ?? PluginCallReport.unresolved,
                    kind: .wasm,
                    duration: ContinuousClock.now - started,
                    fuelUsed: fuel,
                    failed: failed
                )
            )
        }
        return result
    }

    /// A `wasm://` call: its result, the plugin it resolved to (nil if none) and the fuel it used.
    private func runWasm(
        _ invocation: StepInvocation,
        timeout: Duration?
    ) async -> (Result<StepResult, StepFailure>, String?, UInt64) {
        let name = String(invocation.handler.dropFirst("wasm://".count))
        guard wasm.configuration.enabled else {
            return (.failure(.permanent("WASM plugins are disabled on this server (ORCH8_WASM_ENABLED=false)")), nil, 0)
        }
        let plugin: PluginDefinition?
        do {
            plugin = try await registry.resolve(name: name, tenantID: invocation.tenantID)
        } catch {
            return (.failure(.retryable("plugin registry unavailable: \(error)")), nil, 0)
        }
        guard let plugin else { return (.failure(.permanent("handler not found: wasm://\(name)")), nil, 0) }
        guard plugin.enabled else { return (.failure(.permanent("plugin '\(name)' is disabled")), nil, 0) }
        guard plugin.pluginType == .wasm else {
            let failure = StepFailure.permanent(
                "plugin '\(name)' is a \(plugin.pluginType.rawValue) plugin, not wasm: use grpc://\(name)"
            )
            return (.failure(failure), nil, 0)
        }
        let envelope = PluginEnvelope.make(invocation, config: plugin.config)
        let result = await wasm.invoke(path: plugin.source, config: plugin.config, input: envelope, timeout: timeout)
        switch result {
        case .success(let call):
            logger.info(
                "wasm plugin call",
                metadata: invocation.logMetadata([
                    "plugin": "\(name)", "duration_us": "\(call.stats.duration.microseconds)",
                    "fuel": "\(call.stats.fuelUsed)", "peak_memory_pages": "\(call.stats.peakMemoryPages)",
                    "module_hash": "\(call.stats.moduleHash)",
                ])
            )
            return (.success(StepResult(output: call.output, cost: call.stats.json)), name, call.stats.fuelUsed)
        case .failure(let failure):
            var metadata: Logger.Metadata = ["plugin": "\(name)", "error": "\(failure.message)"]
            for (key, value) in failure.cost?.objectValue ?? [:] {
                metadata[key] = "\(value.stringValue ?? value.serialized())"
            }
            logger.warning("wasm plugin call failed", metadata: invocation.logMetadata(metadata))
            let fuel = failure.cost?["fuel"]?.intValue.map { UInt64(clamping: $0) } ?? 0
            return (.failure(failure), name, fuel)
        }
    }
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
