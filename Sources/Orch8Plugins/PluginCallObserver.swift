/// One plugin call as metrics see it: which plugin, what it cost, whether it failed.
///
/// The host reports only what it resolved: the registered name (or, for a gRPC endpoint called
/// directly, its `host:port`), never anything per instance, so that labels stay few.
public struct PluginCallReport: Sendable {
    /// The plugin's runtime.
    public enum Kind: String, Sendable {
        case wasm
        case grpc
    }

    /// The plugin's name; ``unresolved`` when the handler named nothing callable.
    public var plugin: String
    public var kind: Kind
    /// From the host's start of the call to its answer (queueing for a guest thread included).
    public var duration: Duration
    /// WASM fuel the guest burnt, failed calls included; 0 for gRPC and for calls that never reached
    /// the guest.
    public var fuelUsed: UInt64
    public var failed: Bool

    /// The name reported for a handler that resolved to no plugin (unknown, disabled, wrong kind).
    public static let unresolved = "unresolved"

    public init(plugin: String, kind: Kind, duration: Duration, fuelUsed: UInt64 = 0, failed: Bool) {
        self.plugin = plugin
        self.kind = kind
        self.duration = duration
        self.fuelUsed = fuelUsed
        self.failed = failed
    }
}

/// Told about every plugin call a ``PluginHost`` makes for it (the engine's metrics). Called on the
/// calling task right after the call: it must be cheap and must not block.
public protocol PluginCallObserver: Sendable {
    func pluginCallFinished(_ report: PluginCallReport)
}
