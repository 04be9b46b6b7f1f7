import Orch8Core
import Synchronization

/// Group commit: instance runners hand in their updates and wait; one flusher writes everything
/// that arrived meanwhile in a single transaction. Throughput is bounded by commits, not by rows
/// (DESIGN.md §2), so this is what lets many instances progress at the cost of one fsync.
final class CommitQueue: Sendable {
    private typealias Waiter = CheckedContinuation<Bool, any Error>

    private struct State {
        var pending: [(InstanceUpdate, Waiter)] = []
        var finished = false
    }

    private let store: any Store
    private let state = Mutex(State())
    private let bell = Doorbell()
    /// Largest batch per transaction, so that one commit never holds the writer for long.
    private let maxBatch = 512

    init(store: any Store) { self.store = store }

    /// Commits `update` with whatever else is pending; true if it applied (its compare-and-set held).
    func submit(_ update: InstanceUpdate) async throws -> Bool {
        try await withCheckedThrowingContinuation { (continuation: Waiter) in
            let finished = state.withLock { state -> Bool in
                if state.finished { return true }
                state.pending.append((update, continuation))
                return false
            }
            if finished {
                // After shutdown nobody flushes: commit alone.
                let store = self.store
                Task {
                    do { continuation.resume(returning: try await store.commit([update]).first ?? false) } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } else {
                bell.ring()
            }
        }
    }

    /// The flusher; returns after ``finish()`` once everything pending is written.
    func run() async {
        while true {
            let (batch, finished) = state.withLock { state in
                let count = min(state.pending.count, maxBatch)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return (batch, state.finished && state.pending.isEmpty)
            }
            if batch.isEmpty {
                if finished { return }
                await bell.wait(timeout: .milliseconds(100))
                continue
            }
            do {
                let results = try await store.commit(batch.map(\.0))
                for (index, (_, waiter)) in batch.enumerated() {
                    waiter.resume(returning: index < results.count ? results[index] : false)
                }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
    }

    /// Stops the flusher once the queue is empty.
    func finish() {
        state.withLock { $0.finished = true }
        bell.ring()
    }
}
