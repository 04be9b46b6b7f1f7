import GRDB
public import Orch8Core

extension SQLiteStore {
    public func commit(_ updates: [InstanceUpdate]) async throws -> [Bool] {
        guard !updates.isEmpty else { return [] }
        let prepared = try updates.map(PreparedUpdate.init)
        return try await write { db in try prepared.map { try $0.apply(db) } }
    }
}

/// An update with its SQL and arguments built before the write transaction, so that the writer holds
/// the lock only for the statements. Every statement is prepared once per connection and cached: the
/// compare-and-set UPDATE has one shape per combination of the parts present, a handful in practice.
private struct PreparedUpdate: Sendable {
    let id: String
    let now: Int64
    let casSQL: String
    let casArguments: [DatabaseValue]
    let outputs: [[DatabaseValue]]
    let clearsState: Bool
    let stateWrites: [(key: String, value: String?)]
    let deliveredSignals: [String]
    let nodes: [[DatabaseValue]]
    let workerTasks: [WorkerTaskInsert]
    let cancelsWorkerTasks: Bool
    let cancelsTasksOf: [String]
    let deletesTasksOf: [String]
    let children: [InstanceRow]
    let prunes: [(block: String, keep: Int)]
    /// The update ends the instance: a waiting parent is woken.
    let ends: Bool

