public import Foundation
import Logging
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func workerTask(instanceID: UUID, blockID: String) async throws -> WorkerTask? {
        let found = try await rows(
            """
            SELECT \(unescaped: PostgresWorkerRows.columns) FROM worker_tasks
            WHERE instance_id = \(PostgresRows.id(instanceID)) AND block_id = \(blockID)
            """
        )
        return try found.first.map(PostgresWorkerRows.task)
    }

    public func workerTask(id: UUID) async throws -> WorkerTask? {
        let found = try await rows(
            "SELECT \(unescaped: PostgresWorkerRows.columns) FROM worker_tasks WHERE id = \(PostgresRows.id(id))"
        )
        return try found.first.map(PostgresWorkerRows.task)
    }

    /// One statement, so atomic without a transaction: the registration, the claim and its events.
    /// The candidates are a MATERIALIZED CTE because `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`
    /// may be rescanned by a nested-loop plan and then lock (and claim) more than `n` rows. Oldest
    /// first by `created_at` alone, which the pending index serves without a sort; ties come in index
    /// order, about insertion order (SQLite breaks them by rowid).
    public func pollWorkerTasks(_ poll: WorkerPoll) async throws -> [WorkerTask] {
        var bindings = PostgresBindings()
        bindings.append(poll.workerID)
        bindings.append(poll.handlerName)
        bindings.append(poll.queueName ?? "")
        bindings.append(poll.version)
        bindings.append(PostgresRows.millis(poll.now))
        bindings.append(max(0, poll.limit))
        var conditions = ["state = 'pending'", "handler_name = $2"]
        if let queue = poll.queueName {
            bindings.append(queue)
            conditions.append("queue_name = $\(bindings.count)")
        }
        if let tenant = poll.tenantID {
            bindings.append(tenant)
            conditions.append("tenant_id = $\(bindings.count)")
        }
        let sql = """
            WITH registered AS (
                INSERT INTO worker_registrations (worker_id, handler_name, queue_name, version, last_seen_at)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (worker_id, handler_name, queue_name)
                DO UPDATE SET version = excluded.version, last_seen_at = excluded.last_seen_at
            ), picked AS MATERIALIZED (
                SELECT id FROM worker_tasks WHERE \(conditions.joined(separator: " AND "))
                ORDER BY created_at LIMIT $6 FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE worker_tasks SET state = 'claimed', worker_id = $1, claimed_at = $5, heartbeat_at = $5,
                    claim_epoch = claim_epoch + 1
                WHERE id IN (SELECT id FROM picked)
                RETURNING \(PostgresWorkerRows.columns)
            ), recorded AS (
                INSERT INTO worker_task_events (task_id, event, worker_id, claim_epoch, attempt, created_at)
                SELECT id, 'claimed', worker_id, claim_epoch, attempt, $5 FROM claimed
            )
            SELECT \(PostgresWorkerRows.columns) FROM claimed ORDER BY created_at
            """
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).map(PostgresWorkerRows.task)
    }

    /// Locks every reported task at once (in id order, so that concurrent batches cannot deadlock on
    /// each other), decides each report in order against the leases as the earlier ones left them,
    /// then writes all outcomes, events and wakes in one statement.
    public func reportWorkerTasks(_ reports: [WorkerReport], now: Date) async throws -> [WorkerTaskMutation] {
        guard !reports.isEmpty else { return [] }
        let time = PostgresRows.millis(now)
        let keys = reports.map { PostgresRows.id($0.taskID) }
        let outcomes = reports.map { report -> WorkerReportOutcome in
            switch report.outcome {
            case .completed(let output): .completed(output.serialized())
            case .failed(let message, let retryable): .failed(message, retryable)
            }
        }
        return try await transaction { connection in
            var leases = try await Self.lockLeases(connection, logger, keys: keys)
            var writes = WorkerReportWrites()
            var results: [WorkerTaskMutation] = []
            results.reserveCapacity(reports.count)
            for (index, report) in reports.enumerated() {
                let key = keys[index]
                guard var lease = leases[key] else {
                    results.append(.notFound)
                    continue
                }
                switch lease.check(report.fence) {
                case .notFound:
                    results.append(.notFound)
                case .refused(let detail):
                    writes.events.append(lease, .staleMutationRejected, worker: report.fence.workerID, detail: detail)
                    results.append(.conflict)
                case .held:
                    lease.state = writes.end(key, outcomes[index])
                    leases[key] = lease
                    writes.events.append(lease, outcomes[index].event, worker: report.fence.workerID)
                    writes.wakes.insert(lease.instanceID)
                    results.append(.applied)
                }
            }
            if !writes.events.tasks.isEmpty { try await writes.apply(connection, logger, now: time) }
            return results
        }
    }

    /// The common case, a heartbeat of the lease holder, is one conditional UPDATE; only a refused
    /// one takes a transaction to tell a missing task from a lost lease and record the refusal.
    public func heartbeatWorkerTask(
        id: UUID,
        fence: WorkerFence,
        checkpoint: WorkerCheckpoint?,
        now: Date
    ) async throws -> WorkerHeartbeat {
        let key = PostgresRows.id(id)
        let time = PostgresRows.millis(now)
        let value = checkpoint.map { $0.value.serialized() }
        var bindings = PostgresBindings()
        bindings.append(time)
        bindings.append(key)
        bindings.append(fence.workerID)
        var sets = "heartbeat_at = $1"
        var conditions = "id = $2 AND state = 'claimed' AND worker_id = $3"
        if let epoch = fence.claimEpoch {
            bindings.append(epoch)
            conditions += " AND claim_epoch = $\(bindings.count)"
        }
        if let tenant = fence.tenantID {
            bindings.append(tenant)
            conditions += " AND tenant_id = $\(bindings.count)"
        }
        if let value, let checkpoint {
            bindings.append(value)
            sets += ", resume_checkpoint = $\(bindings.count), checkpoint_seq = checkpoint_seq + 1"
            bindings.append(checkpoint.expectedSeq)
            conditions += " AND checkpoint_seq = $\(bindings.count)"
        }
        let applied = try await rows(
            PostgresQuery(
                unsafeSQL: "UPDATE worker_tasks SET \(sets) WHERE \(conditions) RETURNING checkpoint_seq",
                binds: bindings
            )
        )
        if let row = applied.first { return .applied(checkpointSeq: try row.decode(Int64.self)) }
        return try await transaction { connection in
            guard let lease = try await Self.lockLeases(connection, logger, keys: [key])[key] else { return .notFound }
            switch lease.check(fence) {
            case .notFound:
                return .notFound
            case .refused(let detail):
                try await Self.record(
                    connection,
                    logger,
                    task: key,
                    .staleMutationRejected,
                    worker: fence.workerID,
                    epoch: lease.epoch,
                    attempt: lease.attempt,
                    detail: detail,
                    now: time
                )
                return .conflict
            case .held:
                break
            }
            // Held after all (the lease changed between the two statements): as the UPDATE above.
            if let value, let checkpoint {
                guard checkpoint.expectedSeq == lease.checkpointSeq else {
                    try await Self.record(
                        connection,
                        logger,
                        task: key,
                        .staleMutationRejected,
                        worker: fence.workerID,
                        epoch: lease.epoch,
                        attempt: lease.attempt,
                        detail: "checkpoint_seq \(checkpoint.expectedSeq), expected \(lease.checkpointSeq)",
                        now: time
                    )
                    return .conflict
                }
                try await connection.execute(
                    """
                    UPDATE worker_tasks SET heartbeat_at = \(time), resume_checkpoint = \(value),
                        checkpoint_seq = checkpoint_seq + 1
                    WHERE id = \(key)
                    """,
                    logger
                )
                return .applied(checkpointSeq: lease.checkpointSeq + 1)
            }
            try await connection.execute("UPDATE worker_tasks SET heartbeat_at = \(time) WHERE id = \(key)", logger)
            return .applied(checkpointSeq: lease.checkpointSeq)
        }
    }

    public func workerTasks(_ query: WorkerTaskQuery) async throws -> [WorkerTask] {
        if let states = query.states, states.isEmpty { return [] }
        var bindings = PostgresBindings()
        var conditions: [String] = []
        func match(_ column: String, _ value: String?) {
            guard let value else { return }
            bindings.append(value)
            conditions.append("\(column) = $\(bindings.count)")
        }
        match("tenant_id", query.tenantID)
        match("handler_name", query.handlerName)
        match("worker_id", query.workerID)
        match("queue_name", query.queueName)
        match("instance_id", query.instanceID.map(PostgresRows.id))
        if let states = query.states {
            bindings.append(states.map(\.rawValue).sorted())
            conditions.append("state = ANY($\(bindings.count))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        bindings.append(query.limit)
        bindings.append(query.offset)
        let sql = """
            SELECT \(PostgresWorkerRows.columns) FROM worker_tasks \(filter)
            ORDER BY created_at DESC, id DESC LIMIT $\(bindings.count - 1) OFFSET $\(bindings.count)
            """
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).map(PostgresWorkerRows.task)
    }

    public func workerTaskCounts(tenantID: String?) async throws -> [WorkerTaskCount] {
        var bindings = PostgresBindings()
        var filter = ""
        if let tenantID {
            bindings.append(tenantID)
            filter = "WHERE tenant_id = $1"
        }
        // COLLATE "C": byte order, as SQLite sorts.
        let found = try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT handler_name, state, COUNT(*) FROM worker_tasks \(filter)
                    GROUP BY handler_name, state ORDER BY handler_name COLLATE "C", state COLLATE "C"
                    """,
                binds: bindings
            )
        )
        return try found.map { row in
            let (handler, state, count) = try row.decode((String, String, Int64).self)
            guard let state = WorkerTaskState(rawValue: state) else {
                throw PostgresStoreError("corrupt worker task state '\(state)'")
            }
            return WorkerTaskCount(handlerName: handler, state: state, count: Int(count))
        }
    }

    public func workerTaskEvents(taskID: UUID, limit: Int) async throws -> [WorkerTaskEvent] {
        try await rows(
            """
            SELECT \(unescaped: PostgresWorkerRows.eventColumns) FROM worker_task_events
            WHERE task_id = \(PostgresRows.id(taskID)) ORDER BY seq LIMIT \(limit)
            """
        ).map(PostgresWorkerRows.event)
    }

    /// Registrations and claimed counts in one query, so that both come from one snapshot (SQLite
    /// reads them in one transaction).
    public func workerRegistrations() async throws -> [WorkerRegistration] {
        let found = try await rows(
            """
            SELECT r.worker_id, r.handler_name, r.queue_name, r.version, r.last_seen_at, COALESCE(c.held, 0)
            FROM worker_registrations r LEFT JOIN (
                SELECT worker_id, COUNT(*) AS held FROM worker_tasks WHERE state = 'claimed' GROUP BY worker_id
            ) c ON c.worker_id = r.worker_id
            ORDER BY r.worker_id COLLATE "C", r.last_seen_at
            """
        )
        return try WorkerRegistrationFolding.registrations(
            found.map { row in
                let (worker, handler, queue, version, seen, held) = try row.decode(
                    (String, String, String, String?, Int64, Int64).self
                )
                return .init(
                    worker: worker,
                    handler: handler,
                    queue: queue,
                    version: version,
                    seenAt: PostgresRows.date(seen),
                    inFlight: Int(held)
                )
            }
        )
    }

    /// Silent leases are taken with SKIP LOCKED: a task locked now is being heartbeaten or reported,
    /// and two reapers on two nodes neither wait for nor deadlock with each other; the next pass sees
    /// whatever is still stale.
    public func reapWorkerTasks(staleBefore: Date, now: Date) async throws -> WorkerReaping {
        let stale = PostgresRows.millis(staleBefore)
        let time = PostgresRows.millis(now)
        return try await transaction { connection in
            var reaping = WorkerReaping()
            // The CTE keeps the old worker_id for the event; RETURNING sees only the new (NULL) one.
            let reclaimed = try await connection.rows(
                """
                WITH stale AS MATERIALIZED (
                    SELECT id, worker_id FROM worker_tasks WHERE state = 'claimed' AND heartbeat_at < \(stale)
                    FOR UPDATE SKIP LOCKED
                ), reclaimed AS (
                    UPDATE worker_tasks SET state = 'pending', worker_id = NULL, claimed_at = NULL, heartbeat_at = NULL
                    FROM stale WHERE worker_tasks.id = stale.id
                    RETURNING worker_tasks.id, stale.worker_id, worker_tasks.claim_epoch, worker_tasks.attempt
                ), recorded AS (
                    INSERT INTO worker_task_events (task_id, event, worker_id, claim_epoch, attempt, created_at)
                    SELECT id, 'reclaimed', worker_id, claim_epoch, attempt, \(time) FROM reclaimed
                )
                SELECT COUNT(*) FROM reclaimed
                """,
                logger
            )
            reaping.reclaimed = Int(try reclaimed.first?.decode(Int64.self) ?? 0)
            // Long-polls on every node may take the reclaimed tasks.
            if reaping.reclaimed > 0 {
                try await connection.execute("SELECT pg_notify(\(Self.channel), \(Self.taskChannel))", logger)
            }
            var bindings = PostgresBindings()
            bindings.append(time)
            let expired = try await Self.endOpenTasks(
                connection,
                logger,
                where: "deadline_at IS NOT NULL AND deadline_at < $1",
                binds: bindings,
                message: "task timed out (timeout_ms exceeded)",
                event: .timedOut,
                now: time
            )
            try await Self.makeDue(connection, logger, instanceIDs: expired, now: time)
            reaping.timedOut = expired.count
            return reaping
        }
    }
}

// MARK: Shared statements

extension PostgresStore {
    /// Reads and locks the leases of these tasks, in id order.
    static func lockLeases(
        _ connection: PostgresConnection,
        _ logger: Logger,
        keys: [String]
    ) async throws -> [String: TaskLease] {
        let found = try await connection.rows(
            """
            SELECT \(unescaped: TaskLease.columns) FROM worker_tasks WHERE id = ANY(\(Array(Set(keys))))
            ORDER BY id FOR UPDATE
            """,
            logger
        )
        var leases: [String: TaskLease] = [:]
        for row in found {
            let lease = try PostgresWorkerRows.lease(row)
            leases[lease.key] = lease
        }
        return leases
    }

    /// Fails the pending and claimed tasks `condition` selects with a non-retryable `message`,
    /// recording `event` for each; returns their instances' ids, one per task.
    /// - Parameters:
    ///   - condition: an SQL condition on `worker_tasks` whose placeholders are `$1` … `$n`, bound
    ///     by `binds` (this statement's own values follow them).
    static func endOpenTasks(
        _ connection: PostgresConnection,
        _ logger: Logger,
        where condition: String,
        binds: PostgresBindings,
        message: String,
        event: WorkerTaskEventKind,
        now: Int64
    ) async throws -> [String] {
        var bindings = binds
        bindings.append(now)
        let time = "$\(bindings.count)"
        bindings.append(message)
        let text = "$\(bindings.count)"
        bindings.append(event.rawValue)
        let kind = "$\(bindings.count)"
        // One statement: the UPDATE locks and rechecks each row, so a task a report is ending at the
        // same time is either ended here or left to the report, never both.
        let sql = """
            WITH ended AS (
                UPDATE worker_tasks SET state = 'failed', completed_at = \(time), error_message = \(text),
                    error_retryable = 0
                WHERE state IN ('pending', 'claimed') AND (\(condition))
                RETURNING id, worker_id, claim_epoch, attempt, instance_id
            ), recorded AS (
                INSERT INTO worker_task_events (task_id, event, worker_id, claim_epoch, attempt, created_at)
                SELECT id, \(kind), worker_id, claim_epoch, attempt, \(time) FROM ended
            )
            SELECT instance_id FROM ended
            """
        return try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger).map {
            try $0.decode(String.self)
        }
    }

    /// A waiting instance becomes due now, so that the engine reads its task's result.
    /// A running one keeps the wake for when it parks (see ``Store/commit(_:)``).
    static func makeDue(_ connection: PostgresConnection, _ logger: Logger, instanceID: String, now: Int64) async throws
    {
        try await makeDue(connection, logger, instanceIDs: [instanceID], now: now)
    }

    /// ``makeDue(_:_:instanceID:now:)`` for many instances in one statement.
    static func makeDue(
        _ connection: PostgresConnection,
        _ logger: Logger,
        instanceIDs: [String],
        now: Int64
    ) async throws {
        guard !instanceIDs.isEmpty else { return }
        var bindings = PostgresBindings()
        bindings.append(Set(instanceIDs).sorted())
        bindings.append(now)
        try await connection.execute(
            PostgresQuery(unsafeSQL: wakeSQL(where: "id = ANY($1)", now: "$2"), binds: bindings),
            logger
        )
    }

    /// The parent of an instance that just ended, if it waits for it (a sub-sequence).
    static func wakeParent(
        _ connection: PostgresConnection,
        _ logger: Logger,
        of instanceID: String,
        now: Int64
    ) async throws {
        var bindings = PostgresBindings()
        bindings.append(instanceID)
        bindings.append(now)
        let target = "id = (SELECT parent_instance_id FROM instances WHERE id = $1)"
        try await connection.execute(
            PostgresQuery(unsafeSQL: wakeSQL(where: target, now: "$2"), binds: bindings),
            logger
        )
    }

    /// Wakes `parents`, known parent instance ids, sorted (``wakeSQL(where:now:)``).
    static func wake(_ connection: PostgresConnection, _ logger: Logger, parents: [String], now: Int64) async throws {
        var bindings = PostgresBindings()
        bindings.append(parents)
        bindings.append(now)
        try await connection.execute(
            PostgresQuery(unsafeSQL: wakeSQL(where: "id = ANY($1)", now: "$2"), binds: bindings),
            logger
        )
    }

    /// SQLite's three wakes (waiting → due, a later timer → now, running → wake pending) as one
    /// UPDATE. Separate statements would lose wakes here: each skips a row whose state it does not
    /// match without waiting for the transaction changing it, so a commit parking a running
    /// instance could slip between them. One UPDATE matching every state the row can move between
    /// waits for that lock and reevaluates on the row as committed; a due scheduled row is matched
    /// (and left as it is) for the same reason, in case a claim is moving it to running.
    static func wakeSQL(where target: String, now: String) -> String {
        let reschedules =
            "state = 'waiting' OR (state = 'scheduled' AND (next_fire_at IS NULL OR next_fire_at > \(now)))"
        return """
            UPDATE instances SET
                state = CASE WHEN state = 'waiting' THEN 'scheduled' ELSE state END,
                next_fire_at = CASE WHEN \(reschedules) THEN \(now) ELSE next_fire_at END,
                updated_at = CASE WHEN \(reschedules) THEN \(now) ELSE updated_at END,
                wake_pending = CASE WHEN state = 'running' THEN 1 ELSE wake_pending END
            WHERE \(target) AND state IN ('waiting', 'scheduled', 'running')
            """
    }

    static func record(
        _ connection: PostgresConnection,
        _ logger: Logger,
        task: String,
        _ event: WorkerTaskEventKind,
        worker: String?,
        epoch: Int64,
        attempt: Int64,
        detail: String? = nil,
        now: Int64
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO worker_task_events (task_id, event, worker_id, claim_epoch, attempt, detail, created_at)
            VALUES (\(task), \(event.rawValue), \(worker), \(epoch), \(attempt), \(detail), \(now))
            """,
            logger
        )
    }
}
