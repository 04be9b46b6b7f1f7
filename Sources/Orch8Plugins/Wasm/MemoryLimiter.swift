import Synchronization
@_spi(Fuzzing) import WasmKit

/// Caps a call's linear memory: growth past the cap makes `memory.grow` return -1 in the guest, and
/// a module whose initial memory is over the cap fails to instantiate. Records the peak for the
/// step's cost report.
final class MemoryLimiter: ResourceLimiter {
    let maxBytes: Int
    private let peak = Mutex(0)
    private let refused = Mutex(false)

    init(maxPages: Int) { maxBytes = maxPages * 65_536 }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= maxBytes else {
            refused.withLock { $0 = true }
            return false
        }
        peak.withLock { $0 = max($0, desired) }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 100_000 }

    var peakBytes: Int { peak.withLock { $0 } }

    /// Forgets the previous call's peak and refusal (a reused instance).
    func reset() {
        peak.withLock { $0 = 0 }
        refused.withLock { $0 = false }
    }
    var refusedGrowth: Bool { refused.withLock { $0 } }
}
