public import Foundation
public import Logging
public import Orch8Core
public import Orch8Handlers
public import Orch8Plugins
public import ServiceLifecycle
import Synchronization

/// The engine as a Service: claims due instances in batches and runs them, wakes at once when told
/// that work arrived (``wake()``), and keeps a periodic claim as a safety net (DESIGN.md §2).
///
/// Instances that wait (timers, retry back-off, pause) are rows in the store, not tasks: the
/// database is the timer wheel.
public final class Engine: Service, Sendable {
    public let configuration: EngineConfiguration
    let store: any Store
    let handlers: [String: any StepHandler]
    /// Runs `wasm://` steps; nil when plugins are not configured (such steps then fail).
    public let plugins: PluginHost?
    /// What `GET /metrics` serves: this engine's counters, gauges and histograms.
    public let metrics: EngineMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    let commits: GroupCommit<InstanceUpdate, Bool>
    /// Workers' complete and fail reports, many per transaction.
    let reports: GroupCommit<WorkerReport, WorkerTaskMutation>
    let sequences: SequenceCache

    private let doorbell = Doorbell()
    /// Rung when worker tasks may have become available; long-polls wait on it.
    public let taskBell = TaskBell()
    private struct State {
        var alive = false
        var stopping = false
        var inFlight: Set<UUID> = []
        var signalled: Set<UUID> = []
    }
    private let state = Mutex(State())

    public init(
        store: any Store,
        configuration: EngineConfiguration = EngineConfiguration(),
        handlers: [String: any StepHandler] = BuiltinHandlers.standard(),
        plugins: PluginHost? = nil,
        metrics: EngineMetrics = EngineMetrics(),
        logger: Logger = Logger(label: "orch8.engine"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.metrics = metrics
        self.configuration = configuration
        let link = EngineLink()
        self.handlers = InstanceHandlers.make(store: store, link: link).merging(handlers) { _, given in given }
        self.plugins = plugins
        self.logger = logger
        self.now = now
        commits = GroupCommit(missing: false) { updates in
            try await store.commit(updates)
        }
        reports = GroupCommit(missing: .notFound) { reports in
            try await store.reportWorkerTasks(reports, now: now())
        }
        sequences = SequenceCache(store: store)
        link.connect(
            signalArrived: { [weak self] id in self?.signalArrived(for: id) },
            wake: { [weak self] in self?.wake() }
        )
    }

    /// Every handler name a step can use in-process, sorted (`GET /handlers`).
    public var builtinHandlerNames: [String] {
        (Array(handlers.keys) + BuiltinHandlers.engineHandled).sorted()
    }

    /// True while the scheduling loop runs (`/health/ready`).
    public var isAlive: Bool { state.withLock { $0.alive } }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Whether the engine's loops go on: not stopping, and the calling task not cancelled (a
    /// service group tearing the engine down cancels it, and a cancelled sleep or store call returns
    /// at once, so a loop that only asked `isStopping` would spin).
    var keepsRunning: Bool { !isStopping && !Task.isCancelled }

    /// Logs a background loop's failed store call; a call cut short by cancellation did not fail.
    func logFailure(_ message: Logger.Message, _ error: any Error) {
        guard !(error is CancellationError) else { return }
        logger.error(message, metadata: ["error": "\(error)"])
    }

    /// Work may be due: a new instance, a state change, a timer. Claims at once.
    public func wake() { doorbell.ring() }

    /// Applies a worker's complete or fail, grouped with other workers' reports into one
    /// transaction; an applied report wakes the engine to take the result.
    public func report(_ report: WorkerReport) async throws -> WorkerTaskMutation {
        let result = try await reports.submit(report)
        if case .applied = result { wake() }
        return result
    }

    /// A signal was enqueued for `instanceID` (through this node or, on a shared database, another):
    /// a running instance sees it before its next step, a paused one is handled by the next sweep,
    /// which this triggers, and one parked on a timer is made due (``wakeSignalled()``; a no-op
    /// for an instance another node is running, which that node's flag covers).
    public func signalArrived(for instanceID: UUID) {
        state.withLock { _ = $0.signalled.insert(instanceID) }
        doorbell.ring()
    }

    func takeSignalFlag(_ instanceID: UUID) -> Bool {
        state.withLock { $0.signalled.remove(instanceID) != nil }
    }

    // MARK: Service

    public func run() async throws {
        // A restart of this node takes its own leases back at once; other nodes' expired leases too.
        let recovered = try await store.releaseLeases(expiredBefore: now(), orOwnedBy: configuration.nodeID)
        if recovered > 0 {
            metrics.recovered(recovered)
            logger.info("recovered instances left running", metadata: ["count": "\(recovered)"])
        }
        state.withLock { $0.alive = true }
        defer { state.withLock { $0.alive = false } }

        async let flusher: Void = commits.run()
        async let reporter: Void = reports.run()
        async let heartbeat: Void = renewLeases()
        async let cron: Void = runCronLoop()
        // Other nodes sharing the database tell us when work is due or tasks arrived.
        let listener = Task { await self.listenForChanges() }
        await withGracefulShutdownHandler {
            await self.schedule()
        } onGracefulShutdown: {
            self.stop()
        }
        listener.cancel()
        stop()
        commits.finish()
        reports.finish()
        await flusher
        await reporter
        await heartbeat
        await cron
        let released = try await store.releaseLeases(expiredBefore: now(), orOwnedBy: configuration.nodeID)
        logger.info("engine stopped", metadata: ["released": "\(released)"])
    }

    private func listenForChanges() async {
        guard let changes = store.changes() else { return }
        for await change in changes {
            switch change {
            case .work: doorbell.ring()
            case .tasks: taskBell.ring()
            case .plugins: plugins?.registry.invalidate()
            case .signal(let id): signalArrived(for: id)
            }
        }
    }

    private func stop() {
        state.withLock { $0.stopping = true }
        doorbell.ring()
    }

    /// The claim loop; returns once stopping and every run has finished or been released.
    private func schedule() async {
        var lastSweep = ContinuousClock.now
        await withDiscardingTaskGroup { runners in
            while keepsRunning {
                let free = configuration.maxConcurrentInstances - state.withLock { $0.inFlight.count }
                var claimedFull = false
                if free > 0 {
                    let limit = min(configuration.claimBatchSize, free)
                    let tickStarted = ContinuousClock.now
                    do {
                        let claimed = try await store.claimDueInstances(
                            now: now(),
                            limit: limit,
                            owner: configuration.nodeID,
                            leaseUntil: now().addingTimeInterval(configuration.leaseDuration.seconds)
                        )
                        claimedFull = claimed.count == limit
                        metrics.claimed(claimed.count)
                        for instance in claimed {
                            let id = instance.instance.id
                            if state.withLock({ $0.inFlight.insert(id).inserted }) {
                                metrics.runStarted()
                                runners.addTask { await self.runInstance(instance) }
                            } else {
                                // Its previous run here is still finishing (it had just parked the
                                // instance due, or its lease lapsed): never run it twice at once. Put it
                                // back; that run's end rings for the next claim.
                                let due = now()
                                _ = try? await store.setInstanceState(
                                    id: id,
                                    from: .running,
                                    to: .scheduled,
                                    nextFireAt: due,
                                    now: due
                                )
                            }
                        }
                        metrics.tickFinished(after: ContinuousClock.now - tickStarted)
                    } catch {
                        logFailure("claim failed", error)
                        try? await Task.sleep(for: configuration.storageRetryDelay)
                    }
                }
                await wakeSignalled()
                if ContinuousClock.now - lastSweep >= configuration.tickInterval {
                    lastSweep = .now
                    await sweepSignals()
                }
                if claimedFull { continue }
                // Full: a run that ends rings; due work must not make the loop spin meanwhile.
                var timeout = configuration.tickInterval
                if free > 0 { timeout = await idleTimeout() }
                await doorbell.wait(timeout: timeout)
            }
            // Let running steps finish within the grace period, then cancel them.
            let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
            // Cancelled, there is no grace: the runs are cancelled with this task already.
            while state.withLock({ !$0.inFlight.isEmpty }) && ContinuousClock.now < deadline && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
            }
            runners.cancelAll()
        }
    }

