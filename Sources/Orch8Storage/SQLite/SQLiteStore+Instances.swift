public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createInstances(_ instances: [TaskInstance]) async throws -> [InstanceCreation] {
        guard !instances.isEmpty else { return [] }
        let rows = try instances.map(InstanceRow.init)
        return try await write { db in
            // A taken (tenant, idempotency key) inserts nothing; a taken id still fails the batch.
            let insert = try db.cachedStatement(sql: InstanceRow.insertSQL)
            let existing = try db.cachedStatement(
                sql: "SELECT id FROM instances WHERE tenant_id = ? AND idempotency_key = ?"
            )
            var results: [InstanceCreation] = []
            results.reserveCapacity(rows.count)
            for row in rows {
                try insert.execute(arguments: row.arguments)
                if db.changesCount > 0 {
                    results.append(.created(row.id))
                    continue
                }
                guard let key = row.idempotencyKey,
                    let found = try String.fetchOne(existing, arguments: [row.tenantID, key])
                else { throw SQLiteStoreError("instance \(row.id) was neither stored nor deduplicated") }
                results.append(.deduplicated(try SQLiteRows.uuid(found, "instances.id")))
            }
            return results
        }
    }

    public func instance(id: UUID) async throws -> TaskInstance? {
        let rows = try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(InstanceColumns.list) FROM instances WHERE id = ?",
                arguments: [SQLiteRows.id(id)]
            ).map(InstanceColumns.init)
        }
        return try rows?.decode()
    }

    public func instances(_ query: InstanceQuery) async throws -> [TaskInstance] {
        if let states = query.states, states.isEmpty { return [] }
        let rows = try await read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let tenant = query.tenantID {
                conditions.append("tenant_id = ?")
                arguments.append(tenant)
            }
            if let namespace = query.namespace {
                conditions.append("namespace = ?")
                arguments.append(namespace)
            }
            if let sequence = query.sequenceID {
                conditions.append("sequence_id = ?")
                arguments.append(SQLiteRows.id(sequence))
            }
            if let states = query.states {
                conditions.append("state IN (\(SQLiteRows.placeholders(states.count)))")
                arguments.append(contentsOf: states.map(\.rawValue).sorted())
            }
            for (key, value) in query.metadata.sorted(by: { $0.key < $1.key }) {
                // json_each rather than a JSON path: any key matches exactly, quotes and dots too. Only
                // JSON strings ('text') match, so the number 1 never equals the filter "1".
                conditions.append(
                    """
                    EXISTS (SELECT 1 FROM json_each(instances.metadata) AS m
                        WHERE m.key = ? AND m.type = 'text' AND m.atom = ?)
                    """
                )
                arguments.append(contentsOf: [key, value])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(query.limit)
            arguments.append(query.offset)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(InstanceColumns.list) FROM instances \(filter)
                    ORDER BY updated_at DESC, id LIMIT ? OFFSET ?
                    """,
                arguments: StatementArguments(arguments)
            ).map(InstanceColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func setInstanceState(
        id: UUID,
        from expected: InstanceState,
        to state: InstanceState,
        nextFireAt: Date?,
        now: Date
    ) async throws -> Bool {
        try await write { db in
            let leaves = expected == .running && state != .running
            try db.execute(
                sql: """
                    UPDATE instances SET state = ?, next_fire_at = COALESCE(?, next_fire_at), updated_at = ?
                    \(leaves ? ", lease_owner = NULL, lease_until = NULL" : "")
                    WHERE id = ? AND state = ?
                    """,
                arguments: [
                    state.rawValue, nextFireAt.map(SQLiteRows.millis), SQLiteRows.millis(now), SQLiteRows.id(id),
                    expected.rawValue,
                ]
            )
            guard db.changesCount > 0 else { return false }
            if state.isTerminal && !expected.isTerminal {
                try Self.wakeParent(db, of: SQLiteRows.id(id), now: SQLiteRows.millis(now))
            }
            return true
        }
    }

    public func replaceContext(id: UUID, context: ExecutionContext, now: Date) async throws -> Bool {
        let text = try SQLiteRows.text(context)
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE instances SET context = ?, updated_at = ?,
                        lease_owner = CASE WHEN state = 'running' THEN NULL ELSE lease_owner END,
                        lease_until = CASE WHEN state = 'running' THEN 0 ELSE lease_until END
                    WHERE id = ?
                    """,
                arguments: [text, SQLiteRows.millis(now), SQLiteRows.id(id)]
            )
            return db.changesCount > 0
        }
    }

    public func retryInstance(id: UUID, runID: UUID, now: Date) async throws -> Bool {
        try await write { db in
            let key = SQLiteRows.id(id)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT state, context FROM instances WHERE id = ?",
                    arguments: [key]
                ),
                row["state"] as String == InstanceState.failed.rawValue
            else { return false }
            var context = try SQLiteRows.decode(ExecutionContext.self, row["context"])
            context.runtime.runID = runID
            // Only the engine's markers go: completed steps keep their outputs, failed ones restart
            // their attempts from zero.
            let markers = OutputMarker.all.sorted()
            try db.execute(
                sql: """
                    DELETE FROM block_outputs
                    WHERE instance_id = ? AND output_ref IN (\(SQLiteRows.placeholders(markers.count)))
                    """,
                arguments: StatementArguments([key] + markers)
            )
            // Their attempts restart from zero: a failed task (or one of a node that runs again)
            // would otherwise answer the new attempt at once.
            try db.execute(
                sql: """
                    DELETE FROM worker_tasks WHERE instance_id = ? AND (state = 'failed' OR block_id IN (
                        SELECT block_id FROM execution_tree WHERE instance_id = ? AND state IN ('failed', 'cancelled')))
                    """,
                arguments: [key, key]
            )
            // Failed and cancelled nodes run again; completed ones keep their place in the tree.
            try db.execute(
                sql: """
                    UPDATE execution_tree SET state = 'pending', started_at = NULL, completed_at = NULL
                    WHERE instance_id = ? AND state IN ('failed', 'cancelled')
                    """,
                arguments: [key]
            )
            try db.execute(
                sql: """
                    UPDATE instances SET state = 'scheduled', next_fire_at = ?, context = ?, updated_at = ?,
                        lease_owner = NULL, lease_until = NULL
                    WHERE id = ?
                    """,
                arguments: [SQLiteRows.millis(now), try SQLiteRows.text(context), SQLiteRows.millis(now), key]
            )
            return true
        }
    }
}

