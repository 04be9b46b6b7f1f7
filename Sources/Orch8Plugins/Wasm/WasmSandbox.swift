import Foundation
public import Orch8Core
@_spi(Fuzzing) import WasmKit

/// One call of a plugin in a fresh instance: the alloc/handle/dealloc ABI of PLUGINS.md §3 with
/// every guest pointer and length checked before memory is touched (WasmKit's accessors trap the
/// process on an out-of-bounds access, so a hostile plugin must never reach them unchecked).
struct WasmSandbox {
    let engine: WasmKit.Engine
    let maxOutputBytes: Int

    struct Limits {
        var memoryPages: Int
        var fuel: UInt64
        /// Whether the fuel came from the plugin's `config.fuel` (running out is then permanent)
        /// rather than from the deadline (running out means the deadline passed: retryable).
        var fuelFromConfig: Bool
    }

    func call(
        _ loaded: WasmModuleCache.Loaded,
        input: [UInt8],
        limits: Limits,
        stack: inout ExecutionStack
    ) -> Result<WasmCall, StepFailure> {
        let started = ContinuousClock.now
        let store = Store(engine: engine)
        let limiter = MemoryLimiter(maxPages: limits.memoryPages)
        store.resourceLimiter = limiter
        store.fuel = Fuel(remaining: limits.fuel)
        func failure(_ error: any Error, during step: String) -> StepFailure {
            classify(error, during: step, limiter: limiter, limits: limits)
        }

        let instance: Instance
        do {
            instance = try loaded.module.instantiate(store: store)
        } catch {
            if limiter.refusedGrowth {
                return .failure(.permanent("plugin's initial memory exceeds the limit of \(limits.memoryPages) pages"))
            }
            return .failure(failure(error, during: "instantiate"))
        }
        guard let memory = instance.exports[memory: "memory"], let alloc = instance.exports[function: "alloc"],
            let handle = instance.exports[function: "handle"]
        else {
            return .failure(.permanent("plugin must export memory, alloc and handle"))
        }

        let pointer: Int
        do {
            let result = try alloc.invoke([.i32(UInt32(truncatingIfNeeded: input.count))], on: &stack)
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
            let result = try handle.invoke(
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
        if let dealloc = instance.exports[function: "dealloc"] {
            _ = try? dealloc.invoke([.i32(UInt32(outputPointer)), .i32(UInt32(outputLength))], on: &stack)
        }
        let output: JSON
        do {
            output = try JSON.parse(bytes)
        } catch {
            let preview = String(decoding: bytes.prefix(80), as: UTF8.self)
            return .failure(.permanent("plugin output is not valid JSON (\(error)): \(preview)"))
        }
        let remaining = store.fuel?.remaining ?? 0
        let stats = WasmCallStats(
            duration: ContinuousClock.now - started,
            fuelUsed: limits.fuel - min(limits.fuel, remaining),
            peakMemoryPages: max(limiter.peakBytes, memory.byteCount) / 65_536,
            moduleHash: loaded.hash
        )
        return .success(WasmCall(output: output, stats: stats))
    }

    private func classify(
        _ error: any Error,
        during step: String,
        limiter: MemoryLimiter,
        limits: Limits
    ) -> StepFailure {
        // Traps describe the whole guest backtrace (thousands of lines on stack exhaustion).
        let text = String(String(describing: error).prefix(300))
        if text.contains("out of fuel") {
            return limits.fuelFromConfig
                ? .permanent("plugin used up its fuel budget of \(limits.fuel) in \(step)")
                : .retryable("plugin ran past its deadline in \(step)")
        }
        if limiter.refusedGrowth {
            return .permanent("plugin exceeded its memory limit of \(limits.memoryPages) pages in \(step): \(text)")
        }
        return .permanent("plugin trapped in \(step): \(text)")
    }
}

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
