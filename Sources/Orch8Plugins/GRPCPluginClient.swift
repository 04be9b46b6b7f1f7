import Foundation
public import Logging
public import Orch8Core

/// Runs `grpc://` and `grpcs://` steps (PLUGINS.md §1, §4): a registered plugin by name, or a
/// direct `host:port/Svc.Method` endpoint when the allow rule admits it; the envelope is POSTed
/// as JSON over a pooled HTTP/2 connection.
public final class GRPCPluginClient: Sendable {
    /// Hosts direct endpoints may call besides those of visible plugins (`ORCH8_GRPC_ALLOWED_HOSTS`).
    public struct AllowedHosts: Sendable, Equatable {
        public var any: Bool
        public var hosts: Set<String>

        /// A comma list of `host:port` entries; `*` allows every host.
        public init(parsing list: String?) {
            let entries = (list ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            any = entries.contains("*")
            hosts = Set(entries.filter { !$0.isEmpty && $0 != "*" })
        }

        func allows(_ authority: String) -> Bool { any || hosts.contains(authority) }
    }

    /// Used when the step has no `timeout`.
    public static let defaultTimeout = Duration.seconds(30)

    let registry: PluginRegistry
    public let pool: HTTP2ConnectionPool
    let allowedHosts: AllowedHosts
    private let logger: Logger

    public init(
        registry: PluginRegistry,
        pool: HTTP2ConnectionPool = HTTP2ConnectionPool(),
        allowedHosts: AllowedHosts = AllowedHosts(parsing: nil),
        logger: Logger = Logger(label: "orch8.plugins.grpc")
    ) {
        self.registry = registry
        self.pool = pool
        self.allowedHosts = allowedHosts
        self.logger = logger
    }

    public static func handles(_ handler: String) -> Bool {
        handler.hasPrefix("grpc://") || handler.hasPrefix("grpcs://")
    }

    /// Calls the plugin or endpoint `invocation.handler` names, telling `observer` what the call cost.
    public func run(
        _ invocation: StepInvocation,
        timeout: Duration?,
        observer: (any PluginCallObserver)? = nil
    ) async -> Result<StepResult, StepFailure> {
        let started = ContinuousClock.now
        let (answer, plugin) = await call(invocation, timeout: timeout)
        var result = answer
        let duration = ContinuousClock.now - started
        let cost: JSON = ["duration_us": .int(duration.microseconds)]
        switch result {
        case .success(var success):
            success.cost = cost
            result = .success(success)
        // A call that never reached an endpoint (unknown plugin, refused host) cost nothing to speak of.
        case .failure(var failure) where plugin != nil:
            failure.cost = cost
            result = .failure(failure)
        case .failure: break
        }
        if let observer {
            let failed = if case .failure = result { true } else { false }
            observer.pluginCallFinished(
                PluginCallReport(
                    plugin: plugin ?? PluginCallReport.unresolved,
                    kind: .grpc,
                    duration: duration,
                    failed: failed
                )
            )
        }
        return result
    }

    /// The call's result and the name of the plugin it resolved to (nil if none).
    private func call(
        _ invocation: StepInvocation,
        timeout: Duration?
    ) async -> (Result<StepResult, StepFailure>, String?) {
        let handler = invocation.handler
        let target: (endpoint: GRPCEndpoint, config: JSON, name: String)
        switch await resolve(handler, tenantID: invocation.tenantID) {
        case .success(let resolved): target = resolved
        case .failure(let failure): return (.failure(failure), nil)
        }
        let body = Array(PluginEnvelope.make(invocation, config: target.config).serialized().utf8)
        let endpoint = HTTP2ConnectionPool.Endpoint(
            host: target.endpoint.host,
            port: target.endpoint.port,
            secure: target.endpoint.secure
        )
        let started = ContinuousClock.now
        let response: HTTP2Response
        do {
            response = try await pool.post(
                endpoint,
                path: target.endpoint.path,
                body: body,
                timeout: timeout ?? Self.defaultTimeout
            )
        } catch {
            let message = "grpc plugin '\(target.name)' at \(endpoint.authority)\(target.endpoint.path): \(error)"
            logger.warning(
                "grpc plugin call failed",
                metadata: invocation.logMetadata(["plugin": "\(target.name)", "error": "\(error)"])
            )
            if case .tooLarge = error { return (.failure(.permanent(message)), target.name) }
            return (.failure(.retryable(message)), target.name)
        }
        let elapsed = ContinuousClock.now - started
        logger.info(
            "grpc plugin call",
            metadata: invocation.logMetadata([
                "plugin": "\(target.name)", "status": "\(response.status)", "duration_us": "\(elapsed.microseconds)",
            ])
        )
        return (Self.classify(response, plugin: target.name), target.name)
    }

