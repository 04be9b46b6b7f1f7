import Foundation
import GRDB
import Orch8Core

/// A `worker_tasks` row copied out of a transaction; ``decode()`` parses its JSON afterwards.
struct WorkerTaskColumns: Sendable {
    /// The columns, in the order ``init(_:)`` reads them.
    static let list = """
        id, instance_id, block_id, handler_name, queue_name, params, context, attempt, timeout_ms, state,
        worker_id, claimed_at, heartbeat_at, claim_epoch, resume_checkpoint, checkpoint_seq, completed_at,
        output, error_message, error_retryable, created_at
        """

    let id: String
    let instanceID: String
    let blockID: String
    let handlerName: String
    let queueName: String?
    let params: String
    let context: String
    let attempt: Int64
    let timeoutMS: Int64?
    let state: String
    let workerID: String?
    let claimedAt: Int64?
    let heartbeatAt: Int64?
    let claimEpoch: Int64
    let resumeCheckpoint: String?
    let checkpointSeq: Int64
    let completedAt: Int64?
    let output: String?
    let errorMessage: String?
    let errorRetryable: Bool?
    let createdAt: Int64

    @inline(never) init(_ row: Row) {
        id = row[0]
        instanceID = row[1]
        blockID = row[2]
        handlerName = row[3]
        queueName = row[4]
        params = row[5]
        context = row[6]
        attempt = row[7]
        timeoutMS = row[8]
        state = row[9]
        workerID = row[10]
        claimedAt = row[11]
        heartbeatAt = row[12]
        claimEpoch = row[13]
        resumeCheckpoint = row[14]
        checkpointSeq = row[15]
        completedAt = row[16]
        output = row[17]
        errorMessage = row[18]
        errorRetryable = row[19]
        createdAt = row[20]
    }

    @inline(never) func decode() throws -> WorkerTask {
        guard let state = WorkerTaskState(rawValue: state) else {
            throw SQLiteStoreError("corrupt state '\(state)' of worker task \(id)")
        }
        return WorkerTask(
            id: try SQLiteRows.uuid(id, "worker_tasks.id"),
            instanceID: try SQLiteRows.uuid(instanceID, "worker_tasks.instance_id"),
            blockID: blockID,
            handlerName: handlerName,
            queueName: queueName,
            params: try JSON.parse(params),
            context: try SQLiteRows.decode(ExecutionContext.self, context),
            attempt: UInt32(clamping: attempt),
            timeoutMS: timeoutMS.map { UInt64(clamping: $0) },
            state: state,
            workerID: workerID,
            claimedAt: claimedAt.map(SQLiteRows.date),
            heartbeatAt: heartbeatAt.map(SQLiteRows.date),
            claimEpoch: claimEpoch,
            resumeCheckpoint: try resumeCheckpoint.map { try JSON.parse($0) },
            checkpointSeq: checkpointSeq,
            completedAt: completedAt.map(SQLiteRows.date),
            output: try output.map { try JSON.parse($0) },
            errorMessage: errorMessage,
            errorRetryable: errorRetryable,
            createdAt: SQLiteRows.date(createdAt)
        )
    }
}

/// A new or requeued task, serialized before the write transaction.
struct WorkerTaskInsert: Sendable {
    /// Inserts the task, taking the tenant from its instance; an existing task of the same step is
    /// requeued only for a later attempt, keeping its id, claim epoch and checkpoint, so that
    /// replaying the same update changes nothing and a stale lease holder stays fenced out.
    static let sql = """
        INSERT INTO worker_tasks (id, instance_id, tenant_id, block_id, handler_name, queue_name, params, context,
            attempt, timeout_ms, state, created_at, deadline_at)
        SELECT ?, ?, tenant_id, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ? FROM instances WHERE id = ?
        ON CONFLICT (instance_id, block_id) DO UPDATE SET
            handler_name = excluded.handler_name, queue_name = excluded.queue_name, params = excluded.params,
            context = excluded.context, attempt = excluded.attempt, timeout_ms = excluded.timeout_ms,
            state = 'pending', worker_id = NULL, claimed_at = NULL, heartbeat_at = NULL, completed_at = NULL,
            output = NULL, error_message = NULL, error_retryable = NULL, created_at = excluded.created_at,
            deadline_at = excluded.deadline_at
        WHERE worker_tasks.attempt < excluded.attempt
        """

    let instanceID: String
    let blockID: String
    let attempt: Int64
    let arguments: [DatabaseValue]

    init(_ task: WorkerTask) throws {
        instanceID = SQLiteRows.id(task.instanceID)
        blockID = task.blockID
        attempt = Int64(task.attempt)
        let created = SQLiteRows.millis(task.createdAt)
        let deadline = task.timeoutMS.map { created &+ Int64(clamping: $0) }
        let values: [(any DatabaseValueConvertible)?] = [
            SQLiteRows.id(task.id), instanceID, task.blockID, task.handlerName, task.queueName,
            task.params.serialized(), try SQLiteRows.text(task.context), attempt,
            task.timeoutMS.map { Int64(clamping: $0) }, created, deadline, instanceID,
        ]
        arguments = values.map { $0?.databaseValue ?? .null }
    }
}
