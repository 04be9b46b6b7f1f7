import Foundation
import Orch8Core
import Synchronization
import Testing

@testable import Orch8Engine

/// An engine whose task is cancelled (its service group tears it down, e.g. when the HTTP server
/// cannot bind) must end, not keep its loops running against a store that refuses every call.
@Suite struct EngineCancellationTests {
    @Test(arguments: EngineBackend.all)
    func aCancelledEngineEndsWithoutWaitingForItsTicks(_ backend: EngineBackend) async throws {
        let store = try await backend.make()
        var configuration = EngineConfiguration()
        // Long enough that an engine waiting out its idle tick or its cron nap could not end in time.
        configuration.tickInterval = .seconds(30)
        configuration.cronTickInterval = .seconds(30)
        let engine = Engine(store: store, configuration: configuration, handlers: [:])
        let running = Task { try await engine.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !engine.isAlive && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(engine.isAlive)
        // Idle: the claim loop now waits on its doorbell for up to the tick.
        try await Task.sleep(for: .milliseconds(200))
        let cancelled = ContinuousClock.now
        running.cancel()
        // The engine's last call to the store may throw CancellationError: how it ends is not the
        // point, that it ends is.
        _ = await running.result
        let took = ContinuousClock.now - cancelled
        #expect(took < .seconds(10), "a cancelled engine took \(took) to end")
        #expect(!engine.isAlive)
    }

    @Test func aCancelledGroupCommitEndsWithoutBeingFinished() async throws {
        let commits = GroupCommit<Int, Int>(flushers: 2, missing: -1) { items in items.map { $0 * 2 } }
        let ended = Mutex(false)
        let running = Task {
            await commits.run()
            ended.withLock { $0 = true }
        }
        #expect(try await commits.submit(21) == 42)
        running.cancel()
        // Without finish(), only the cancellation can end it. (Before it did, the two cancelled
        // flushers' waits returned without suspending: on a 2-thread pool they kept both threads.)
        let deadline = ContinuousClock.now + .seconds(10)
        while !ended.withLock({ $0 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(ended.withLock { $0 }, "a cancelled group commit kept running")
        commits.finish()
        // Finished, it still commits: each item on its own.
        #expect(try await commits.submit(5) == 10)
    }
}
