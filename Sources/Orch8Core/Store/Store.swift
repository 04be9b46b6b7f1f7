public import Foundation

/// Durable storage of everything the engine and the API keep: sequences, instances, their outputs,
/// signals and KV state (DESIGN.md §2).
///
/// Every backend (SQLite now, PostgreSQL later) passes the same conformance suite
/// (`Tests/Orch8StorageTests/StoreConformance*`). Rules every implementation keeps:
/// - Writes that belong together are one transaction: a step's output, the instance's new state and
///   its KV writes commit together or not at all (``commit(_:)``).
/// - State changes are compare-and-set on the current state, so that two writers (an API call and
///   the engine, or two engine nodes) cannot both win.
/// - Outputs are append-only; only the engine's marker rows (see ``OutputMarker``) are ever deleted.
/// - Timestamps are stored with at least millisecond precision and come back as UTC `Date`s.
public protocol Store: Sendable {
    /// Succeeds when the backend answers a trivial query (for `/health/ready`).
    func ping() async throws

    /// What other processes sharing the database report: work that became due, worker tasks that
    /// were created, plugin changes. Nil for a store only one process uses (the engine's own
    /// doorbell suffices).
    func changes() -> AsyncStream<StoreChange>?

    // MARK: Sequences

    /// Stores a new sequence.
    /// - Throws: ``StoreError/alreadyExists(_:)`` for a duplicate id or a duplicate
    ///   (tenant, namespace, name, version).
    func createSequence(_ sequence: SequenceDefinition) async throws
    func sequence(id: UUID) async throws -> SequenceDefinition?
    /// Sequences ordered by (tenant, namespace, name, version), paged.
    func sequences(_ query: SequenceQuery) async throws -> [SequenceDefinition]
    /// Every version of a sequence name, newest (highest version) first.
    func sequenceVersions(tenantID: String, namespace: String, name: String) async throws -> [SequenceDefinition]
    /// Marks a sequence deprecated; false if there is no such sequence.
    func deprecateSequence(id: UUID) async throws -> Bool
    /// Deletes a sequence unless instances of it are still active (scheduled, running, waiting,
    /// paused); the check and the delete are atomic.
    func deleteSequence(id: UUID) async throws -> SequenceDeletion

    // MARK: Instances

    /// Stores new instances in one transaction. An instance whose (tenant, idempotency key) already
    /// exists is not stored; its result carries the existing instance's id.
    func createInstances(_ instances: [TaskInstance]) async throws -> [InstanceCreation]
    func instance(id: UUID) async throws -> TaskInstance?
    /// Instances matching `query`, most recently updated first.
    func instances(_ query: InstanceQuery) async throws -> [TaskInstance]
    /// Sets the state if it is still `expected` (compare-and-set); `nextFireAt` is written when
    /// given. Returns false when the instance is missing or in another state.
    func setInstanceState(
        id: UUID,
        from expected: InstanceState,
        to state: InstanceState,
        nextFireAt: Date?,
        now: Date
    ) async throws -> Bool
    /// Replaces the whole context; false if there is no such instance. A `running` instance also
    /// loses its lease (expired at once), so that the engine's next commit for it is refused rather
    /// than overwriting the new context; the instance then resumes from its last committed step.
    func replaceContext(id: UUID, context: ExecutionContext, now: Date) async throws -> Bool
    /// Moves a `failed` instance back to `scheduled` for another run: deletes the engine's marker
    /// rows (`__error__`, `__retry__`, `__in_progress__`) so completed steps are kept and failed
    /// ones get a fresh retry budget, and stores the new run id. False unless the instance was
    /// `failed`.
    func retryInstance(id: UUID, runID: UUID, now: Date) async throws -> Bool

    // MARK: Outputs, KV state, signals

