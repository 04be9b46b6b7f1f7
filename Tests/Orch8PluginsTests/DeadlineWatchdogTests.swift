import Foundation
import Synchronization
import Testing

@testable import Orch8Plugins

/// The watchdog that answers WASM calls at their deadline: deadlines fire in the order of their
/// time whatever the order they were armed in, cancelled ones never fire, and answered ones do not
/// pile up.
@Suite struct DeadlineWatchdogTests {
    /// When each deadline fired, in order.
    final class Firings: Sendable {
        let fired = Mutex<[(String, ContinuousClock.Instant)]>([])
        func record(_ name: String) { fired.withLock { $0.append((name, .now)) } }
        var names: [String] { fired.withLock { $0.map(\.0) } }
        func at(_ name: String) -> ContinuousClock.Instant? { fired.withLock { $0.first { $0.0 == name }?.1 } }
    }

    static func waitFor(_ count: Int, _ firings: Firings) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while firings.names.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func anEarlierDeadlineArmedLaterWakesTheWatchdog() async throws {
        let watchdog = DeadlineWatchdog()
        let firings = Firings()
        let late = watchdog.arm(after: .seconds(60)) { firings.record("late") }
        defer { late.cancel() }
        // Once the thread sleeps until the late deadline, only the earlier one's arming can wake it.
        let asleepBy = ContinuousClock.now + .seconds(10)
        while !watchdog.isSleeping && ContinuousClock.now < asleepBy { try await Task.sleep(for: .milliseconds(5)) }
        #expect(watchdog.isSleeping)
        let armed = ContinuousClock.now
        _ = watchdog.arm(after: .milliseconds(100)) { firings.record("early") }
        try await Self.waitFor(1, firings)
        #expect(firings.names == ["early"])
        let early = try #require(firings.at("early"))
        #expect(early - armed >= .milliseconds(100), "not before its time")
    }

    @Test func aCancelledDeadlineNeverFires() async throws {
        let watchdog = DeadlineWatchdog()
        let firings = Firings()
        let cancelled = watchdog.arm(after: .milliseconds(50)) { firings.record("cancelled") }
        cancelled.cancel()
        _ = watchdog.arm(after: .milliseconds(150)) { firings.record("kept") }
        try await Self.waitFor(1, firings)
        try await Task.sleep(for: .milliseconds(100))
        #expect(firings.names == ["kept"])
        #expect(cancelled.isSettled)
    }

    @Test func answeredDeadlinesDoNotPileUp() async throws {
        let watchdog = DeadlineWatchdog()
        let firings = Firings()
        // A stream of calls answered well before their (long) deadline, as steps are.
        for n in 0..<10_000 {
            watchdog.arm(after: .seconds(60)) { firings.record("call \(n)") }.cancel()
        }
        #expect(watchdog.pending <= 1, "\(watchdog.pending) entries kept for answered calls")
        let live = watchdog.arm(after: .milliseconds(30)) { firings.record("live") }
        try await Self.waitFor(1, firings)
        #expect(firings.names == ["live"])
        #expect(live.isSettled)
    }
}
