public import Foundation
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func createTrigger(_ trigger: TriggerDefinition) async throws {
        let row = PostgresTriggerRow(trigger)
        try await execute(
            """
            INSERT INTO triggers (\(unescaped: PostgresTriggerRow.list))
            VALUES (\(row.slug), \(row.sequenceName), \(row.version), \(row.tenantID), \(row.namespace), \(row.enabled),
                \(row.secret), \(row.triggerType), \(row.config), \(row.createdAt), \(row.updatedAt))
            """
        )
    }

    public func trigger(slug: String) async throws -> TriggerDefinition? {
        let rows = try await rows("SELECT \(unescaped: PostgresTriggerRow.list) FROM triggers WHERE slug = \(slug)")
        return try rows.first.map(PostgresTriggerRow.trigger)
    }

    public func triggers(tenantID: String?, limit: Int) async throws -> [TriggerDefinition] {
        let rows: [PostgresRow]
        if let tenantID {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresTriggerRow.list) FROM triggers WHERE tenant_id = \(tenantID)
                ORDER BY slug COLLATE "C" LIMIT \(PostgresPage.limit(limit))
                """
            )
        } else {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresTriggerRow.list) FROM triggers
                ORDER BY slug COLLATE "C" LIMIT \(PostgresPage.limit(limit))
                """
            )
        }
        return try rows.map(PostgresTriggerRow.trigger)
    }

    public func deleteTrigger(slug: String) async throws -> Bool {
        try await !rows("DELETE FROM triggers WHERE slug = \(slug) RETURNING 1").isEmpty
    }

    public func createInstance(
        _ instance: TaskInstance,
        dedupe: EventDedupe?,
        now: Date
    ) async throws -> EventInstanceCreation {
        // The same row `createInstances` writes, serialized before the transaction.
        let row = try PostgresInstanceRow(instance)
        let nowMillis = PostgresRows.millis(now)
        let cutoff = PostgresRows.millis(now.addingTimeInterval(-EventDedupe.ttl))
        let logger = logger
        return try await transaction { connection in
            if let dedupe {
                // The key is claimed before the instance is inserted: a new key, or an expired one, is
                // taken for this instance; a live one is locked and kept. Emissions racing with one key
                // wait here for the first to commit, then answer its instance.
                let claimed = try await connection.rows(
                    """
                    INSERT INTO event_dedupe (scope, key, instance_id, created_at)
                    VALUES (\(dedupe.scope), \(dedupe.key), \(PostgresRows.id(row.id)), \(nowMillis))
                    ON CONFLICT (scope, key) DO UPDATE SET instance_id = excluded.instance_id,
                        created_at = excluded.created_at
                    WHERE event_dedupe.created_at < \(cutoff)
                    RETURNING 1
                    """,
                    logger
                )
                if claimed.isEmpty {
                    guard
                        let earlier = try await connection.rows(
                            "SELECT instance_id FROM event_dedupe WHERE scope = \(dedupe.scope) AND key = \(dedupe.key)",
                            logger
                        ).first
                    else { throw PostgresStoreError("event dedupe key '\(dedupe.key)' was neither taken nor found") }
                    return EventInstanceCreation(
                        instanceID: try PostgresRows.uuid(try PostgresCells(earlier)[0], "event_dedupe.instance_id"),
                        deduplicated: true
                    )
                }
            }
            var result = EventInstanceCreation(instanceID: row.id, deduplicated: false)
            if case .deduplicated(let existing) = try await Self.insertInstance(row, connection, logger) {
                // The tenant's idempotency key names an instance already: the dedupe key remembers that one.
                result = EventInstanceCreation(instanceID: existing, deduplicated: true)
                if let dedupe {
                    try await connection.execute(
                        """
                        UPDATE event_dedupe SET instance_id = \(PostgresRows.id(existing))
                        WHERE scope = \(dedupe.scope) AND key = \(dedupe.key)
                        """,
                        logger
                    )
                }
            }
            guard dedupe != nil else { return result }
            // A few expired keys go with each emission, so that the table holds about 30 days of keys
            // without a sweeper; rows another emission holds are left to it.
            try await connection.execute(
                """
                DELETE FROM event_dedupe WHERE (scope, key) IN (
                    SELECT scope, key FROM event_dedupe WHERE created_at < \(cutoff)
                    ORDER BY created_at LIMIT 16 FOR UPDATE SKIP LOCKED)
                """,
                logger
            )
            return result
        }
    }
}

/// A trigger as column values, in ``list`` order.
private struct PostgresTriggerRow {
    static let list = """
        slug, sequence_name, version, tenant_id, namespace, enabled, secret, trigger_type, config, created_at,
        updated_at
        """

    let slug: String
    let sequenceName: String
    let version: Int64?
    let tenantID: String
    let namespace: String
    let enabled: Int32
    let secret: String?
    let triggerType: String
    let config: String
    let createdAt: Int64
    let updatedAt: Int64

    init(_ trigger: TriggerDefinition) {
        slug = trigger.slug
        sequenceName = trigger.sequenceName
        version = trigger.version.map { Int64($0) }
        tenantID = trigger.tenantID
        namespace = trigger.namespace
        enabled = trigger.enabled ? 1 : 0
        secret = trigger.secret
        triggerType = trigger.triggerType.rawValue
        config = trigger.config.serialized()
        createdAt = PostgresRows.millis(trigger.createdAt)
        updatedAt = PostgresRows.millis(trigger.updatedAt)
    }

    /// Reads a row selected with ``list``.
    static func trigger(_ row: PostgresRow) throws -> TriggerDefinition {
        let cells = PostgresCells(row)
        let slug: String = try cells[0]
        let type: String = try cells[7]
        guard let triggerType = TriggerType(rawValue: type) else {
            throw PostgresStoreError("corrupt trigger_type '\(type)' of trigger '\(slug)'")
        }
        return TriggerDefinition(
            slug: slug,
            sequenceName: try cells[1],
            version: try cells[2, as: Int64?.self].map { Int($0) },
            tenantID: try cells[3],
            namespace: try cells[4],
            enabled: try cells[5, as: Int32.self] != 0,
            secret: try cells[6],
            triggerType: triggerType,
            config: try JSON.parse(try cells[8, as: String.self]),
            createdAt: PostgresRows.date(try cells[9]),
            updatedAt: PostgresRows.date(try cells[10])
        )
    }
}
