import Foundation
public import Orch8Core
import Synchronization
@_spi(Fuzzing) import WasmKit

/// Runs WASM plugins: modules cached by content hash, every call in a fresh instance on a dedicated
/// thread, with memory, fuel and time limits (PLUGINS.md §3).
public final class WasmRuntime: Sendable {
    public let configuration: WasmConfiguration
    private let engine: WasmKit.Engine
    private let cache: WasmModuleCache
    private let pool: WasmThreadPool
    private let idle = GuestPool()
    private let stacks: ExecutionStackPool
    private let deadlines = DeadlineWatchdog()
    let instantiations = Counter()
    /// Calls tried on the caller's thread, and those of them that ran out of the slice and ran
    /// again on a guest thread.
    let trials = Counter()
    let trialReruns = Counter()

    public init(configuration: WasmConfiguration = WasmConfiguration()) {
        self.configuration = configuration
        engine = WasmKit.Engine(configuration: EngineConfiguration(memoryBoundsChecking: .software, fuelMetering: true))
        cache = WasmModuleCache(checkInterval: configuration.fileCheckInterval)
        pool = WasmThreadPool(threads: configuration.threads, engine: engine)
        stacks = ExecutionStackPool(engine: engine)
    }

    /// Checks a module for registration: it exists, parses, imports nothing, exports `memory`,
    /// `alloc(i32) -> i32` and `handle(i32, i32) -> i64` (and `dealloc(i32, i32)` if at all), and
    /// its initial memory fits the limit.
    public func check(path: String, config: JSON) throws(PluginSourceError) {
        let loaded = try cache.load(path: path)
        if let problem = loaded.problem { throw PluginSourceError(problem) }
        let pages = memoryPages(config)
        let store = Store(engine: engine)
        let limiter = MemoryLimiter(maxPages: pages)
        store.resourceLimiter = limiter
        store.fuel = Fuel(remaining: 10_000_000)
        let instance: Instance
        do {
            instance = try loaded.module.instantiate(store: store)
        } catch {
            if limiter.refusedGrowth {
                throw PluginSourceError("module's initial memory exceeds the limit of \(pages) pages")
            }
            throw PluginSourceError("module cannot be instantiated: \(String(describing: error).prefix(200))")
        }
        guard instance.exports[memory: "memory"] != nil else { throw PluginSourceError("module must export `memory`") }
        let expected: [(String, FunctionType, Bool)] = [
            ("alloc", FunctionType(parameters: [.i32], results: [.i32]), true),
            ("handle", FunctionType(parameters: [.i32, .i32], results: [.i64]), true),
            ("dealloc", FunctionType(parameters: [.i32, .i32], results: []), false),
        ]
        for (name, type, required) in expected {
            guard let function = instance.exports[function: name] else {
                if required { throw PluginSourceError("module must export function `\(name)`") }
                continue
            }
            guard function.type == type else {
                throw PluginSourceError(
                    "export `\(name)` must have type \(Self.describe(type)), found \(Self.describe(function.type))"
                )
            }
        }
    }

    /// ``check(path:config:)`` on a guest thread: instantiating runs the module's start function,
    /// which must not occupy one of the few threads that serve requests.
    public func checkOnGuestThread(path: String, config: JSON) async throws(PluginSourceError) {
        let outcome = OneShot<PluginSourceError?>()
        let error = await withCheckedContinuation { continuation in
            outcome.attach(continuation)
            pool.submit { _ in
                do throws(PluginSourceError) {
                    try self.check(path: path, config: config)
                    outcome.resolve(nil)
                } catch {
                    outcome.resolve(error)
                }
            }
        }
        if let error { throw error }
    }

    /// Guest calls running on the runtime's threads now, including calls whose caller has already
    /// been answered at its deadline (a guest cannot be interrupted; its fuel budget stops it).
    public var guestCallsInProgress: Int { pool.activeJobs }

