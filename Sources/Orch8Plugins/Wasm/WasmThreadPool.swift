import Foundation

/// Dedicated threads for guest code. A call blocks its thread until it returns, traps or runs out
/// of fuel (WasmKit has no interrupt), so it must never run on Swift's cooperative pool, which has
/// one thread per core here.
final class WasmThreadPool: @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []
    private let condition = NSCondition()

    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "orch8-wasm-\(index)"
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