    /// Every output row of an instance, in the order they were written.
    func outputs(instanceID: UUID) async throws -> [BlockOutput]
    /// The instance's KV state.
    func stateValues(instanceID: UUID) async throws -> [String: JSON]
    /// Stores a signal unless the instance is terminal (atomically with that check). A `scheduled`
    /// instance's `next_fire_at` is moved to `now` so that the engine sees the signal at once.
    func enqueueSignal(_ signal: Signal, now: Date) async throws -> SignalEnqueueResult
    /// Undelivered signals of an instance, oldest first.
    func pendingSignals(instanceID: UUID) async throws -> [Signal]
    /// Ids of instances in one of `states` that have undelivered signals (the engine's sweep for
    /// paused and waiting instances).
    func instancesWithPendingSignals(in states: Set<InstanceState>, limit: Int) async throws -> [UUID]

    // MARK: Plugins

    /// Registers a plugin. - Throws: ``StoreError/alreadyExists(_:)`` if the tenant (or, for "",
    /// the global scope) already has a plugin of that name.
    func createPlugin(_ plugin: PluginDefinition) async throws
    /// The plugin registered under exactly this tenant ("" = global) and name.
    func plugin(named name: String, tenantID: String) async throws -> PluginDefinition?
    /// Plugins by name: with a tenant, that tenant's plus the global ones; without, all.
    func plugins(tenantID: String?) async throws -> [PluginDefinition]
    /// Replaces the stored plugin with the same tenant and name; false if there is none.
    func updatePlugin(_ plugin: PluginDefinition) async throws -> Bool
    /// Deletes the plugin with this tenant and name; false if there is none.
    func deletePlugin(named name: String, tenantID: String) async throws -> Bool

    // MARK: Triggers

    /// Stores a new trigger.
    /// - Throws: ``StoreError/alreadyExists(_:)`` when the slug is taken (slugs are global, not per
    ///   tenant).
    func createTrigger(_ trigger: TriggerDefinition) async throws
    /// The trigger with this slug, whatever its tenant.
    func trigger(slug: String) async throws -> TriggerDefinition?
    /// At most `limit` triggers by slug: with a tenant only that tenant's, without every one.
    func triggers(tenantID: String?, limit: Int) async throws -> [TriggerDefinition]
    /// Deletes the trigger with this slug; false if there is none.
    func deleteTrigger(slug: String) async throws -> Bool
    /// Stores a new instance, as ``createInstances(_:)`` does, unless `dedupe` names an emission made
    /// at most ``EventDedupe/ttl`` before `now`: then nothing is stored and the result carries the
    /// instance that emission created. Otherwise the key is remembered (from `now`) for this
    /// instance. The check, the insert and the key are one transaction, so two emissions racing with
    /// one key create one instance. An instance whose (tenant, idempotency key) exists is not stored
    /// either; the result names the existing one.
    func createInstance(_ instance: TaskInstance, dedupe: EventDedupe?, now: Date) async throws -> EventInstanceCreation

    // MARK: API keys

    /// Stores a newly minted per-tenant key.
    /// - Throws: ``StoreError/alreadyExists(_:)`` for a duplicate id or key hash.
    func createAPIKey(_ key: APIKeyRecord) async throws
    /// The key whose ``APIKeyRecord/keyHash`` is `hash`, revoked and expired ones included (the
    /// caller decides with ``APIKeyRecord/isActive(at:)``); nil when there is none.
    func apiKey(hash: String) async throws -> APIKeyRecord?
    /// Keys by creation time, then id: with a tenant only that tenant's, without every one.
    func apiKeys(tenantID: String?) async throws -> [APIKeyRecord]
    /// Marks the key revoked at `now`, which takes effect for the next request presenting it; with a
    /// tenant only a key of that tenant. A key revoked before keeps its first revocation time. False
    /// when there is no such key.
    func revokeAPIKey(id: UUID, tenantID: String?, now: Date) async throws -> Bool

    // MARK: Execution tree

    /// The instance's execution-tree nodes (written with ``commit(_:)``), in the order they were
    /// first written.
    func executionTree(instanceID: UUID) async throws -> [ExecutionNode]
    /// The sub-sequence instances started by `parentID`, oldest first.
    func childInstances(parentID: UUID) async throws -> [TaskInstance]