    /// Runs the module at `path` on `input` (the envelope) under the plugin's limits. Never throws:
    /// every problem is a classified ``StepFailure``, carrying what the call cost where it got as
    /// far as the module.
    ///
    /// A call that finds an idle instance of its module is first tried on the caller's thread with
    /// a small fuel slice (``WasmConfiguration/trialFuel``): most plugin calls finish well within
    /// it, and then skip two thread hops. A module imports nothing, so a call is a pure function of
    /// its input: one that runs out of the slice is run again from the start on a guest thread,
    /// and nobody can tell, except by the time it took.
    public func invoke(
        path: String,
        config: JSON,
        input: JSON,
        timeout: Duration?
    ) async -> Result<WasmCall, StepFailure> {
        let loaded: WasmModuleCache.Loaded
        do {
            loaded = try cache.load(path: path)
        } catch {
            return .failure(.permanent(error.message))
        }
        // The file may have changed since registration: a new version that imports anything is
        // refused here as at registration (missing exports or bad signatures fail when called).
        if let problem = loaded.problem {
            return .failure(.permanent("plugin module \(path) is refused: \(problem)"))
        }
        let started = ContinuousClock.now
        let timeout = timeout ?? configuration.defaultTimeout
        let deadlineFuel = UInt64(
            min(Double(UInt64.max / 2), max(1, timeout.seconds) * configuration.fuelPerSecond * 1.2)
        )
        let configFuel = config["fuel"]?.intValue.flatMap { $0 > 0 ? UInt64($0) : nil }
        let limits = WasmSandbox.Limits(
            memoryPages: memoryPages(config),
            fuel: min(configFuel ?? .max, deadlineFuel),
            fuelFromConfig: configFuel.map { $0 <= deadlineFuel } ?? false
        )
        let sandbox = WasmSandbox(
            engine: engine,
            maxOutputBytes: configuration.maxOutputBytes,
            instantiations: instantiations,
            idle: idle
        )
        let bytes = input.serializedBytes()
        let key = GuestPool.Key(hash: loaded.hash, memoryPages: limits.memoryPages)
        // A call's cost counts guest work (a trial's included), not waiting for a guest thread.
        var trialTime = Duration.zero
        if configuration.trialFuel > 0, loaded.poolable != nil, let guest = idle.take(key) {
            trials.increment()
            let trial = limits.trial(fuel: configuration.trialFuel)
            guest.reset(fuel: trial.fuel)
            let result = stacks.withStack { stack in
                sandbox.call(loaded, input: bytes, limits: trial, stack: &stack, ready: guest, started: started)
            }
            if case .failure(let failure) = result, failure.message == WasmSandbox.trialExhausted {
                trialReruns.increment()
                trialTime = ContinuousClock.now - started
            } else {
                return result
            }
        }
        let outcome = OneShot<Result<WasmCall, StepFailure>>()
        return await withCheckedContinuation { continuation in
            outcome.attach(continuation)
            // The watchdog's thread, not a sleeping task: the deadline must hold even while the
            // cooperative pool (two threads here) is saturated, so that the answer cannot wait for
            // the guest to run out of fuel.
            // The trial's time counts against the step's timeout.
            let timer = deadlines.arm(after: max(.zero, timeout - trialTime)) {
                var failure = StepFailure.retryable("plugin timed out after \(timeout.milliseconds) ms")
                failure.cost = WasmCallStats.partialCost(duration: .now - started, moduleHash: loaded.hash)
                outcome.resolve(.failure(failure))
            }
            pool.submit { [trialTime] stack in
                let result = sandbox.call(
                    loaded,
                    input: bytes,
                    limits: limits,
                    stack: &stack,
                    started: .now - trialTime
                )
                timer.cancel()
                outcome.resolve(result)
            }
        }
    }

    private func memoryPages(_ config: JSON) -> Int {
        let requested = config["memory_pages"]?.intValue.map { Int(clamping: $0) } ?? configuration.defaultMemoryPages
        return max(1, min(requested, configuration.maxMemoryPages))
    }

    private static func describe(_ type: FunctionType) -> String {
        "(\(type.parameters.map { "\($0)" }.joined(separator: ", "))) -> (\(type.results.map { "\($0)" }.joined(separator: ", ")))"
    }
}

/// A continuation resumed by whichever comes first: the call or its deadline.
private final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, value: Value?)>((nil, nil))

    func attach(_ continuation: CheckedContinuation<Value, Never>) {
        let ready = state.withLock { state -> Value? in
            if let value = state.value { return value }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func resolve(_ value: Value) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard state.value == nil else { return nil }
            state.value = value
            let continuation = state.continuation
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Saturates rather than overflows for durations past Int64 nanoseconds (~292 years).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowed) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowed ? .max : sum
    }
}
