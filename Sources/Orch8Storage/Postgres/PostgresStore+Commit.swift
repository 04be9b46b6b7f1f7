import Foundation
import Logging
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func commit(_ updates: [InstanceUpdate]) async throws -> [Bool] {
        guard !updates.isEmpty else { return [] }
        let prepared = try updates.map(PostgresUpdate.init)
        let rounds = PostgresCompareAndSet.rounds(prepared.map(\.id))
        let logger = logger
        let results = try await transaction { connection in
            var applied = [Bool](repeating: false, count: prepared.count)
            var wakes: Set<String> = []
            var latest: Int64 = 0
            for round in rounds {
                for batch in PostgresCompareAndSet.batches(round, prepared.map(\.cas)) {
                    let matched = try await connection.rows(
                        PostgresCompareAndSet.query(batch.map { prepared[$0].cas }),
                        logger
                    )
                    var parents: [String: String?] = [:]
                    for row in matched {
                        let cells = PostgresCells(row)
                        parents[try cells[0]] = try cells[1] as String?
                    }
                    // The rest of each update in instance id order, the order its row locks were taken in.
                    for index in batch {
                        guard let parent = parents[prepared[index].id] else { continue }
                        applied[index] = true
                        try await prepared[index].applyRest(connection, logger)
                        if prepared[index].cas.ends, let parent {
                            wakes.insert(parent)
                            latest = max(latest, prepared[index].now)
                        }
                    }
                }
            }
            // After every update, so that a parent updated in the same commit is woken as it ends up;
            // its row is already locked (see PostgresCompareAndSet).
            if !wakes.isEmpty { try await Self.wake(connection, logger, parents: wakes.sorted(), now: latest) }
            let work = zip(prepared, applied).contains { $0.makesWork && $1 }
            let tasks = zip(prepared, applied).contains { !$0.workerTasks.isEmpty && $1 }
            // Delivered at commit, to every node listening (their engines and long-polls wake).
            if work { try await connection.execute("SELECT pg_notify(\(Self.channel), \(Self.workChannel))", logger) }
            if tasks { try await connection.execute("SELECT pg_notify(\(Self.channel), \(Self.taskChannel))", logger) }
            return applied
        }
        return results
    }
}

/// An update with its values built before the transaction.
private struct PostgresUpdate: Sendable {
    let id: String
    let now: Int64
    let cas: PostgresCASRow
    /// Outputs too many to go in the compare-and-set's statement.
    let lateOutputs: [BlockOutput]
    let clearsState: Bool
    let stateWrites: [(key: String, value: String?)]
    let deliveredSignals: [String]
    let nodes: [ExecutionNode]
    let workerTasks: [WorkerTask]
    let cancelsWorkerTasks: Bool
    let cancelsTasksOf: [String]
    let deletesTasksOf: [String]
    let children: [PostgresInstanceRow]
    let prunes: [(block: String, keep: Int)]
    /// Something becomes due now that another node may claim.
    let makesWork: Bool

