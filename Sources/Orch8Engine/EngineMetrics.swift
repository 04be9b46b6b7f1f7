import Orch8Core
public import Orch8Plugins
public import Prometheus
import Synchronization

/// The engine's Prometheus metrics (ORCH8-SPEC §10), served as text by `GET /metrics`.
///
/// Each engine owns its registry rather than reporting through a process-wide `MetricsSystem`: a
/// test process builds many engines, and each must count only its own work. Counters and gauges are
/// atomics and histograms take a short lock, so updating them on the step path costs nanoseconds;
/// labels are few and bounded (a plugin's name and kind, never an instance).
public final class EngineMetrics: Sendable {
    /// Where every series lives; others (the API's request counter) may add their own.
    public let registry: PrometheusCollectorRegistry

    /// Instances taken from the store to run (one per claim of an instance).
    private let instancesClaimed: Counter
    /// Instances that reached `completed`.
    private let instancesCompleted: Counter
    /// Instances that reached `failed`.
    private let instancesFailed: Counter
    /// Step attempts that produced a result, success or failure (a handler call, a worker's report,
    /// a sleep that ended, a sub-sequence whose child finished).
    private let stepsExecuted: Counter
    /// Steps that failed for good (retries exhausted, permanent errors, unrenderable params).
    private let stepsFailed: Counter
    /// Step failures that scheduled another attempt.
    private let stepsRetried: Counter
    /// Signals applied to their instance.
    private let signalsDelivered: Counter
    /// Instances found running under an expired (or this node's old) lease and made due again.
    private let recoveredStaleInstances: Counter
    /// Instances started by cron schedules.
    private let cronTriggeredTotal: Counter
    /// Cron fires skipped (overlap policy, a missed window).
    private let cronSkippedTotal: Counter
    /// Worker tasks handed out to external workers.
    private let tasksPushed: Counter

    /// One pass of the claim loop: the claim and the dispatch of what it returned.
    private let tickDuration: DurationHistogram
    /// One in-process handler or plugin call.
    private let stepDuration: DurationHistogram
    /// One claim of one instance, from the start of its run to its last commit.
    private let instanceProcessing: DurationHistogram
    /// Instances claimed by the latest pass of the claim loop.
    private let queueDepth: Gauge
    /// Instances running on this engine now.
    private let activeTasks: Gauge

    /// The plugin series by kind and name, made on a plugin's first call.
    private let plugins = Mutex<[PluginKey: PluginSeries]>([:])

