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

extension WasmCallStats {
    /// The cost of a call that failed before the module's figures were known (it did not
    /// instantiate, or its deadline passed while it ran): how long, and which module.
    static func partialCost(duration: Duration, moduleHash: String) -> JSON {
        ["duration_us": .int(duration.microseconds), "module_hash": .string(moduleHash)]
    }

    /// The cost record kept with the step's output or error row.
    var json: JSON {
        [
            "duration_us": .int(duration.microseconds),
            "fuel": .int(Int64(clamping: fuelUsed)),
            "peak_memory_pages": .int(Int64(peakMemoryPages)),
            "module_hash": .string(moduleHash),
        ]
    }
}
