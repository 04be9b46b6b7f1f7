public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createInstances(_ instances: [TaskInstance]) async throws -> [InstanceCreation] {
        let rows = try instances.map(InstanceRow.init)
        return try await write { db in
            let insert = try db.cachedStatement(sql: InstanceRow.insertSQL)
            let existing = try db.cachedStatement(
                sql: "SELECT id FROM instances WHERE tenant_id = ? AND idempotency_key = ?"
            )
            var results: [InstanceCreation] = []
            results.reserveCapacity(rows.count)
            for (row, instance) in zip(rows, instances) {
                if let key = instance.idempotencyKey,
                    let found = try String.fetchOne(existing, arguments: [instance.tenantID, key]),
                    let id = UUID(uuidString: found)
                {
                    results.append(.deduplicated(id))
                    continue
                }
                try insert.execute(arguments: row.arguments)
                results.append(.created(instance.id))
            }
            return results
        }
    }

    public func instance(id: UUID) async throws -> TaskInstance? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM instances WHERE id = ?", arguments: [SQLiteRows.id(id)])
                .map(SQLiteRows.instance)
        }
    }

    public func instances(_ query: InstanceQuery) async throws -> [TaskInstance] {
        try await read { db in
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
                guard !states.isEmpty else { return [] }
                conditions.append("state IN (\(SQLiteRows.placeholders(states.count)))")
                arguments.append(contentsOf: states.map(\.rawValue))
            }
            for (key, value) in query.metadata.sorted(by: { $0.key < $1.key }) {
                // `->>` yields SQL text for JSON strings only, so numbers never match a string filter.
                conditions.append("json_type(metadata, ?) = 'text' AND json_extract(metadata, ?) = ?")
                let path = "$.\"\(key.replacingOccurrences(of: "\"", with: ""))\""
                arguments.append(contentsOf: [path, path, value])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(query.limit)
            arguments.append(query.offset)
            return try Row.fetchAll(
                db,
                sql: "SELECT * FROM instances \(filter) ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments)
            ).map(SQLiteRows.instance)
        }
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
            return db.changesCount > 0
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
            try db.execute(
                sql: """
                    DELETE FROM block_outputs WHERE instance_id = ? AND output_ref IN ('\(OutputMarker.retry)',
                        '\(OutputMarker.error)', '\(OutputMarker.inProgress)')
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
        """

    private let values: [DatabaseValue]

    var arguments: StatementArguments { StatementArguments(values) }

    init(_ instance: TaskInstance) throws {
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
