public import Orch8Core

/// A successful call: the output and what it cost.
public struct WasmCall: Sendable {
    public var output: JSON
    public var stats: WasmCallStats
}

/// What a call cost, for logs and metrics (PLUGINS.md §6).
public struct WasmCallStats: Sendable {
    public var duration: Duration
    public var fuelUsed: UInt64
    public var peakMemoryPages: Int
    public var moduleHash: String
}