    /// 2xx JSON is the output; 5xx is worth a retry; anything else fails for good.
    static func classify(_ response: HTTP2Response, plugin: String) -> Result<StepResult, StepFailure> {
        let text = String(decoding: response.body, as: UTF8.self)
        let head = text.count > 200 ? String(text.prefix(200)) + "…" : text
        switch response.status {
        case 200..<300:
            guard let output = try? JSON.parse(text) else {
                return .failure(
                    .permanent(
                        "grpc plugin '\(plugin)' answered \(response.status) with a body that is not JSON: \(head)"
                    )
                )
            }
            return .success(StepResult(output: output))
        case 500..<600:
            return .failure(
                .retryable(
                    "grpc plugin '\(plugin)' answered \(response.status): \(head)",
                    details: ["status": .int(Int64(response.status))]
                )
            )
        default:
            return .failure(
                .permanent(
                    "grpc plugin '\(plugin)' answered \(response.status): \(head)",
                    details: ["status": .int(Int64(response.status))]
                )
            )
        }
    }

    /// The endpoint, config and display name of a handler, or why it cannot be called.
    private func resolve(
        _ handler: String,
        tenantID: String
    ) async -> Result<(endpoint: GRPCEndpoint, config: JSON, name: String), StepFailure> {
        let scheme = handler.hasPrefix("grpcs://") ? "grpcs://" : "grpc://"
        let rest = String(handler.dropFirst(scheme.count))
        if !rest.contains("/") && !rest.contains(":") {
            let plugin: PluginDefinition?
            do {
                plugin = try await registry.resolve(name: rest, tenantID: tenantID)
            } catch {
                return .failure(.retryable("plugin registry unavailable: \(error)"))
            }
            guard let plugin else { return .failure(.permanent("handler not found: \(handler)")) }
            guard plugin.enabled else { return .failure(.permanent("plugin '\(rest)' is disabled")) }
            guard plugin.pluginType == .grpc else {
                return .failure(
                    .permanent(
                        "plugin '\(rest)' is a \(plugin.pluginType.rawValue) plugin, not grpc: use \(plugin.pluginType.rawValue)://\(rest)"
                    )
                )
            }
            do throws(PluginSourceError) {
                var endpoint = try GRPCEndpoint(parsing: plugin.source)
                if scheme == "grpcs://" { endpoint.secure = true }
                return .success((endpoint, plugin.config, rest))
            } catch {
                return .failure(.permanent("plugin '\(rest)': \(error)"))
            }
        }
        let endpoint: GRPCEndpoint
        do throws(PluginSourceError) {
            endpoint = try GRPCEndpoint(parsing: handler)
        } catch {
            return .failure(.permanent("\(error)"))
        }
        let authority = "\(endpoint.host):\(endpoint.port)"
        if allowedHosts.allows(authority) { return .success((endpoint, .emptyObject, authority)) }
        let visible: [PluginDefinition]
        do {
            visible = try await registry.visible(to: tenantID)
        } catch {
            return .failure(.retryable("plugin registry unavailable: \(error)"))
        }
        let registered = visible.first { plugin in
            guard plugin.enabled, plugin.pluginType == .grpc,
                let known = try? GRPCEndpoint(parsing: plugin.source)
            else { return false }
            return known.host == endpoint.host && known.port == endpoint.port
        }
        guard let registered else {
            return .failure(
                .permanent(
                    "grpc endpoint \(authority) is not allowed: register it as a grpc plugin or list it in ORCH8_GRPC_ALLOWED_HOSTS"
                )
            )
        }
        return .success((endpoint, registered.config, registered.name))
    }
}
