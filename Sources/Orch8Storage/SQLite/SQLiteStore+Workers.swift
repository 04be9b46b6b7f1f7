public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func workerTask(instanceID: UUID, blockID: String) async throws -> WorkerTask? {
        let rows = try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT \(WorkerTaskColumns.list) FROM worker_tasks WHERE instance_id = ? AND block_id = ?"
                ),
                arguments: [SQLiteRows.id(instanceID), blockID]
            ).map(WorkerTaskColumns.init)
        }
        return try rows?.decode()
    }

    public func workerTask(id: UUID) async throws -> WorkerTask? {
        let rows = try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(WorkerTaskColumns.list) FROM worker_tasks WHERE id = ?"),
                arguments: [SQLiteRows.id(id)]
            ).map(WorkerTaskColumns.init)
        }
        return try rows?.decode()
    }

    public func pollWorkerTasks(_ poll: WorkerPoll) async throws -> [WorkerTask] {
        var conditions = ["state = 'pending'", "handler_name = :handler"]
        if poll.queueName != nil { conditions.append("queue_name = :queue") }
        if poll.tenantID != nil { conditions.append("tenant_id = :tenant") }
        let sql = """
            UPDATE worker_tasks SET state = 'claimed', worker_id = :worker, claimed_at = :now, heartbeat_at = :now,
                claim_epoch = claim_epoch + 1
            WHERE id IN (
                SELECT id FROM worker_tasks WHERE \(conditions.joined(separator: " AND "))
                ORDER BY created_at, rowid LIMIT :limit)
            RETURNING \(WorkerTaskColumns.list)
            """
        let now = SQLiteRows.millis(poll.now)
        let arguments: StatementArguments = [
            "handler": poll.handlerName, "queue": poll.queueName, "tenant": poll.tenantID, "worker": poll.workerID,
            "now": now, "limit": max(0, poll.limit),
        ]
        let rows = try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO worker_registrations (worker_id, handler_name, queue_name, version, last_seen_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (worker_id, handler_name, queue_name)
                    DO UPDATE SET version = excluded.version, last_seen_at = excluded.last_seen_at
                    """
            ).execute(arguments: [poll.workerID, poll.handlerName, poll.queueName ?? "", poll.version, now])
            guard poll.limit > 0 else { return [WorkerTaskColumns]() }
            let claimed = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
                .map(WorkerTaskColumns.init)
            for task in claimed {
                try Self.record(
                    db,
                    task: task.id,
                    .claimed,
                    worker: poll.workerID,
                    epoch: task.claimEpoch,
                    attempt: task.attempt,
                    now: now
                )
            }
            return claimed
        }
        // RETURNING gives no order: hand tasks out oldest first.
        return try rows.sorted { $0.createdAt < $1.createdAt }.map { try $0.decode() }
    }

    public func reportWorkerTasks(_ reports: [WorkerReport], now: Date) async throws -> [WorkerTaskMutation] {
        guard !reports.isEmpty else { return [] }
        let time = SQLiteRows.millis(now)
        let prepared = reports.map { report -> (key: String, fence: WorkerFence, outcome: PreparedOutcome) in
            let outcome: PreparedOutcome
            switch report.outcome {
            case .completed(let output): outcome = .completed(output.serialized())
            case .failed(let message, let retryable): outcome = .failed(message, retryable)
            }
            return (SQLiteRows.id(report.taskID), report.fence, outcome)
        }
        return try await write { db in
            try prepared.map { key, fence, outcome in
                switch try Self.apply(outcome, to: key, fence: fence, db, now: time) {
                case .notFound: .notFound
                case .conflict: .conflict
                case .held: .applied
                }
            }
        }
    }

    private enum PreparedOutcome: Sendable {
        case completed(String)
        case failed(String, Bool)
    }

    /// The fenced end of a claimed task: checks the lease, stores the result, records the event and
    /// makes a waiting instance due.
    private static func apply(
        _ outcome: PreparedOutcome,
        to key: String,
        fence: WorkerFence,
        _ db: Database,
        now time: Int64
    ) throws -> FenceOutcome<Void> {
        let lease: Lease
        switch try checkFence(db, key: key, fence: fence, now: time) {
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .held(let held): lease = held
        }
        let event: WorkerTaskEventKind
        switch outcome {
        case .completed(let output):
            event = .completed
            try db.cachedStatement(
                sql: """
                    UPDATE worker_tasks SET state = 'completed', completed_at = ?, output = ?, error_message = NULL,
                        error_retryable = NULL
                    WHERE id = ?
                    """
            ).execute(arguments: [time, output, key])
        case .failed(let message, let retryable):
            event = .failed
            try db.cachedStatement(
                sql: """
                    UPDATE worker_tasks SET state = 'failed', completed_at = ?, error_message = ?, error_retryable = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [time, message, retryable, key])
        }
        try record(db, task: key, event, worker: fence.workerID, epoch: lease.epoch, attempt: lease.attempt, now: time)
        try makeDue(db, instanceID: lease.instanceID, now: time)
        return .held(())
    }

    public func heartbeatWorkerTask(
        id: UUID,
        fence: WorkerFence,
        checkpoint: WorkerCheckpoint?,
        now: Date
    ) async throws -> WorkerHeartbeat {
        let key = SQLiteRows.id(id)
        let time = SQLiteRows.millis(now)
        let value = checkpoint.map { $0.value.serialized() }
        let expected = checkpoint?.expectedSeq
        return try await write { db in
            let lease: Lease
            switch try Self.checkFence(db, key: key, fence: fence, now: time) {
            case .notFound: return .notFound
            case .conflict: return .conflict
            case .held(let held): lease = held
            }
            if let value, let expected {
                guard expected == lease.checkpointSeq else {
                    try Self.record(
                        db,
                        task: key,
                        .staleMutationRejected,
                        worker: fence.workerID,
                        epoch: lease.epoch,
                        attempt: lease.attempt,
                        detail: "checkpoint_seq \(expected), expected \(lease.checkpointSeq)",
                        now: time
                    )
                    return .conflict
                }
                try db.cachedStatement(
                    sql: """
                        UPDATE worker_tasks SET heartbeat_at = ?, resume_checkpoint = ?,
                            checkpoint_seq = checkpoint_seq + 1
                        WHERE id = ?
                        """
                ).execute(arguments: [time, value, key])
                return .applied(checkpointSeq: lease.checkpointSeq + 1)
            }
            try db.cachedStatement(sql: "UPDATE worker_tasks SET heartbeat_at = ? WHERE id = ?")
                .execute(arguments: [time, key])
            return .applied(checkpointSeq: lease.checkpointSeq)
        }
    }

    public func workerTasks(_ query: WorkerTaskQuery) async throws -> [WorkerTask] {
        if let states = query.states, states.isEmpty { return [] }
        let rows = try await read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            func match(_ column: String, _ value: String?) {
                guard let value else { return }
                conditions.append("\(column) = ?")
                arguments.append(value)
            }
            match("tenant_id", query.tenantID)
            match("handler_name", query.handlerName)
            match("worker_id", query.workerID)
            match("queue_name", query.queueName)
            match("instance_id", query.instanceID.map(SQLiteRows.id))
            if let states = query.states {
                conditions.append("state IN (\(SQLiteRows.placeholders(states.count)))")
                arguments.append(contentsOf: states.map(\.rawValue).sorted())
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(query.limit)
            arguments.append(query.offset)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(WorkerTaskColumns.list) FROM worker_tasks \(filter)
                    ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?
                    """,
                arguments: StatementArguments(arguments)
            ).map(WorkerTaskColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func workerTaskCounts(tenantID: String?) async throws -> [WorkerTaskCount] {
        let rows = try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT handler_name, state, COUNT(*) FROM worker_tasks
                    WHERE ? IS NULL OR tenant_id = ? GROUP BY handler_name, state ORDER BY handler_name, state
                    """,
                arguments: [tenantID, tenantID]
            ).map { row -> (String, String, Int) in (row[0], row[1], row[2]) }
        }
        return try rows.map { handler, state, count in
            guard let state = WorkerTaskState(rawValue: state) else {
                throw SQLiteStoreError("corrupt worker task state '\(state)'")
            }
            return WorkerTaskCount(handlerName: handler, state: state, count: count)
        }
    }

    public func workerTaskEvents(taskID: UUID, limit: Int) async throws -> [WorkerTaskEvent] {
        let rows = try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT task_id, event, worker_id, claim_epoch, attempt, detail, created_at
                    FROM worker_task_events WHERE task_id = ? ORDER BY seq LIMIT ?
                    """,
                arguments: [SQLiteRows.id(taskID), limit]
            ).map { row -> (String, String, String?, Int64, Int64, String?, Int64) in
                (row[0], row[1], row[2], row[3], row[4], row[5], row[6])
            }
        }
        return try rows.map { task, event, worker, epoch, attempt, detail, created in
            guard let kind = WorkerTaskEventKind(rawValue: event) else {
                throw SQLiteStoreError("corrupt worker task event '\(event)'")
            }
            return WorkerTaskEvent(
                taskID: try SQLiteRows.uuid(task, "worker_task_events.task_id"),
                event: kind,
                workerID: worker,
                claimEpoch: epoch,
                attempt: UInt32(clamping: attempt),
                detail: detail,
                createdAt: SQLiteRows.date(created)
            )
        }
    }

    public func workerRegistrations() async throws -> [WorkerRegistration] {
        let rows = try await read { db in
            let registrations = try Row.fetchAll(
                db,
                sql: """
                    SELECT worker_id, handler_name, queue_name, version, last_seen_at FROM worker_registrations
                    ORDER BY worker_id, last_seen_at
                    """
            ).map { row -> (String, String, String, String?, Int64) in (row[0], row[1], row[2], row[3], row[4]) }
            let inFlight = try Row.fetchAll(
                db,
                sql: "SELECT worker_id, COUNT(*) FROM worker_tasks WHERE state = 'claimed' GROUP BY worker_id"
            ).map { row -> (String, Int) in (row[0], row[1]) }
            return (registrations, Dictionary(inFlight, uniquingKeysWith: +))
        }
        return WorkerRegistrationFolding.registrations(
            rows.0.map { worker, handler, queue, version, seen in
                .init(
                    worker: worker,
                    handler: handler,
                    queue: queue,
                    version: version,
                    seenAt: SQLiteRows.date(seen),
                    inFlight: rows.1[worker] ?? 0
                )
            }
        )
    }

    public func reapWorkerTasks(staleBefore: Date, now: Date) async throws -> WorkerReaping {
        let stale = SQLiteRows.millis(staleBefore)
        let time = SQLiteRows.millis(now)
        return try await write { db in
            var reaping = WorkerReaping()
            let abandoned = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, worker_id, claim_epoch, attempt FROM worker_tasks
                    WHERE state = 'claimed' AND heartbeat_at < ?
                    """,
                arguments: [stale]
            ).map { row -> (String, String?, Int64, Int64) in (row[0], row[1], row[2], row[3]) }
            for (id, worker, epoch, attempt) in abandoned {
                try db.execute(
                    sql: """
                        UPDATE worker_tasks SET state = 'pending', worker_id = NULL, claimed_at = NULL,
                            heartbeat_at = NULL
                        WHERE id = ?
                        """,
                    arguments: [id]
                )
                try Self.record(db, task: id, .reclaimed, worker: worker, epoch: epoch, attempt: attempt, now: time)
            }
            reaping.reclaimed = abandoned.count
            let expired = try Self.endOpenTasks(
                db,
                where: "deadline_at IS NOT NULL AND deadline_at < ?",
                arguments: [time],
                message: "task timed out (timeout_ms exceeded)",
                event: .timedOut,
                now: time
            )
            for instance in Set(expired) { try Self.makeDue(db, instanceID: instance, now: time) }
            reaping.timedOut = expired.count
            return reaping
        }
    }

    // MARK: Shared statements

    private struct Lease: Sendable {
        let instanceID: String
        let epoch: Int64
        let attempt: Int64
        let checkpointSeq: Int64
    }

    private enum FenceOutcome<Held: Sendable>: Sendable {
        case notFound
        case conflict
        case held(Held)
    }

    /// Whether `fence` holds the task's lease; a refused fence is recorded as a stale mutation.
    private static func checkFence(
        _ db: Database,
        key: String,
        fence: WorkerFence,
        now: Int64
    ) throws -> FenceOutcome<Lease> {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT state, worker_id, claim_epoch, attempt, instance_id, checkpoint_seq, tenant_id
                        FROM worker_tasks WHERE id = ?
                        """
                ),
                arguments: [key]
            )
        else { return .notFound }
        if let tenant = fence.tenantID, tenant != row[6] as String { return .notFound }
        let state: String = row[0]
        let worker: String? = row[1]
        let epoch: Int64 = row[2]
        let attempt: Int64 = row[3]
        let held =
            state == WorkerTaskState.claimed.rawValue && worker == fence.workerID
            && (fence.claimEpoch.map { $0 == epoch } ?? true)
        guard held else {
            let presented = fence.claimEpoch.map { "claim_epoch \($0)" } ?? "no claim_epoch"
            try record(
                db,
                task: key,
                .staleMutationRejected,
                worker: fence.workerID,
                epoch: epoch,
                attempt: attempt,
                detail: "\(presented); task is \(state) by \(worker ?? "nobody") at claim_epoch \(epoch)",
                now: now
            )
            return .conflict
        }
        return .held(Lease(instanceID: row[4], epoch: epoch, attempt: attempt, checkpointSeq: row[5]))
    }

    /// Fails the pending and claimed tasks `condition` selects with a non-retryable `message`,
    /// recording `event` for each; returns their instances' ids.
    static func endOpenTasks(
        _ db: Database,
        where condition: String,
        arguments: StatementArguments,
        message: String,
        event: WorkerTaskEventKind,
        now: Int64
    ) throws -> [String] {
        let open = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, worker_id, claim_epoch, attempt, instance_id FROM worker_tasks
                    WHERE state IN ('pending', 'claimed') AND \(condition)
                    """
            ),
            arguments: arguments
        ).map { row -> (String, String?, Int64, Int64, String) in (row[0], row[1], row[2], row[3], row[4]) }
        let end = try db.cachedStatement(
            sql:
                "UPDATE worker_tasks SET state = 'failed', completed_at = ?, error_message = ?, error_retryable = 0 WHERE id = ?"
        )
        for (task, worker, epoch, attempt, _) in open {
            try end.execute(arguments: [now, message, task])
            try record(db, task: task, event, worker: worker, epoch: epoch, attempt: attempt, now: now)
        }
        return open.map(\.4)
    }

    /// A waiting instance becomes due now, so that the engine reads its task's result.
    /// A running one keeps the wake for when it parks (see ``Store/commit(_:)``).
    static func makeDue(_ db: Database, instanceID: String, now: Int64) throws {
        try db.cachedStatement(
            sql:
                "UPDATE instances SET state = 'scheduled', next_fire_at = ?, updated_at = ? WHERE id = ? AND state = 'waiting'"
        ).execute(arguments: [now, now, instanceID])
        guard db.changesCount == 0 else { return }
        // Parked on a timer (another branch sleeps or backs off): due now instead.
        try db.cachedStatement(
            sql: """
                UPDATE instances SET next_fire_at = ?, updated_at = ?
                WHERE id = ? AND state = 'scheduled' AND (next_fire_at IS NULL OR next_fire_at > ?)
                """
        ).execute(arguments: [now, now, instanceID, now])
        guard db.changesCount == 0 else { return }
        try db.cachedStatement(
            sql: "UPDATE instances SET wake_pending = 1 WHERE id = ? AND state = 'running'"
        ).execute(arguments: [instanceID])
    }

    /// The parent of an instance that just ended, if it waits for it (a sub-sequence).
    static func wakeParent(_ db: Database, of instanceID: String, now: Int64) throws {
        guard
            let parent = try String.fetchOne(
                db.cachedStatement(sql: "SELECT parent_instance_id FROM instances WHERE id = ?"),
                arguments: [instanceID]
            )
        else { return }
        try makeDue(db, instanceID: parent, now: now)
    }

    static func record(
        _ db: Database,
        task: String,
        _ event: WorkerTaskEventKind,
        worker: String?,
        epoch: Int64,
        attempt: Int64,
        detail: String? = nil,
        now: Int64
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO worker_task_events (task_id, event, worker_id, claim_epoch, attempt, detail, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [task, event.rawValue, worker, epoch, attempt, detail, now])
    }
}
