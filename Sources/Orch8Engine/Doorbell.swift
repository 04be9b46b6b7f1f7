import Synchronization

/// Wakes a sleeping loop at once when something happens (a new instance, a signal, a finished
/// run) instead of at its next tick. Rings are not counted: many rings before a wait wake it once.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when the bell rings, after `timeout`, or when the waiting task is cancelled,
    /// whichever comes first.
    func wait(timeout: Duration) async {
        // A timer that rings rather than a cancellable wait: a late timer ring costs one spurious
        // wake-up, never a lost one.
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self.ring() }
        }
        // A cancelled waiter (its service is being torn down) rings for itself, so that its loop
        // sees the cancellation now rather than at the timeout.
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            self.ring()
        }
        timer.cancel()
    }
}