    /// Durations from 100 µs (a noop step) to a minute (a slow plugin or a long instance run).
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Registers the engine's series in `registry` (a fresh one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: Self.named(name, help))
        }
        func histogram(_ name: String, _ help: String) -> DurationHistogram {
            registry.makeDurationHistogram(descriptor: Self.named(name, help), buckets: Self.durationBuckets)
        }
        instancesClaimed = counter("orch8_instances_claimed_total", "Instances claimed to run.")
        instancesCompleted = counter("orch8_instances_completed_total", "Instances that completed.")
        instancesFailed = counter("orch8_instances_failed_total", "Instances that failed.")
        stepsExecuted = counter("orch8_steps_executed_total", "Step attempts that produced a result.")
        stepsFailed = counter("orch8_steps_failed_total", "Steps that failed for good.")
        stepsRetried = counter("orch8_steps_retried_total", "Step failures that scheduled a retry.")
        signalsDelivered = counter("orch8_signals_delivered_total", "Signals applied to their instance.")
        recoveredStaleInstances = counter(
            "orch8_recovery_stale_instances_total",
            "Instances recovered from expired leases."
        )
        cronTriggeredTotal = counter("orch8_cron_triggered_total", "Instances started by cron schedules.")
        cronSkippedTotal = counter("orch8_cron_skipped_total", "Cron fires skipped.")
        tasksPushed = counter("orch8_tasks_pushed_total", "Worker tasks handed out.")
        tickDuration = histogram("orch8_tick_duration_seconds", "One pass of the claim loop.")
        stepDuration = histogram("orch8_step_duration_seconds", "One in-process handler or plugin call.")
        instanceProcessing = histogram(
            "orch8_instance_processing_seconds",
            "One claim of one instance, run to its last commit."
        )
        queueDepth = registry.makeGauge(
            descriptor: Self.named("orch8_queue_depth", "Instances claimed by the latest tick.")
        )
        activeTasks = registry.makeGauge(
            descriptor: Self.named("orch8_active_tasks", "Instances running on this engine.")
        )
    }

    /// A series' full name, spelled out whole as ORCH8-SPEC §10 lists it, and its help line.
    private static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Every series in the Prometheus text format (version 0.0.4).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    // MARK: Events

    /// A pass of the claim loop took `count` instances.
    func claimed(_ count: Int) {
        queueDepth.set(to: Double(count))
        instancesClaimed.increment(by: Int64(count))
    }

    /// A pass of the claim loop ended, its claims dispatched.
    func tickFinished(after duration: Duration) {
        tickDuration.record(duration)
    }

    /// An instance's run started on this engine.
    func runStarted() {
        activeTasks.increment()
    }

    /// An instance's run ended after `duration`.
    func runFinished(after duration: Duration) {
        activeTasks.decrement()
        instanceProcessing.record(duration)
    }

    /// Instances left running under expired leases were made due again.
    func recovered(_ count: Int) {
        recoveredStaleInstances.increment(by: Int64(count))
    }

    /// A commit applied these many signals, handed out these many worker tasks and left the
    /// instance in `state` (nil: unchanged).
    func committed(signals: Int, tasks: Int, state: InstanceState?) {
        if signals > 0 { signalsDelivered.increment(by: Int64(signals)) }
        if tasks > 0 { tasksPushed.increment(by: Int64(tasks)) }
        switch state {
        case .completed?: instancesCompleted.increment()
        case .failed?: instancesFailed.increment()
        default: break
        }
    }

    /// A step attempt produced a result: a success, or a failure that is `retried` or not.
    func stepExecuted() {
        stepsExecuted.increment()
    }

    /// A step failure scheduled another attempt.
    func stepRetried() {
        stepsRetried.increment()
    }

    /// A step failed for good.
    func stepFailed() {
        stepsFailed.increment()
    }

    /// An in-process handler or plugin call took `duration`.
    func stepCalled(for duration: Duration) {
        stepDuration.record(duration)
    }

    /// A cron schedule started `count` instances.
    public func cronTriggered(_ count: Int = 1) {
        cronTriggeredTotal.increment(by: Int64(count))
    }

    /// A cron schedule skipped `count` fires.
    public func cronSkipped(_ count: Int = 1) {
        cronSkippedTotal.increment(by: Int64(count))
    }

    // MARK: Plugins

    private struct PluginKey: Hashable {
        var plugin: String
        var kind: PluginCallReport.Kind
    }

    /// A plugin's series, labelled `plugin` and `kind`.
    private struct PluginSeries: Sendable {
        var calls: Counter
        var errors: Counter
        var duration: DurationHistogram
        var fuel: Counter
    }

    private func series(_ key: PluginKey) -> PluginSeries {
        plugins.withLock { known in
            if let series = known[key] { return series }
            let labels = [("plugin", key.plugin), ("kind", key.kind.rawValue)]
            let series = PluginSeries(
                calls: registry.makeCounter(
                    descriptor: Self.named("orch8_plugin_calls_total", "Plugin calls."),
                    labels: labels
                ),
                errors: registry.makeCounter(
                    descriptor: Self.named("orch8_plugin_errors_total", "Plugin calls that failed."),
                    labels: labels
                ),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.named("orch8_plugin_duration_seconds", "One plugin call, as the host saw it."),
                    labels: labels,
                    buckets: Self.durationBuckets
                ),
                fuel: registry.makeCounter(
                    descriptor: Self.named("orch8_plugin_fuel_consumed_total", "WASM fuel burnt by plugin calls."),
                    labels: labels
                )
            )
            known[key] = series
            return series
        }
    }
}

extension EngineMetrics: PluginCallObserver {
    public func pluginCallFinished(_ report: PluginCallReport) {
        let series = series(PluginKey(plugin: report.plugin, kind: report.kind))
        series.calls.increment()
        if report.failed { series.errors.increment() }
        series.duration.record(report.duration)
        if report.fuelUsed > 0 { series.fuel.increment(by: Int64(clamping: report.fuelUsed)) }
    }
}