    init(_ update: InstanceUpdate) throws {
        id = PostgresRows.id(update.instanceID)
        now = PostgresRows.millis(update.now)
        cas = try PostgresCASRow(update)
        lateOutputs = PostgresCompareAndSet.fits(update.outputs.count) ? [] : update.outputs
        clearsState = update.clearsState
        // Sorted: the same update always writes in the same order (and takes row locks in it).
        stateWrites = update.stateWrites.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map { $0.serialized() }) }
        deliveredSignals = update.deliveredSignals.map(PostgresRows.id)
        nodes = update.nodes
        workerTasks = update.workerTasks
        cancelsWorkerTasks = update.cancelsWorkerTasks
        cancelsTasksOf = update.cancelsWorkerTasksOf
        deletesTasksOf = update.deletesWorkerTasksOf
        children = try update.childInstances.map(PostgresInstanceRow.init)
        prunes = update.prunesOutputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let dueNow = update.state == .scheduled && (update.nextFireAt ?? update.now) <= update.now
        makesWork = !update.childInstances.isEmpty || dueNow
    }

    /// Writes what the update does besides its compare-and-set, which held.
    func applyRest(_ connection: PostgresConnection, _ logger: Logger) async throws {
        if !lateOutputs.isEmpty {
            try await PostgresCompareAndSet.insertOutputs(lateOutputs, of: id, connection, logger)
        }
        for (block, keep) in prunes {
            try await connection.execute(
                """
                DELETE FROM block_outputs WHERE instance_id = \(id) AND block_id = \(block) AND seq NOT IN (
                    SELECT seq FROM block_outputs WHERE instance_id = \(id) AND block_id = \(block)
                    ORDER BY seq DESC LIMIT \(Int64(keep)))
                """,
                logger
            )
        }
        if clearsState { try await connection.execute("DELETE FROM instance_state WHERE instance_id = \(id)", logger) }
        for write in stateWrites {
            if let value = write.value {
                try await connection.execute(
                    """
                    INSERT INTO instance_state (instance_id, key, value) VALUES (\(id), \(write.key), \(value))
                    ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value
                    """,
                    logger
                )
            } else {
                try await connection.execute(
                    "DELETE FROM instance_state WHERE instance_id = \(id) AND key = \(write.key)",
                    logger
                )
            }
        }
        if !deliveredSignals.isEmpty {
            try await connection.execute(
                """
                UPDATE signals SET delivered = 1, delivered_at = \(now)
                WHERE id = ANY(\(deliveredSignals)) AND instance_id = \(id)
                """,
                logger
            )
        }
        if !nodes.isEmpty { try await upsertNodes(connection, logger) }
        if !deletesTasksOf.isEmpty {
            try await connection.execute(
                "DELETE FROM worker_tasks WHERE instance_id = \(id) AND block_id = ANY(\(deletesTasksOf))",
                logger
            )
        }
        for task in workerTasks { try await insertTask(task, connection, logger) }
        if cancelsWorkerTasks {
            var binds = PostgresBindings()
            binds.append(id)
            _ = try await PostgresStore.endOpenTasks(
                connection,
                logger,
                where: "instance_id = $1",
                binds: binds,
                message: "cancelled: the instance was cancelled",
                event: .cancelled,
                now: now
            )
        }
        for block in cancelsTasksOf {
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(block)
            _ = try await PostgresStore.endOpenTasks(
                connection,
                logger,
                where: "instance_id = $1 AND block_id = $2",
                binds: binds,
                message: "cancelled: the step was cancelled",
                event: .cancelled,
                now: now
            )
        }
        for child in children { _ = try await PostgresStore.insertInstance(child, connection, logger) }
    }

    /// New nodes inserted, known ones given their state and times; one statement (a node listed twice
    /// keeps its last version: ON CONFLICT may not touch a row twice).
    private func upsertNodes(_ connection: PostgresConnection, _ logger: Logger) async throws {
        var latest: [UUID: Int] = [:]
        for (index, node) in nodes.enumerated() { latest[node.id] = index }
        var binds = PostgresBindings()
        var rows: [String] = []
        for (index, node) in nodes.enumerated() where latest[node.id] == index {
            let first = binds.count + 1
            binds.append(PostgresRows.id(node.id))
            binds.append(PostgresRows.id(node.instanceID))
            binds.append(node.blockID)
            binds.append(node.parentID.map(PostgresRows.id))
            binds.append(node.blockType.rawValue)
            binds.append(node.branchIndex.map { Int64($0) })
            binds.append(node.state.rawValue)
            binds.append(node.startedAt.map(PostgresRows.millis))
            binds.append(node.completedAt.map(PostgresRows.millis))
            rows.append("(" + (first..<first + 9).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        try await connection.execute(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO execution_tree (\(NodeColumns.list)) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
                        completed_at = excluded.completed_at
                    """,
                binds: binds
            ),
            logger
        )
    }

    /// Inserts the task (tenant from its instance); an existing task of the same step is requeued only
    /// for a later attempt, keeping its id, claim epoch and checkpoint, so that replaying the same
    /// update changes nothing and a stale lease holder stays fenced out. A requeue is recorded.
    private func insertTask(_ task: WorkerTask, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let created = PostgresRows.millis(task.createdAt)
        let timeout = task.timeoutMS.map { Int64(clamping: $0) }
        let deadline = timeout.map { created &+ $0 }
        let written = try await connection.rows(
            """
            INSERT INTO worker_tasks (id, instance_id, tenant_id, block_id, handler_name, queue_name, params, context,
                attempt, timeout_ms, state, created_at, deadline_at)
            SELECT \(PostgresRows.id(task.id)), \(id), tenant_id, \(task.blockID), \(task.handlerName), \(task.queueName),
                \(task.params.serialized()), \(try PostgresRows.text(task.context)), \(Int64(task.attempt)), \(timeout)::BIGINT,
                'pending', \(created), \(deadline)::BIGINT
            FROM instances WHERE id = \(id)
            ON CONFLICT (instance_id, block_id) DO UPDATE SET
                handler_name = excluded.handler_name, queue_name = excluded.queue_name, params = excluded.params,
                context = excluded.context, attempt = excluded.attempt, timeout_ms = excluded.timeout_ms,
                state = 'pending', worker_id = NULL, claimed_at = NULL, heartbeat_at = NULL, completed_at = NULL,
                output = NULL, error_message = NULL, error_retryable = NULL, created_at = excluded.created_at,
                deadline_at = excluded.deadline_at
            WHERE worker_tasks.attempt < excluded.attempt
            RETURNING id, claim_epoch
            """,
            logger
        )
        guard task.attempt > 0, let row = written.first else { return }
        let cells = PostgresCells(row)
        try await PostgresStore.record(
            connection,
            logger,
            task: try cells[0],
            .requeued,
            worker: nil,
            epoch: try cells[1],
            attempt: Int64(task.attempt),
            now: now
        )
    }
}