/// An instance as the values of its columns, computed outside the write transaction.
struct InstanceRow: Sendable {
    static let insertSQL = """
        INSERT INTO instances (id, sequence_id, tenant_id, namespace, state, next_fire_at, priority, timezone,
            metadata, context, concurrency_key, max_concurrency, idempotency_key, session_id, parent_instance_id,
            budget, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        """

    let id: UUID
    let tenantID: String
    let idempotencyKey: String?
    private let values: [DatabaseValue]

    var arguments: StatementArguments { StatementArguments(values) }

    init(_ instance: TaskInstance) throws {
        id = instance.id
        tenantID = instance.tenantID
        idempotencyKey = instance.idempotencyKey
        let values: [(any DatabaseValueConvertible)?] = [
            SQLiteRows.id(instance.id), SQLiteRows.id(instance.sequenceID), instance.tenantID, instance.namespace,
            instance.state.rawValue, instance.nextFireAt.map(SQLiteRows.millis), instance.priority.rank,
            instance.timezone, instance.metadata.serialized(), try SQLiteRows.text(instance.context),
            instance.concurrencyKey, instance.maxConcurrency.map { Int64($0) }, instance.idempotencyKey,
            instance.sessionID.map(SQLiteRows.id), instance.parentInstanceID.map(SQLiteRows.id),
            try instance.budget.map(SQLiteRows.text), SQLiteRows.millis(instance.createdAt),
            SQLiteRows.millis(instance.updatedAt),
        ]
        self.values = values.map { $0?.databaseValue ?? .null }
    }
}
