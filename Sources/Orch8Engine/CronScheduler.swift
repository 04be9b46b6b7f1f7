import Foundation
import Logging
import Orch8Core

/// What one pass of the cron loop did (ORCH8-SPEC §7.9), for logs now and metrics later.
public struct CronTickSummary: Sendable, Equatable {
    /// Fires that started an instance.
    public var fired = 0
    /// Fires skipped because an earlier instance was active (`skip`).
    public var skipped = 0
    /// Fires held back until an earlier instance ends (`buffer_one`).
    public var waiting = 0
    /// Active instances sent a cancel signal (`cancel_previous`).
    public var cancelled = 0
    /// Fires of schedules whose sequence no longer exists.
    public var sequenceMissing = 0

    /// An empty summary.
    public init() {}
}

extension Engine {
    /// Schedules fired per store call; a full batch is followed at once by the next.
    static let cronBatchSize = 100

    /// The cron loop: every ``EngineConfiguration/cronTickInterval`` fires the schedules that are
    /// due, until the engine stops.
    func runCronLoop() async {
        while keepsRunning {
            await fireDueCronSchedules()
            let deadline = ContinuousClock.now + configuration.cronTickInterval
            // Short naps, so that a stopping engine is not held up by a long tick.
            while keepsRunning && ContinuousClock.now < deadline {
                try? await Task.sleep(for: min(.milliseconds(100), deadline - .now))
            }
        }
    }

    /// Fires every due cron schedule once: the store creates the instances and moves each schedule
    /// to its next fire time, with `cancel_previous`'s cancel signals, in the same transaction; this
    /// then wakes the scheduler for the new instances and the cancelled ones.
    /// - Returns: What was fired, skipped, held back and cancelled (also logged).
    @discardableResult
    public func fireDueCronSchedules() async -> CronTickSummary {
        var summary = CronTickSummary()
        do {
            while true {
                let start = now()
                // A held-back fire is looked at again on the next tick, not within this pass.
                let recheck = start.addingTimeInterval(max(configuration.cronTickInterval.seconds, 0.001))
                let firings = try await store.fireDueCronSchedules(
                    now: start,
                    limit: Self.cronBatchSize,
                    recheckAt: recheck
                )
                for firing in firings { await apply(firing, to: &summary) }
                if firings.count < Self.cronBatchSize { break }
            }
        } catch {
            logFailure("cron tick failed", error)
        }
        if summary.fired > 0 {
            metrics.cronTriggered(summary.fired)
            wake()
        }
        if summary.skipped > 0 { metrics.cronSkipped(summary.skipped) }
        if summary != CronTickSummary() {
            logger.info(
                "cron schedules fired",
                metadata: [
                    "cron.fired": "\(summary.fired)", "cron.skipped": "\(summary.skipped)",
                    "cron.waiting": "\(summary.waiting)", "cron.cancelled": "\(summary.cancelled)",
                    "cron.sequence_missing": "\(summary.sequenceMissing)",
                ]
            )
        }
        return summary
    }

    private func apply(_ firing: CronFiring, to summary: inout CronTickSummary) async {
        let schedule = firing.scheduleID.lowercasedText
        switch firing.outcome {
        case .started(let instanceID, let cancelling):
            summary.fired += 1
            logger.debug(
                "cron schedule started an instance",
                metadata: ["cron.schedule_id": "\(schedule)", "instance.id": "\(instanceID.lowercasedText)"]
            )
            // The store sent the cancel signals with the fire; their instances' runs carry them out.
            for previous in cancelling { signalArrived(for: previous) }
            summary.cancelled += cancelling.count
        case .skipped:
            summary.skipped += 1
        case .waiting:
            summary.waiting += 1
        case .sequenceMissing:
            summary.sequenceMissing += 1
            logger.warning("cron schedule's sequence no longer exists", metadata: ["cron.schedule_id": "\(schedule)"])
        }
    }
}
