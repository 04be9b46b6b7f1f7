import Foundation
import Orch8Core
import Testing
import WAT
import WasmKit

@testable import Orch8Plugins

/// Calls tried on the caller's thread with a small fuel slice: answered there when they fit, run
/// again from the start on a guest thread when they do not, with the same answer either way.
@Suite struct TrialCallTests {
    private func runtime(trialFuel: UInt64) -> WasmRuntime {
        var configuration = WasmConfiguration()
        configuration.threads = 1
        configuration.trialFuel = trialFuel
        return WasmRuntime(configuration: configuration)
    }

    /// Counts down 100 per input byte, then answers the input's length as `{"n":…}` (one digit).
    private func countingModule() throws -> String {
        try PluginModules.abi(
            handle: """
                (local $i i32)
                (local.set $i (i32.mul (local.get $len) (i32.const 100)))
                (block $done
                  (loop $count
                    (br_if $done (i32.eqz (local.get $i)))
                    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                    (br $count)))
                (i32.store8 (i32.const 21) (i32.add (i32.const 48) (i32.rem_u (local.get $len) (i32.const 10))))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 7))
                """,
            extra: #"(data (i32.const 16) "{\"n\":0}")"#
        )
    }

    private func call(
        _ runtime: WasmRuntime,
        _ path: String,
        bytes: Int,
        config: JSON = nil
    ) async -> Result<
        WasmCall, StepFailure
    > {
        await runtime.invoke(
            path: path,
            config: config,
            input: .string(String(repeating: "x", count: max(0, bytes - 2))),
            timeout: .seconds(30)
        )
    }

    @Test func aCallThatFitsTheSliceIsAnsweredOnTheCallersThread() async throws {
        let path = try countingModule()
        let runtime = runtime(trialFuel: 30_000)
        // The first call instantiates on a guest thread and leaves its instance idle for the next.
        #expect(try await call(runtime, path, bytes: 3).get().output == ["n": 3])
        #expect(runtime.trials.count == 0)
        for _ in 0..<3 {
            let answer = try await call(runtime, path, bytes: 5).get()
            #expect(answer.output == ["n": 5])
            #expect(answer.stats.fuelUsed > 500 && answer.stats.fuelUsed < 30_000, "\(answer.stats)")
        }
        #expect(runtime.trials.count == 3)
        #expect(runtime.trialReruns.count == 0)
        #expect(runtime.instantiations.count == 1, "the trials reused the idle instance")
    }

    @Test func aCallPastTheSliceRunsAgainOnAGuestThreadWithTheSameAnswer() async throws {
        let path = try countingModule()
        let small = runtime(trialFuel: 2_000)
        let large = runtime(trialFuel: 0)
        _ = try await call(small, path, bytes: 2).get()
        // 50 bytes count down 5,000: past the 2,000 slice.
        let rerun = try await call(small, path, bytes: 50).get()
        let direct = try await call(large, path, bytes: 50).get()
        #expect(small.trials.count == 1 && small.trialReruns.count == 1)
        #expect(large.trials.count == 0, "a slice of 0 turns trials off")
        #expect(rerun.output == ["n": 0] && rerun.output == direct.output)
        #expect(rerun.stats.fuelUsed == direct.stats.fuelUsed, "the figure is the whole run's, not the slice's")
        #expect(rerun.stats.fuelUsed > 5_000)
        #expect(small.instantiations.count == 1, "the instance of the cut-short trial served the rerun")
    }

    @Test func concurrentCallsShareTheIdleInstancesAndEachGetsItsOwnAnswer() async throws {
        let path = try countingModule()
        // A slice of 2,000 fits inputs up to 20 bytes: the rest are tried, cut short and rerun.
        let runtime = runtime(trialFuel: 2_000)
        for wave in 0..<3 {
            let answers = await withTaskGroup(of: (Int, JSON?).self) { group in
                for bytes in 2..<42 {
                    group.addTask { (bytes, try? await call(runtime, path, bytes: bytes).get().output) }
                }
                return await group.reduce(into: [Int: JSON?]()) { $0[$1.0] = $1.1 }
            }
            for bytes in 2..<42 {
                #expect(answers[bytes] == ["n": .int(Int64(bytes % 10))], "wave \(wave), \(bytes) bytes")
            }
        }
        #expect(runtime.trials.count > 0 && runtime.trialReruns.count > 0)
    }