    // MARK: Worker tasks

    /// The task of one step of an instance, if the engine created one.
    func workerTask(instanceID: UUID, blockID: String) async throws -> WorkerTask?
    func workerTask(id: UUID) async throws -> WorkerTask?
    /// Leases up to `poll.limit` pending tasks, oldest first, to `poll.workerID` (claim epoch + 1,
    /// a `claimed` event each), and records the poll in the worker's registration. Atomic: no task
    /// is ever handed to two pollers.
    func pollWorkerTasks(_ poll: WorkerPoll) async throws -> [WorkerTask]
    /// Applies workers' reports in one transaction, each whole or not at all: a report whose fence
    /// does not hold the task's lease changes nothing but a `stale_mutation_rejected` event. An
    /// applied report stores the output or the failure and makes the task's instance due if it is
    /// `waiting` (the engine takes the result or decides on a retry).
    func reportWorkerTasks(_ reports: [WorkerReport], now: Date) async throws -> [WorkerTaskMutation]
    /// Extends the lease of a task claimed by `fence`, storing `checkpoint` when given (compare-and-set
    /// on its sequence).
    func heartbeatWorkerTask(
        id: UUID,
        fence: WorkerFence,
        checkpoint: WorkerCheckpoint?,
        now: Date
    ) async throws -> WorkerHeartbeat
    /// Tasks matching `query`, newest first.
    func workerTasks(_ query: WorkerTaskQuery) async throws -> [WorkerTask]
    /// Task counts per handler and state, for one tenant or all.
    func workerTaskCounts(tenantID: String?) async throws -> [WorkerTaskCount]
    /// A task's lease history, oldest first.
    func workerTaskEvents(taskID: UUID, limit: Int) async throws -> [WorkerTaskEvent]
    /// Workers that polled, by id.
    func workerRegistrations() async throws -> [WorkerRegistration]
    /// Returns claimed tasks whose last heartbeat is before `staleBefore` to `pending`, and fails
    /// tasks past their `timeout_ms` (their waiting instances become due).
    func reapWorkerTasks(staleBefore: Date, now: Date) async throws -> WorkerReaping

    // MARK: Cron

    /// Stores a new cron schedule. - Throws: ``StoreError/alreadyExists(_:)`` for a duplicate id.
    func createCronSchedule(_ schedule: CronSchedule) async throws
    /// The schedule with this id, whatever its tenant.
    func cronSchedule(id: UUID) async throws -> CronSchedule?
    /// At most `limit` schedules, oldest first: with a tenant only that tenant's, without every one.
    func cronSchedules(tenantID: String?, limit: Int) async throws -> [CronSchedule]
    /// Writes what the API may change of a schedule (`cron_expr`, `timezone`, `enabled`, `metadata`,
    /// `overlap_policy`, `updated_at`, and `next_fire_at` when `rescheduled`), leaving the fire
    /// bookkeeping the cron loop keeps as it is; false if there is no such schedule. An update that
    /// does not reschedule must leave `next_fire_at` alone: the loop may have fired and advanced it
    /// since the caller read the schedule, and writing the old value back would fire that slot twice.
    func updateCronSchedule(_ schedule: CronSchedule, rescheduled: Bool) async throws -> Bool
    /// Deletes a schedule; false if there is none. Instances it started are not touched.
    func deleteCronSchedule(id: UUID) async throws -> Bool
    /// Fires up to `limit` enabled schedules due at `now` (earliest first), in one transaction with
    /// their effects, so that a fire happens once even with several engine nodes on one database
    /// (schedules another node is firing are passed over) and a crash neither loses nor doubles one.
    ///
    /// For each: the schedule's active instances (scheduled, running, waiting, paused, with its
    /// `cron_schedule_id` in their metadata) go through ``CronOverlapPolicy/decide(active:)``. A
    /// start creates ``CronSchedule/instance(now:)``, sends each instance it replaces a `cancel`
    /// signal (those not yet ended are named in the firing) and sets `last_triggered_at`; a skip counts in
    /// `skipped_fires` and `last_skipped_at`; both move `next_fire_at` to the first fire time after
    /// `now` (missed fires collapse into this one). A wait leaves the fire due at `recheckAt`. A
    /// schedule whose sequence is gone starts nothing and moves on to its next fire time.
    func fireDueCronSchedules(now: Date, limit: Int, recheckAt: Date) async throws -> [CronFiring]