    /// Until the earliest timer, at most one tick.
    private func idleTimeout() async -> Duration {
        guard let due = try? await store.nextDueTime() else { return configuration.tickInterval }
        let wait = due.timeIntervalSince(now())
        if wait <= 0 { return .zero }
        return min(configuration.tickInterval, .milliseconds(Int64(wait * 1000)))
    }

    private func runInstance(_ claimed: ClaimedInstance) async {
        let started = ContinuousClock.now
        var run = InstanceRun(engine: self, claimed: claimed)
        var failed = false
        do {
            try await run.execute()
        } catch {
            failed = true
            logger.error(
                "instance run failed; releasing it",
                metadata: [
                    "instance_id": "\(claimed.instance.id.lowercasedText)",
                    "tenant_id": "\(claimed.instance.tenantID)", "error": "\(error)",
                ]
            )
            try? await run.release(at: now().addingTimeInterval(configuration.storageRetryDelay.seconds))
        }
        let id = claimed.instance.id
        let wasFull = state.withLock { state -> Bool in
            let full = state.inFlight.count >= configuration.maxConcurrentInstances
            state.inFlight.remove(id)
            return full
        }
        metrics.runFinished(after: ContinuousClock.now - started)
        // Claim again only when this run freed a slot the scheduler was waiting for, or left work
        // due (a timer to wait for): an instance that completed, failed or waits for a worker
        // brings nothing new, and an empty claim still takes the writer.
        if wasFull || failed || run.leftDueWork || isStopping { doorbell.ring() }
    }