    @Test func aFuelBudgetBelowTheSliceIsTheCallsOwnVerdict() async throws {
        let path = try countingModule()
        let runtime = runtime(trialFuel: 30_000)
        _ = try await call(runtime, path, bytes: 2).get()
        let result = await call(runtime, path, bytes: 50, config: ["fuel": 2_000])
        guard case .failure(let failure) = result else {
            Issue.record("a 2,000 fuel budget let 5,000 instructions through: \(result)")
            return
        }
        #expect(failure.message == "plugin used up its fuel budget of 2000 in handle")
        #expect(!failure.retryable)
        #expect(runtime.trials.count == 1, "the call ran on the caller's thread, with its own budget")
        #expect(runtime.trialReruns.count == 0, "running out of the plugin's own budget is not retried")
    }

    @Test func aRerunThatRunsPastTheDeadlineTimesOutLikeAnyCall() async throws {
        // Answers short inputs at once; spins forever on inputs longer than 10 bytes.
        let path = try PluginModules.abi(
            handle: """
                (if (i32.gt_u (local.get $len) (i32.const 10)) (then (loop $spin (br $spin))))
                (i32.store8 (i32.const 16) (i32.const 49))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 1))
                """
        )
        let runtime = runtime(trialFuel: 30_000)
        #expect(try await call(runtime, path, bytes: 2).get().output == 1)
        let started = ContinuousClock.now
        let result = await runtime.invoke(
            path: path,
            config: nil,
            input: .string(String(repeating: "x", count: 40)),
            timeout: .milliseconds(200)
        )
        let took = ContinuousClock.now - started
        guard case .failure(let failure) = result else {
            Issue.record("an endless loop answered: \(result)")
            return
        }
        #expect(failure.message == "plugin timed out after 200 ms" && failure.retryable)
        #expect(runtime.trials.count == 1 && runtime.trialReruns.count == 1)
        #expect(took >= .milliseconds(200) && took < .seconds(5), "\(took)")
    }

    @Test func aTrapsReasonIsReadWithoutItsBacktrace() throws {
        // How a trial tells running out of its slice cheaply; the fallback (the whole text) would
        // hide a WasmKit that moved the field, at the price of formatting every backtrace.
        let engine = WasmKit.Engine(configuration: EngineConfiguration(fuelMetering: true))
        let module = try parseWasm(
            bytes: wat2wasm(
                #"(module (func $deep (export "deep") (param i32) (call $deep (i32.add (local.get 0) (i32.const 1)))))"#
            )
        )
        let store = Store(engine: engine)
        store.fuel = Fuel(remaining: 5_000)
        let deep = try #require(try module.instantiate(store: store).exports[function: "deep"])
        do {
            _ = try deep([.i32(0)])
            Issue.record("endless recursion returned")
        } catch {
            #expect(WasmSandbox.trapReason(error) == "out of fuel")
            #expect(String(describing: error).count > 5_000, "the text carries the backtrace")
        }
        #expect(WasmSandbox.trapReason(CancellationError()) == nil)
    }

    @Test func aTrapInATrialFailsTheCallWithoutARerun() async throws {
        // Traps when the input is longer than 10 bytes.
        let path = try PluginModules.abi(
            handle: """
                (if (i32.gt_u (local.get $len) (i32.const 10)) (then unreachable))
                (i32.store8 (i32.const 16) (i32.const 49))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 1))
                """
        )
        let runtime = runtime(trialFuel: 30_000)
        #expect(try await call(runtime, path, bytes: 2).get().output == 1)
        let result = await call(runtime, path, bytes: 40)
        guard case .failure(let failure) = result else {
            Issue.record("expected a trap, got \(result)")
            return
        }
        #expect(failure.message.hasPrefix("plugin trapped in handle"))
        #expect(runtime.trials.count == 1 && runtime.trialReruns.count == 0)
        // The trapped instance was dropped; the next call instantiates and answers as if fresh.
        #expect(try await call(runtime, path, bytes: 2).get().output == 1)
        #expect(runtime.instantiations.count == 2)
    }
}
