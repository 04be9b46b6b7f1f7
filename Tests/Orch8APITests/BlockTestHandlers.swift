import Foundation
import Orch8Core
import Synchronization

/// Waits until `parties` calls are in the handler at once (or gives up after 10 s, failing): a step
/// that only succeeds when steps of other branches run concurrently with it.
final class Rendezvous: StepHandler {
    let parties: Int
    private let arrived = Mutex(0)
    init(parties: Int) { self.parties = parties }

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        arrived.withLock { $0 += 1 }
        let deadline = ContinuousClock.now + .seconds(10)
        while arrived.withLock({ $0 }) < parties {
            if ContinuousClock.now > deadline { throw .permanent("only \(arrived.withLock { $0 }) of \(parties) met") }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return StepResult(output: ["met": .int(Int64(parties))])
    }
}

/// Adds one to the instance's KV key `n` and returns the new value: loops count with it.
struct Increment: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let next = (invocation.state["n"]?.intValue ?? 0) + 1
        return StepResult(output: ["n": .int(next)], stateWrites: ["n": .int(next)])
    }
}

/// Sleeps `params.ms` milliseconds (in process, holding its call), then answers `{"slept": ms}`.
struct Nap: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let milliseconds = invocation.params["ms"]?.intValue ?? 1000
        try? await Task.sleep(for: .milliseconds(milliseconds))
        return StepResult(output: ["slept": .int(milliseconds)])
    }
}
