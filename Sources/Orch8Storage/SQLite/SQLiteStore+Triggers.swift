public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createTrigger(_ trigger: TriggerDefinition) async throws {
        let values = TriggerRow(trigger).values
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO triggers (slug, sequence_name, version, tenant_id, namespace, enabled, secret,
                        trigger_type, config, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(values)
            )
        }
    }

    public func trigger(slug: String) async throws -> TriggerDefinition? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM triggers WHERE slug = ?", arguments: [slug]).map(
                TriggerRow.trigger
            )
        }
    }

    public func triggers(tenantID: String?, limit: Int) async throws -> [TriggerDefinition] {
        try await read { db in
            if let tenantID {
                return try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM triggers WHERE tenant_id = ? ORDER BY slug LIMIT ?",
                    arguments: [tenantID, limit]
                ).map(TriggerRow.trigger)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM triggers ORDER BY slug LIMIT ?", arguments: [limit])
                .map(TriggerRow.trigger)
        }
    }

    public func deleteTrigger(slug: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM triggers WHERE slug = ?", arguments: [slug])
            return db.changesCount > 0
        }
    }

    public func createInstance(
        _ instance: TaskInstance,
        dedupe: EventDedupe?,
        now: Date
    ) async throws -> EventInstanceCreation {
        // The same row `createInstances` writes, serialized before the transaction.
        let row = try InstanceRow(instance)
        let nowMillis = SQLiteRows.millis(now)
        let cutoff = SQLiteRows.millis(now.addingTimeInterval(-EventDedupe.ttl))
        return try await write { db in
            if let dedupe {
                let earlier = try String.fetchOne(
                    db,
                    sql: "SELECT instance_id FROM event_dedupe WHERE scope = ? AND key = ? AND created_at >= ?",
                    arguments: [dedupe.scope, dedupe.key, cutoff]
                )
                if let earlier {
                    return EventInstanceCreation(
                        instanceID: try SQLiteRows.uuid(earlier, "event_dedupe.instance_id"),
                        deduplicated: true
                    )
                }
            }
            var result = EventInstanceCreation(instanceID: row.id, deduplicated: false)
            try db.cachedStatement(sql: InstanceRow.insertSQL).execute(arguments: row.arguments)
            if db.changesCount == 0 {
                // The tenant's idempotency key names an instance already (the insert's ON CONFLICT).
                guard let key = row.idempotencyKey,
                    let found = try String.fetchOne(
                        db,
                        sql: "SELECT id FROM instances WHERE tenant_id = ? AND idempotency_key = ?",
                        arguments: [row.tenantID, key]
                    )
                else { throw SQLiteStoreError("instance \(row.id) was neither stored nor deduplicated") }
                result = EventInstanceCreation(
                    instanceID: try SQLiteRows.uuid(found, "instances.id"),
                    deduplicated: true
                )
            }
            guard let dedupe else { return result }
            // An expired row for this key is replaced; a few other expired ones go with it, so that
            // the table holds about 30 days of keys without a sweeper.
            try db.execute(
                sql: """
                    INSERT INTO event_dedupe (scope, key, instance_id, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (scope, key) DO UPDATE SET instance_id = excluded.instance_id,
                        created_at = excluded.created_at
                    """,
                arguments: [dedupe.scope, dedupe.key, SQLiteRows.id(result.instanceID), nowMillis]
            )
            try db.execute(
                sql: """
                    DELETE FROM event_dedupe WHERE rowid IN (
                        SELECT rowid FROM event_dedupe WHERE created_at < ? ORDER BY created_at LIMIT 16)
                    """,
                arguments: [cutoff]
            )
            return result
        }
    }
}

/// A trigger as column values, in the order of the `triggers` table.
private struct TriggerRow {
    let values: [DatabaseValue]

    init(_ trigger: TriggerDefinition) {
        let raw: [(any DatabaseValueConvertible)?] = [
            trigger.slug, trigger.sequenceName, trigger.version.map { Int64($0) }, trigger.tenantID,
            trigger.namespace, trigger.enabled, trigger.secret, trigger.triggerType.rawValue,
            trigger.config.serialized(), SQLiteRows.millis(trigger.createdAt), SQLiteRows.millis(trigger.updatedAt),
        ]
        values = raw.map { $0?.databaseValue ?? .null }
    }

    static func trigger(_ row: Row) throws -> TriggerDefinition {
        let slug: String = row["slug"]
        let type: String = row["trigger_type"]
        guard let triggerType = TriggerType(rawValue: type) else {
            throw SQLiteStoreError("corrupt trigger_type '\(type)' of trigger '\(slug)'")
        }
        let version: Int64? = row["version"]
        return TriggerDefinition(
            slug: slug,
            sequenceName: row["sequence_name"],
            version: version.map { Int($0) },
            tenantID: row["tenant_id"],
            namespace: row["namespace"],
            enabled: row["enabled"],
            secret: row["secret"],
            triggerType: triggerType,
            config: try JSON.parse(row["config"] as String),
            createdAt: SQLiteRows.date(row["created_at"]),
            updatedAt: SQLiteRows.date(row["updated_at"])
        )
    }
}
