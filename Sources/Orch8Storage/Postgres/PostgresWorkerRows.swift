import Foundation
import Logging
import Orch8Core
import PostgresNIO

/// `worker_tasks` rows read from PostgreSQL. ``WorkerTaskColumns`` reads GRDB rows in its own
/// initializer and so has no memberwise one to reuse; these rows are already copied out of the
/// connection, so they decode straight into the model.
enum PostgresWorkerRows {
    /// The columns, in the order ``task(_:)`` reads them: the same as SQLite's.
    static let columns = WorkerTaskColumns.list

    /// Reads a row selected with ``columns``.
    ///
    /// `@inline(never)` for the reason given on ``InstanceColumns``: inlined into the async store
    /// methods, decoders like this one crash Swift 6.3.1's release build.
    @inline(never) static func task(_ row: PostgresRow) throws -> WorkerTask {
        let cells = PostgresCells(row)
        let id: String = try cells[0]
        let stateText: String = try cells[9]
        guard let state = WorkerTaskState(rawValue: stateText) else {
            throw PostgresStoreError("corrupt state '\(stateText)' of worker task \(id)")
        }
        let instanceID: String = try cells[1]
        let params: String = try cells[5]
        let context: String = try cells[6]
        let attempt: Int64 = try cells[7]
        let timeoutMS: Int64? = try cells[8]
        let claimedAt: Int64? = try cells[11]
        let heartbeatAt: Int64? = try cells[12]
        let resumeCheckpoint: String? = try cells[14]
        let completedAt: Int64? = try cells[16]
        let output: String? = try cells[17]
        let errorRetryable: Int32? = try cells[19]
        let createdAt: Int64 = try cells[20]
        return WorkerTask(
            id: try PostgresRows.uuid(id, "worker_tasks.id"),
            instanceID: try PostgresRows.uuid(instanceID, "worker_tasks.instance_id"),
            blockID: try cells[2],
            handlerName: try cells[3],
            queueName: try cells[4],
            params: try JSON.parse(params),
            context: try PostgresRows.decode(ExecutionContext.self, context),
            attempt: UInt32(clamping: attempt),
            timeoutMS: timeoutMS.map { UInt64(clamping: $0) },
            state: state,
            workerID: try cells[10],
            claimedAt: claimedAt.map(PostgresRows.date),
            heartbeatAt: heartbeatAt.map(PostgresRows.date),
            claimEpoch: try cells[13],
            resumeCheckpoint: try resumeCheckpoint.map { try JSON.parse($0) },
            checkpointSeq: try cells[15],
            completedAt: completedAt.map(PostgresRows.date),
            output: try output.map { try JSON.parse($0) },
            errorMessage: try cells[18],
            errorRetryable: errorRetryable.map { $0 != 0 },
            createdAt: PostgresRows.date(createdAt)
        )
    }

    /// Reads a row selected with ``TaskLease/columns``.
    @inline(never) static func lease(_ row: PostgresRow) throws -> TaskLease {
        let cells = PostgresCells(row)
        return TaskLease(
            key: try cells[0],
            state: try cells[1],
            workerID: try cells[2],
            epoch: try cells[3],
            attempt: try cells[4],
            instanceID: try cells[5],
            checkpointSeq: try cells[6],
            tenantID: try cells[7]
        )
    }

    /// Reads a row selected with ``eventColumns``.
    @inline(never) static func event(_ row: PostgresRow) throws -> WorkerTaskEvent {
        let cells = PostgresCells(row)
        let task: String = try cells[0]
        let event: String = try cells[1]
        let attempt: Int64 = try cells[4]
        let createdAt: Int64 = try cells[6]
        guard let kind = WorkerTaskEventKind(rawValue: event) else {
            throw PostgresStoreError("corrupt worker task event '\(event)'")
        }
        return WorkerTaskEvent(
            taskID: try PostgresRows.uuid(task, "worker_task_events.task_id"),
            event: kind,
            workerID: try cells[2],
            claimEpoch: try cells[3],
            attempt: UInt32(clamping: attempt),
            detail: try cells[5],
            createdAt: PostgresRows.date(createdAt)
        )
    }

    static let eventColumns = "task_id, event, worker_id, claim_epoch, attempt, detail, created_at"
}

/// The lease of one task as a report or heartbeat finds it, and whether a fence holds it: the decision
/// in pure code, so that a batch of reports can apply one after another to leases read (and locked)
/// at once.
struct TaskLease: Sendable {
    static let columns = "id, state, worker_id, claim_epoch, attempt, instance_id, checkpoint_seq, tenant_id"