    /// Keeps the leases of running instances alive while their steps run, and frees instances whose
    /// lease expired.
    private func renewLeases() async {
        let interval = configuration.leaseDuration / 3
        var last = ContinuousClock.now
        var lastReap = ContinuousClock.now
        while keepsRunning {
            try? await Task.sleep(for: .milliseconds(100))
            if ContinuousClock.now - lastReap >= configuration.workerReaperInterval {
                lastReap = .now
                await reapWorkerTasks()
            }
            guard ContinuousClock.now - last >= interval else { continue }
            last = .now
            let ids = state.withLock { Array($0.inFlight) }
            do {
                if !ids.isEmpty {
                    try await store.renewLeases(
                        instanceIDs: ids,
                        owner: configuration.nodeID,
                        until: now().addingTimeInterval(configuration.leaseDuration.seconds)
                    )
                }
                // Another node that died leaves instances running under an expired lease.
                let recovered = try await store.releaseLeases(expiredBefore: now(), orOwnedBy: nil)
                if recovered > 0 {
                    metrics.recovered(recovered)
                    doorbell.ring()
                }
            } catch {
                logFailure("lease maintenance failed", error)
            }
        }
    }

    /// Tasks of vanished workers become pending again (waking long-polls); tasks past their
    /// timeout fail, and their instances are due at once to take the failure.
    private func reapWorkerTasks() async {
        do {
            let stale = now().addingTimeInterval(-configuration.workerStaleAfter.seconds)
            let reaping = try await store.reapWorkerTasks(staleBefore: stale, now: now())
            if reaping.reclaimed > 0 {
                logger.info("worker tasks reclaimed from silent workers", metadata: ["count": "\(reaping.reclaimed)"])
                taskBell.ring()
            }
            if reaping.timedOut > 0 {
                logger.info("worker tasks timed out", metadata: ["count": "\(reaping.timedOut)"])
                doorbell.ring()
            }
        } catch {
            logFailure("worker reaper failed", error)
        }
    }

    /// A signal that arrived while its instance was running may find it parked on a timer by
    /// the time the run ends (a sleep, a back-off): make such instances due now so that the signal
    /// is applied at once rather than when the timer fires.
    private func wakeSignalled() async {
        let waiting = state.withLock { state -> Set<UUID> in
            let idle = state.signalled.subtracting(state.inFlight)
            state.signalled.subtract(idle)
            return idle
        }
        for id in waiting {
            do {
                let due = now()
                if try await store.setInstanceState(id: id, from: .scheduled, to: .scheduled, nextFireAt: due, now: due)
                {
                    doorbell.ring()
                }
            } catch {
                logger.error("could not wake a signalled instance", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies signals sent to paused instances (resume, cancel, update_context). Running and
    /// scheduled instances read their own signals when they run.
    private func sweepSignals() async {
        do {
            let ids = try await store.instancesWithPendingSignals(in: [.paused], limit: 256)
            for id in ids { try await applySignalsToPaused(id) }
            // A waiting instance (on a worker task) runs again to apply its signals; the run parks it
            // again if its task is still out.
            for id in try await store.instancesWithPendingSignals(in: [.waiting], limit: 256) {
                let signals = try await store.pendingSignals(instanceID: id)
                guard signals.contains(where: { !$0.signalType.isHumanInput }) else { continue }
                let due = now()
                if try await store.setInstanceState(id: id, from: .waiting, to: .scheduled, nextFireAt: due, now: due) {
                    doorbell.ring()
                }
            }
        } catch {
            logger.error("signal sweep failed", metadata: ["error": "\(error)"])
        }
    }

    private func applySignalsToPaused(_ id: UUID) async throws {
        guard var instance = try await store.instance(id: id), instance.state == .paused else { return }
        let signals = try await store.pendingSignals(instanceID: id)
        var update = InstanceUpdate(instanceID: id, expectedState: .paused, leaseOwner: nil, now: now())
        for signal in signals {
            switch signal.signalType {
            case .resume:
                update.deliveredSignals.append(signal.id)
                update.state = .scheduled
                update.setsNextFireAt = true
                update.nextFireAt = now()
            case .cancel:
                // The run carries the cancel out (scopes, non-cancellable steps, children): the
                // instance becomes due with the signal still pending.
                update.state = .scheduled
                update.setsNextFireAt = true
                update.nextFireAt = now()
            case .pause:
                update.deliveredSignals.append(signal.id)
            case .updateContext:
                update.deliveredSignals.append(signal.id)
                if instance.context.apply(updateContext: signal.payload) { update.context = instance.context }
            case .custom:
                if !signal.signalType.isHumanInput { update.deliveredSignals.append(signal.id) }
            }
            if update.state != nil { break }
        }
        guard !update.deliveredSignals.isEmpty || update.state != nil else { return }
        if try await commits.submit(update) {
            metrics.committed(signals: update.deliveredSignals.count, tasks: 0, state: nil)
        }
        if update.state == .scheduled { doorbell.ring() }
    }
}
