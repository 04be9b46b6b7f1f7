import Foundation
import Orch8Core
import Synchronization
@_spi(Fuzzing) import WasmKit

/// One call of a plugin: the alloc/handle/dealloc ABI of PLUGINS.md §3 with every guest pointer
/// and length checked before memory is touched (WasmKit's accessors trap the process on an
/// out-of-bounds access, so a hostile plugin must never reach them unchecked).
///
/// Every call sees a fresh instance. Modules whose whole mutable state can be restored
/// (``PoolableModule``) reuse an instance reset to its state right after instantiation — the same
/// thing, minus the cost of instantiating; any other module, and any call that failed, gets a new
/// instance.
struct WasmSandbox {
    let engine: WasmKit.Engine
    let maxOutputBytes: Int
    let instantiations: Counter
    let idle: GuestPool

    struct Limits {
        var memoryPages: Int
        var fuel: UInt64
        /// Whether the fuel came from the plugin's `config.fuel` (running out is then permanent)
        /// rather than from the deadline (running out means the deadline passed: retryable).
        var fuelFromConfig: Bool
        /// A first try with less fuel than the call may use (``WasmRuntime``'s trial on the
        /// caller's thread): running out then means "run it again on a guest thread".
        var trial = false

        /// These limits for a trial of at most `fuel`; not a trial when the call's own budget is
        /// that small, since running out would then be the call's real verdict.
        func trial(fuel slice: UInt64) -> Limits {
            guard slice < fuel else { return self }
            var limits = self
            limits.fuel = slice
            limits.trial = true
            return limits
        }
    }

    /// Modules with more initial memory than this are not pooled: restoring the snapshot would
    /// cost more than instantiating.
    static let maxPooledMemoryBytes = 16 * 65_536

    /// The failure of a trial that ran out of its fuel slice; never reaches a step.
    static let trialExhausted = "trial fuel exhausted"

    /// Runs one call. `ready` is an idle instance the caller took from ``idle`` and reset; without
    /// one the call takes its own, or instantiates. A failure carries what the call cost.
    func call(
        _ loaded: WasmModuleCache.Loaded,
        input: [UInt8],
        limits: Limits,
        stack: inout ExecutionStack,
        ready: Guest? = nil,
        started: ContinuousClock.Instant = .now
    ) -> Result<WasmCall, StepFailure> {
        let key = GuestPool.Key(hash: loaded.hash, memoryPages: limits.memoryPages)
        let pooling = loaded.poolable != nil
        let guest: Guest
        if let ready {
            guest = ready
        } else if pooling, let idle = idle.take(key) {
            guest = idle
            guest.reset(fuel: limits.fuel)
        } else {
            switch instantiate(loaded, limits: limits) {
            case .success(let fresh): guest = fresh
            case .failure(var failure):
                failure.cost = WasmCallStats.partialCost(duration: .now - started, moduleHash: loaded.hash)
                return .failure(failure)
            }
        }
        let result = run(guest, input: input, limits: limits, stack: &stack)
        let remaining = guest.store.fuel?.remaining ?? 0
        let stats = WasmCallStats(
            duration: ContinuousClock.now - started,
            fuelUsed: limits.fuel - min(limits.fuel, remaining),
            peakMemoryPages: max(guest.limiter.peakBytes, guest.memory.byteCount) / 65_536,
            moduleHash: loaded.hash
        )
        switch result {
        case .success(let output):
            if pooling, guest.restore() { idle.put(guest, key: key) }
            return .success(WasmCall(output: output, stats: stats))
        case .failure(var failure):
            // A trial cut short by its slice is run again from the start: its instance, put back as
            // it was, serves the rerun (or the next call) instead of a new one.
            if limits.trial, failure.message == Self.trialExhausted, pooling, guest.restore() {
                idle.put(guest, key: key)
            }
            failure.cost = stats.json
            return .failure(failure)
        }
    }

    private func instantiate(_ loaded: WasmModuleCache.Loaded, limits: Limits) -> Result<Guest, StepFailure> {
        instantiations.increment()
        let store = WasmKit.Store(engine: engine)
        let limiter = MemoryLimiter(maxPages: limits.memoryPages)
        store.resourceLimiter = limiter
        store.fuel = Fuel(remaining: limits.fuel)
        let module = loaded.poolable?.module ?? loaded.module
        let instance: Instance
        do {
            instance = try module.instantiate(store: store)
        } catch {
            if limiter.refusedGrowth {
                return .failure(.permanent("plugin's initial memory exceeds the limit of \(limits.memoryPages) pages"))
            }
            return .failure(classify(error, during: "instantiate", limiter: limiter, limits: limits))
        }
        guard let memory = instance.exports[memory: "memory"], let alloc = instance.exports[function: "alloc"],
            let handle = instance.exports[function: "handle"]
        else {
            return .failure(.permanent("plugin must export memory, alloc and handle"))
        }
        let guest = Guest(
            store: store,
            limiter: limiter,
            memory: memory,
            alloc: alloc,
            handle: handle,
            dealloc: instance.exports[function: "dealloc"]
        )
        if let poolable = loaded.poolable, memory.byteCount <= Self.maxPooledMemoryBytes {
            guest.snapshot(
                globals: poolable.globals.compactMap {
                    instance.exports[global: "\(PoolableModule.globalExportPrefix)\($0)"]
                }
            )
        }
        return .success(guest)
    }