    let key: String
    var state: String
    let workerID: String?
    let epoch: Int64
    let attempt: Int64
    let instanceID: String
    let checkpointSeq: Int64
    let tenantID: String

    enum Check: Sendable, Equatable {
        /// A task of another tenant: reported missing, and not recorded.
        case notFound
        /// Recorded as a stale mutation with this detail.
        case refused(String)
        case held
    }

    func check(_ fence: WorkerFence) -> Check {
        if let tenant = fence.tenantID, tenant != tenantID { return .notFound }
        let held =
            state == WorkerTaskState.claimed.rawValue && workerID == fence.workerID
            && (fence.claimEpoch.map { $0 == epoch } ?? true)
        guard held else {
            let presented = fence.claimEpoch.map { "claim_epoch \($0)" } ?? "no claim_epoch"
            return .refused("\(presented); task is \(state) by \(workerID ?? "nobody") at claim_epoch \(epoch)")
        }
        return .held
    }
}

// MARK: Report batches

/// A report's outcome, serialized before the transaction.
enum WorkerReportOutcome: Sendable {
    case completed(String)
    case failed(String, Bool)

    var event: WorkerTaskEventKind {
        switch self {
        case .completed: .completed
        case .failed: .failed
        }
    }
}

/// What a batch of reports writes, as columns bound as arrays.
struct WorkerReportWrites {
    var completed: [String] = []
    var outputs: [String] = []
    var failed: [String] = []
    var messages: [String] = []
    var retryable: [Int32] = []
    var events = WorkerEventColumns()
    var wakes: Set<String> = []

    /// Stores the outcome; returns the task's state after it.
    mutating func end(_ key: String, _ outcome: WorkerReportOutcome) -> String {
        switch outcome {
        case .completed(let output):
            completed.append(key)
            outputs.append(output)
            return WorkerTaskState.completed.rawValue
        case .failed(let message, let isRetryable):
            failed.append(key)
            messages.append(message)
            retryable.append(isRetryable ? 1 : 0)
            return WorkerTaskState.failed.rawValue
        }
    }

    /// Each task is ended at most once per batch (a second report finds it ended and is refused), so
    /// the two UPDATEs touch disjoint rows, as statements sharing a snapshot must.
    static let sql = """
        WITH completed AS (
            UPDATE worker_tasks SET state = 'completed', completed_at = $1, output = done.output,
                error_message = NULL, error_retryable = NULL
            FROM unnest($2::text[], $3::text[]) AS done (id, output)
            WHERE worker_tasks.id = done.id
        ), failed AS (
            UPDATE worker_tasks SET state = 'failed', completed_at = $1, error_message = failure.message,
                error_retryable = failure.retryable
            FROM unnest($4::text[], $5::text[], $6::integer[]) AS failure (id, message, retryable)
            WHERE worker_tasks.id = failure.id
        ), recorded AS (
            INSERT INTO worker_task_events (task_id, event, worker_id, claim_epoch, attempt, detail, created_at)
            SELECT e.task, e.kind, e.worker, e.epoch, e.attempt, NULLIF(e.detail, ''), $1
            FROM unnest($7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[])
                WITH ORDINALITY AS e (task, kind, worker, epoch, attempt, detail, position)
            ORDER BY e.position
        )
        \(PostgresStore.wakeSQL(where: "id = ANY($13)", now: "$1"))
        """

    func apply(_ connection: PostgresConnection, _ logger: Logger, now: Int64) async throws {
        var bindings = PostgresBindings(capacity: 13)
        bindings.append(now)
        bindings.append(completed)
        bindings.append(outputs)
        bindings.append(failed)
        bindings.append(messages)
        bindings.append(retryable)
        bindings.append(events.tasks)
        bindings.append(events.kinds)
        bindings.append(events.workers)
        bindings.append(events.epochs)
        bindings.append(events.attempts)
        bindings.append(events.details)
        bindings.append(wakes.sorted())
        try await connection.execute(PostgresQuery(unsafeSQL: Self.sql, binds: bindings), logger)
    }
}

/// Task events in report order; a bound array holds no NULLs, so an empty detail stands for none
/// (a refusal always explains itself).
struct WorkerEventColumns {
    var tasks: [String] = []
    var kinds: [String] = []
    var workers: [String] = []
    var epochs: [Int64] = []
    var attempts: [Int64] = []
    var details: [String] = []

    mutating func append(_ lease: TaskLease, _ kind: WorkerTaskEventKind, worker: String, detail: String? = nil) {
        tasks.append(lease.key)
        kinds.append(kind.rawValue)
        workers.append(worker)
        epochs.append(lease.epoch)
        attempts.append(lease.attempt)
        details.append(detail ?? "")
    }
}