    init(_ update: InstanceUpdate) throws {
        id = SQLiteRows.id(update.instanceID)
        now = SQLiteRows.millis(update.now)
        var sets = ["updated_at = ?"]
        var values: [(any DatabaseValueConvertible)?] = [now]
        if update.state == .waiting {
            // A wake that came while the instance ran makes it due instead (Store.commit).
            sets.append(
                "state = CASE WHEN wake_pending = 1 THEN 'scheduled' ELSE 'waiting' END, wake_pending = 0"
            )
            sets.append("next_fire_at = CASE WHEN wake_pending = 1 THEN ? ELSE ? END")
            values.append(now)
            values.append(update.setsNextFireAt ? update.nextFireAt.map(SQLiteRows.millis) : nil)
        } else if update.state == .scheduled, update.setsNextFireAt {
            // A park on a timer: a wake that came while running makes it due now.
            sets.append("state = 'scheduled', wake_pending = 0")
            sets.append("next_fire_at = CASE WHEN wake_pending = 1 THEN ? ELSE ? END")
            values.append(now)
            values.append(update.nextFireAt.map(SQLiteRows.millis))
        } else {
            if let state = update.state {
                sets.append("state = ?")
                values.append(state.rawValue)
            }
            if update.setsNextFireAt {
                sets.append("next_fire_at = ?")
                values.append(update.nextFireAt.map(SQLiteRows.millis))
            }
        }
        if let context = update.context {
            sets.append("context = ?")
            values.append(try SQLiteRows.text(context))
        }
        if let metadata = update.metadata {
            sets.append("metadata = ?")
            values.append(metadata.serialized())
        }
        if update.releasesLease { sets.append("lease_owner = NULL, lease_until = NULL") }
        var condition = "id = ? AND state = ?"
        values.append(id)
        values.append(update.expectedState.rawValue)
        if let owner = update.leaseOwner {
            condition += " AND lease_owner = ?"
            values.append(owner)
        }
        casSQL = "UPDATE instances SET \(sets.joined(separator: ", ")) WHERE \(condition)"
        casArguments = values.map { $0?.databaseValue ?? .null }
        outputs = update.outputs.map(OutputColumns.values)
        clearsState = update.clearsState
        // Sorted: the same update always writes in the same order.
        stateWrites = update.stateWrites.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map { $0.serialized() }) }
        deliveredSignals = update.deliveredSignals.map(SQLiteRows.id)
        nodes = update.nodes.map(NodeColumns.values)
        workerTasks = try update.workerTasks.map(WorkerTaskInsert.init)
        cancelsWorkerTasks = update.cancelsWorkerTasks
        cancelsTasksOf = update.cancelsWorkerTasksOf
        deletesTasksOf = update.deletesWorkerTasksOf
        children = try update.childInstances.map(InstanceRow.init)
        prunes = update.prunesOutputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        ends = update.state?.isTerminal == true
    }

    /// Applies the update if its compare-and-set holds; writes nothing otherwise.
    func apply(_ db: Database) throws -> Bool {
        try db.cachedStatement(sql: casSQL).execute(arguments: StatementArguments(casArguments))
        guard db.changesCount > 0 else { return false }
        if !outputs.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT INTO block_outputs (\(OutputColumns.list)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )
            for output in outputs { try insert.execute(arguments: StatementArguments(output)) }
        }
        if !prunes.isEmpty {
            let prune = try db.cachedStatement(
                sql: """
                    DELETE FROM block_outputs WHERE instance_id = ? AND block_id = ? AND seq NOT IN (
                        SELECT seq FROM block_outputs WHERE instance_id = ? AND block_id = ? ORDER BY seq DESC LIMIT ?)
                    """
            )
            for (block, keep) in prunes { try prune.execute(arguments: [id, block, id, block, keep]) }
        }
        if clearsState {
            try db.cachedStatement(sql: "DELETE FROM instance_state WHERE instance_id = ?").execute(arguments: [id])
        }
        if !stateWrites.isEmpty {
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO instance_state (instance_id, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value
                    """
            )
            let delete = try db.cachedStatement(sql: "DELETE FROM instance_state WHERE instance_id = ? AND key = ?")
            for write in stateWrites {
                if let value = write.value {
                    try upsert.execute(arguments: [id, write.key, value])
                } else {
                    try delete.execute(arguments: [id, write.key])
                }
            }
        }
        if !deliveredSignals.isEmpty {
            let deliver = try db.cachedStatement(
                sql: "UPDATE signals SET delivered = 1, delivered_at = ? WHERE id = ? AND instance_id = ?"
            )
            for signal in deliveredSignals { try deliver.execute(arguments: [now, signal, id]) }
        }
        if !nodes.isEmpty {
            let upsert = try db.cachedStatement(sql: NodeColumns.upsertSQL)
            for node in nodes { try upsert.execute(arguments: StatementArguments(node)) }
        }
        if !deletesTasksOf.isEmpty {
            let delete = try db.cachedStatement(sql: "DELETE FROM worker_tasks WHERE instance_id = ? AND block_id = ?")
            for block in deletesTasksOf { try delete.execute(arguments: [id, block]) }
        }
        if !workerTasks.isEmpty {
            let insert = try db.cachedStatement(sql: WorkerTaskInsert.sql)
            for task in workerTasks {
                try insert.execute(arguments: StatementArguments(task.arguments))
                if db.changesCount > 0 { try recordQueued(task, db) }
            }
        }
        if cancelsWorkerTasks { try cancelWorkerTasks(db) }
        for block in cancelsTasksOf {
            _ = try SQLiteStore.endOpenTasks(
                db,
                where: "instance_id = ? AND block_id = ?",
                arguments: [id, block],
                message: "cancelled: the step was cancelled",
                event: .cancelled,
                now: now
            )
        }
        if !children.isEmpty {
            let insert = try db.cachedStatement(sql: InstanceRow.insertSQL)
            for child in children { try insert.execute(arguments: child.arguments) }
        }
        if ends { try SQLiteStore.wakeParent(db, of: id, now: now) }
        return true
    }
}

extension PreparedUpdate {
    /// A requeue (the row existed) is worth a line in the task's history; a first insert is not.
    fileprivate func recordQueued(_ task: WorkerTaskInsert, _ db: Database) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT id, claim_epoch FROM worker_tasks WHERE instance_id = ? AND block_id = ?"
                ),
                arguments: [task.instanceID, task.blockID]
            ), task.attempt > 0
        else { return }
        try SQLiteStore.record(
            db,
            task: row[0],
            .requeued,
            worker: nil,
            epoch: row[1],
            attempt: task.attempt,
            now: now
        )
    }

    fileprivate func cancelWorkerTasks(_ db: Database) throws {
        _ = try SQLiteStore.endOpenTasks(
            db,
            where: "instance_id = ?",
            arguments: [id],
            message: "cancelled: the instance was cancelled",
            event: .cancelled,
            now: now
        )
    }
}
