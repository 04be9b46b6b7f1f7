import Foundation
import WasmKit

/// Dedicated threads for guest code. A call blocks its thread until it returns, traps or runs out
/// of fuel (WasmKit has no interrupt), so it must never run on Swift's cooperative pool, which has
/// one thread per core here.
final class WasmThreadPool: @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var started = 0
    private var running = 0
    private let condition = NSCondition()
    private let threads: Int
    private let engine: WasmKit.Engine

    /// A job gets its thread's guest stack, reused by every call (instead of the half-megabyte
    /// stack WasmKit would allocate for each `invoke`).
    typealias Job = @Sendable (inout ExecutionStack) -> Void

    /// Threads start with the first jobs, so that a runtime that never runs a plugin (a test, a
    /// server with no wasm steps) holds none.
    init(threads: Int, engine: WasmKit.Engine) {
        self.threads = max(1, threads)
        self.engine = engine
    }

    /// Jobs running on a guest thread now: a call whose caller gave up at its deadline still counts
    /// until its guest stops.
    var activeJobs: Int {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    func submit(_ job: @escaping Job) {
        condition.lock()
        jobs.append(job)
        if started < threads && jobs.count > 0 {
            started += 1
            let thread = Thread { [self] in self.work() }
            thread.name = "orch8-wasm-\(started)"
            thread.stackSize = 16 << 20
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    /// Yields a guest thread makes, looking for the next job, before it sleeps: steps come in
    /// streams, and a thread that is still awake saves the sleep and the wake-up of the next call.
    static let spinsBeforeSleep = 64

    private func work() {
        var stack = ExecutionStack(engine: engine)
        while true {
            var spins = 0
            condition.lock()
            while jobs.isEmpty {
                if spins < Self.spinsBeforeSleep {
                    spins += 1
                    condition.unlock()
                    sched_yield()
                    condition.lock()
                } else {
                    condition.wait()
                }
            }
            let job = jobs.removeFirst()
            running += 1
            condition.unlock()
            job(&stack)
            condition.lock()
            running -= 1
            condition.unlock()
        }
    }
}