    // MARK: Engine

    /// Atomically moves up to `limit` due instances (`scheduled`, `next_fire_at` ≤ `now`, highest
    /// priority then earliest first) to `running` under a lease held by `owner` until `leaseUntil`,
    /// and returns them with what the engine needs to run them.
    func claimDueInstances(now: Date, limit: Int, owner: String, leaseUntil: Date) async throws -> [ClaimedInstance]
    /// Extends the leases `owner` holds on these instances.
    func renewLeases(instanceIDs: [UUID], owner: String, until: Date) async throws
    /// Returns `running` instances whose lease has expired (their owner died) to `scheduled`, due
    /// now. With `owner`, also every lease that owner holds, expired or not (a restart of the same
    /// node, or a shutdown releasing its work). Returns how many instances were released.
    func releaseLeases(expiredBefore now: Date, orOwnedBy owner: String?) async throws -> Int
    /// The earliest `next_fire_at` of a scheduled instance, so the engine can sleep until then.
    func nextDueTime() async throws -> Date?
    /// Applies the engine's updates of many instances in one transaction. Each update applies whole
    /// or not at all: it is skipped (false in the result) when the instance is not in its
    /// ``InstanceUpdate/expectedState`` or no longer leased by its ``InstanceUpdate/leaseOwner``.
    ///
    /// Wakes are never lost: an instance parked `waiting` becomes `scheduled` (due now) instead when
    /// something it waits for happened while it ran (a worker's report, a child's end, a gate's
    /// answer); an instance that ends (completed, failed, cancelled) wakes its waiting parent.
    func commit(_ updates: [InstanceUpdate]) async throws -> [Bool]
}

/// A change another process made to a shared store.
public enum StoreChange: Sendable, Equatable {
    /// Instances may have become due: claim.
    case work
    /// Worker tasks may have become available: wake long-polls.
    case tasks
    /// The plugin registry changed: forget cached plugins.
    case plugins
    /// A signal was stored for this instance, which may be running here.
    case signal(UUID)
}

extension Store {
    public func changes() -> AsyncStream<StoreChange>? { nil }

    /// The sequence `trigger` starts: its pinned version, else the newest version not deprecated, of
    /// its sequence name in its tenant and namespace; nil when there is none.
    public func sequence(for trigger: TriggerDefinition) async throws -> SequenceDefinition? {
        trigger.pick(
            from: try await sequenceVersions(
                tenantID: trigger.tenantID,
                namespace: trigger.namespace,
                name: trigger.sequenceName
            )
        )
    }

    /// Completes a task claimed by `fence` with the worker's output (one report).
    public func completeWorkerTask(
        id: UUID,
        fence: WorkerFence,
        output: JSON,
        now: Date
    ) async throws -> WorkerTaskMutation {
        let report = WorkerReport(taskID: id, fence: fence, outcome: .completed(output))
        return try await reportWorkerTasks([report], now: now).first ?? .notFound
    }

    /// Fails a task claimed by `fence` (one report).
    public func failWorkerTask(
        id: UUID,
        fence: WorkerFence,
        message: String,
        retryable: Bool,
        now: Date
    ) async throws -> WorkerTaskMutation {
        let report = WorkerReport(taskID: id, fence: fence, outcome: .failed(message: message, retryable: retryable))
        return try await reportWorkerTasks([report], now: now).first ?? .notFound
    }
}
