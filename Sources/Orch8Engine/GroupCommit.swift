import Synchronization

/// Group commit: callers hand in items and wait; a flusher writes everything that arrived
/// meanwhile with a single call of `flush` (one transaction). Throughput is bounded by commits, not
/// by rows (DESIGN.md §2), so this is what lets many instances progress, and many workers report,
/// at the cost of one commit. A store with one writer wants one flusher; a server database gains
/// from several transactions in flight, each a round trip away.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Outcome, any Error>

    private struct State {
        var pending: [(Item, Waiter)] = []
        var finished = false
    }

    private let flush: @Sendable ([Item]) async throws -> [Outcome]
    /// What an item gets when `flush` returns fewer outcomes than items (it never should).
    private let missing: Outcome
    private let state = Mutex(State())
    /// One per flusher: a doorbell wakes one waiter.
    private let bells: [Doorbell]
    /// Largest batch per transaction, so that one commit never holds the writer for long.
    private let maxBatch: Int

    init(
        maxBatch: Int = 512,
        flushers: Int = 1,
        missing: Outcome,
        flush: @escaping @Sendable ([Item]) async throws -> [Outcome]
    ) {
        self.maxBatch = maxBatch
        bells = (0..<max(1, flushers)).map { _ in Doorbell() }
        self.missing = missing
        self.flush = flush
    }

    /// Commits `item` with whatever else is pending; its outcome.
    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { (continuation: Waiter) in
            let finished = state.withLock { state -> Bool in
                if state.finished { return true }
                state.pending.append((item, continuation))
                return false
            }
            if finished {
                // After shutdown nobody flushes: commit alone.
                let flush = self.flush
                let missing = self.missing
                Task {
                    do { continuation.resume(returning: try await flush([item]).first ?? missing) } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } else {
                for bell in bells { bell.ring() }
            }
        }
    }

    /// The flushers; returns after ``finish()`` once everything pending is written. Cancelled, it
    /// finishes: a cancelled flusher's waits return at once, and it would spin until told to stop.
    func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for bell in bells { group.addTask { await self.flushLoop(bell) } }
            }
        } onCancel: {
            self.finish()
        }
    }

    private func flushLoop(_ bell: Doorbell) async {
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
                let results = try await flush(batch.map(\.0))
                for (index, (_, waiter)) in batch.enumerated() {
                    waiter.resume(returning: index < results.count ? results[index] : missing)
                }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
    }

    /// Stops the flusher once the queue is empty.
    func finish() {
        state.withLock { $0.finished = true }
        for bell in bells { bell.ring() }
    }
}
