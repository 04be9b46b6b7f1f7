import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createPlugin(_ plugin: PluginDefinition) async throws {
        let values = PluginRow(plugin).values
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO plugins (tenant_id, name, plugin_type, source, enabled, config, description,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(values)
            )
        }
    }

    public func plugin(named name: String, tenantID: String) async throws -> PluginDefinition? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM plugins WHERE tenant_id = ? AND name = ?",
                arguments: [tenantID, name]
            ).map(PluginRow.plugin)
        }
    }

    public func plugins(tenantID: String?) async throws -> [PluginDefinition] {
        try await read { db in
            if let tenantID {
                return try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM plugins WHERE tenant_id IN (?, '') ORDER BY name, tenant_id",
                    arguments: [tenantID]
                ).map(PluginRow.plugin)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM plugins ORDER BY name, tenant_id").map(PluginRow.plugin)
        }
    }

    public func updatePlugin(_ plugin: PluginDefinition) async throws -> Bool {
        let values = PluginRow(plugin).values
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE plugins SET plugin_type = ?, source = ?, enabled = ?, config = ?, description = ?,
                        updated_at = ?
                    WHERE tenant_id = ? AND name = ?
                    """,
                arguments: StatementArguments([
                    values[2], values[3], values[4], values[5], values[6], values[8], values[0], values[1],
                ])
            )
            return db.changesCount > 0
        }
    }

    public func deletePlugin(named name: String, tenantID: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM plugins WHERE tenant_id = ? AND name = ?", arguments: [tenantID, name])
            return db.changesCount > 0
        }
    }
}

/// A plugin as column values: tenant, name, type, source, enabled, config, description, created,
/// updated.
private struct PluginRow {
    let values: [DatabaseValue]

    init(_ plugin: PluginDefinition) {
        let raw: [(any DatabaseValueConvertible)?] = [
            plugin.tenantID, plugin.name, plugin.pluginType.rawValue, plugin.source, plugin.enabled,
            plugin.config.serialized(), plugin.description, SQLiteRows.millis(plugin.createdAt),
            SQLiteRows.millis(plugin.updatedAt),
        ]
        values = raw.map { $0?.databaseValue ?? .null }
    }

    static func plugin(_ row: Row) throws -> PluginDefinition {
        let type: String = row["plugin_type"]
        return PluginDefinition(
            name: row["name"],
            pluginType: PluginType(rawValue: type) ?? .wasm,
            source: row["source"],
            tenantID: row["tenant_id"],
            enabled: row["enabled"],
            config: try JSON.parse(row["config"] as String),
            description: row["description"],
            createdAt: SQLiteRows.date(row["created_at"]),
            updatedAt: SQLiteRows.date(row["updated_at"])
        )
    }
}
