/// Limits and switches of the WASM sandbox; plain data filled by the CLI (PLUGINS.md §3).
public struct WasmConfiguration: Sendable {
    /// `ORCH8_WASM_ENABLED`: when false, `wasm://` steps fail permanently.
    public var enabled = true
    /// A plugin's memory when its config sets no `memory_pages`: 256 pages = 16 MiB.
    public var defaultMemoryPages = 256
    /// `ORCH8_WASM_MAX_MEMORY_PAGES`: the operator's cap over every plugin's `memory_pages`.
    public var maxMemoryPages = 1_024
    /// The time limit of a wasm step without a `timeout`.
    public var defaultTimeout: Duration = .seconds(5)
    /// Fuel a guest burns per second at worst, used to turn a deadline into a fuel budget so that
    /// a call past its deadline cannot hold a thread much longer (about 3e8/s measured here).
    public var fuelPerSecond: Double = 300_000_000
    /// Threads that run guest code, apart from Swift's cooperative pool.
    public var threads = 4
    /// Fuel of the first try of a call on the caller's thread, when an idle instance of its module
    /// is ready (about 100 µs of the slowest guest code in a release build); 0 sends every call to
    /// a guest thread at once.
    public var trialFuel: UInt64 = 30_000
    /// The largest result a plugin may return.
    public var maxOutputBytes = 16 * 1024 * 1024
    /// How often a module file is checked for changes (hot reload).
    public var fileCheckInterval: Duration = .seconds(1)

    public init() {}
}