    private func run(
        _ guest: Guest,
        input: [UInt8],
        limits: Limits,
        stack: inout ExecutionStack
    ) -> Result<JSON, StepFailure> {
        let memory = guest.memory
        func failure(_ error: any Error, during step: String) -> StepFailure {
            classify(error, during: step, limiter: guest.limiter, limits: limits)
        }
        let pointer: Int
        do {
            let result = try guest.alloc.invoke([.i32(UInt32(truncatingIfNeeded: input.count))], on: &stack)
            guard case .i32(let raw)? = result.first else {
                return .failure(.permanent("plugin alloc must return an i32"))
            }
            pointer = Int(raw)
        } catch {
            return .failure(failure(error, during: "alloc"))
        }
        guard pointer > 0 || input.isEmpty, pointer + input.count <= memory.byteCount else {
            return .failure(.permanent("plugin alloc returned \(pointer), outside its \(memory.byteCount)-byte memory"))
        }
        if !input.isEmpty {
            memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: input.count) { buffer in
                buffer.copyBytes(from: input)
            }
        }

        let packed: UInt64
        do {
            let result = try guest.handle.invoke(
                [.i32(UInt32(pointer)), .i32(UInt32(truncatingIfNeeded: input.count))],
                on: &stack
            )
            guard case .i64(let raw)? = result.first else {
                return .failure(.permanent("plugin handle must return an i64"))
            }
            packed = raw
        } catch {
            return .failure(failure(error, during: "handle"))
        }
        let outputPointer = Int(packed >> 32)
        let outputLength = Int(packed & 0xFFFF_FFFF)
        guard outputLength <= maxOutputBytes else {
            return .failure(
                .permanent("plugin output of \(outputLength) bytes exceeds the \(maxOutputBytes / 1_048_576) MiB limit")
            )
        }
        guard outputPointer + outputLength <= memory.byteCount else {
            return .failure(
                .permanent(
                    "plugin result (pointer \(outputPointer), length \(outputLength)) is outside its \(memory.byteCount)-byte memory"
                )
            )
        }
        let bytes = memory.withUnsafeBufferPointer(offset: UInt(outputPointer), count: outputLength) { Array($0) }
        if let dealloc = guest.dealloc {
            _ = try? dealloc.invoke([.i32(UInt32(outputPointer)), .i32(UInt32(outputLength))], on: &stack)
        }
        let output: JSON
        do {
            output = try JSON.parse(bytes)
        } catch {
            let preview = String(decoding: bytes.prefix(80), as: UTF8.self)
            return .failure(.permanent("plugin output is not valid JSON (\(error)): \(preview)"))
        }
        return .success(output)
    }

    /// A WasmKit trap's reason without its backtrace; nil for other errors, or if a WasmKit
    /// version no longer keeps it where reflection finds it (the caller then reads the whole text).
    static func trapReason(_ error: any Error) -> String? {
        guard error is Trap, let reason = Mirror(reflecting: error).descendant("reason") else { return nil }
        return String(describing: reason)
    }

    private func classify(
        _ error: any Error,
        during step: String,
        limiter: MemoryLimiter,
        limits: Limits
    ) -> StepFailure {
        // A trap describes itself with the whole guest backtrace, a line per frame (thousands on
        // deep recursion): the reason alone tells running out of fuel, which a trial on the
        // engine's thread must tell cheaply.
        if (Self.trapReason(error) ?? String(describing: error)).contains("out of fuel") {
            if limits.trial { return .retryable(Self.trialExhausted) }
            return limits.fuelFromConfig
                ? .permanent("plugin used up its fuel budget of \(limits.fuel) in \(step)")
                : .retryable("plugin ran past its deadline in \(step)")
        }
        let text = String(String(describing: error).prefix(300))
        if limiter.refusedGrowth {
            return .permanent("plugin exceeded its memory limit of \(limits.memoryPages) pages in \(step): \(text)")
        }
        return .permanent("plugin trapped in \(step): \(text)")
    }
}

/// An instance and what restores it: the memory image and mutable globals right after
/// instantiation. Used by one thread at a time: whoever took it from the ``GuestPool``.
final class Guest {
    let store: WasmKit.Store
    let limiter: MemoryLimiter
    let memory: Memory
    let alloc: Function
    let handle: Function
    let dealloc: Function?
    private var image: [UInt8]?
    private var globals: [(Global, Value)] = []

    init(
        store: WasmKit.Store,
        limiter: MemoryLimiter,
        memory: Memory,
        alloc: Function,
        handle: Function,
        dealloc: Function?
    ) {
        self.store = store
        self.limiter = limiter
        self.memory = memory
        self.alloc = alloc
        self.handle = handle
        self.dealloc = dealloc
    }

    /// Records the state to restore after each call.
    func snapshot(globals: [Global]) {
        image = memory.withUnsafeBufferPointer(offset: 0, count: memory.byteCount) { Array($0) }
        self.globals = globals.map { ($0, $0.value) }
    }

    /// Puts the instance back as it was after instantiation; false if it cannot be (no snapshot, or
    /// memory grew, which cannot be undone), in which case it must be dropped.
    func restore() -> Bool {
        guard let image, memory.byteCount == image.count else { return false }
        memory.withUnsafeMutableBufferPointer(offset: 0, count: image.count) { buffer in
            buffer.copyBytes(from: image)
        }
        for (global, value) in globals {
            guard (try? global.assign(value)) != nil else { return false }
        }
        return true
    }

    func reset(fuel: UInt64) {
        store.fuel = Fuel(remaining: fuel)
        limiter.reset()
    }
}

/// Counts instantiations, so that tests can tell a reused instance from a new one.
final class Counter: Sendable {
    private let value = Mutex(0)

    func increment() { value.withLock { $0 += 1 } }

    var count: Int { value.withLock { $0 } }
}
