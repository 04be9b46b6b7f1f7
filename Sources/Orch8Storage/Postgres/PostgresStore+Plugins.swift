public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func createPlugin(_ plugin: PluginDefinition) async throws {
        let row = PostgresPluginRow(plugin)
        // Every change tells every node, whose registries then forget what they cached.
        try await execute(
            """
            WITH added AS (
                INSERT INTO plugins (\(unescaped: PostgresPluginRow.list))
                VALUES (\(row.tenantID), \(row.name), \(row.pluginType), \(row.source), \(row.enabled), \(row.config),
                    \(row.description), \(row.createdAt), \(row.updatedAt))
                RETURNING 1)
            SELECT pg_notify(\(Self.channel), \(Self.pluginChannel)) FROM added
            """
        )
    }

    public func plugin(named name: String, tenantID: String) async throws -> PluginDefinition? {
        let rows = try await rows(
            "SELECT \(unescaped: PostgresPluginRow.list) FROM plugins WHERE tenant_id = \(tenantID) AND name = \(name)"
        )
        return try rows.first.map(PostgresPluginRow.plugin)
    }

    public func plugins(tenantID: String?) async throws -> [PluginDefinition] {
        let rows: [PostgresRow]
        if let tenantID {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresPluginRow.list) FROM plugins WHERE tenant_id IN (\(tenantID), '')
                ORDER BY name COLLATE "C", tenant_id COLLATE "C"
                """
            )
        } else {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresPluginRow.list) FROM plugins
                ORDER BY name COLLATE "C", tenant_id COLLATE "C"
                """
            )
        }
        return try rows.map(PostgresPluginRow.plugin)
    }

    public func updatePlugin(_ plugin: PluginDefinition) async throws -> Bool {
        let row = PostgresPluginRow(plugin)
        return try await !rows(
            """
            WITH changed AS (
                UPDATE plugins SET plugin_type = \(row.pluginType), source = \(row.source), enabled = \(row.enabled),
                    config = \(row.config), description = \(row.description), updated_at = \(row.updatedAt)
                WHERE tenant_id = \(row.tenantID) AND name = \(row.name)
                RETURNING 1)
            SELECT pg_notify(\(Self.channel), \(Self.pluginChannel)) FROM changed
            """
        ).isEmpty
    }

    public func deletePlugin(named name: String, tenantID: String) async throws -> Bool {
        try await !rows(
            """
            WITH removed AS (DELETE FROM plugins WHERE tenant_id = \(tenantID) AND name = \(name) RETURNING 1)
            SELECT pg_notify(\(Self.channel), \(Self.pluginChannel)) FROM removed
            """
        ).isEmpty
    }
}

/// A plugin as column values, in ``list`` order.
private struct PostgresPluginRow {
    static let list = "tenant_id, name, plugin_type, source, enabled, config, description, created_at, updated_at"

    let tenantID: String
    let name: String
    let pluginType: String
    let source: String
    let enabled: Int32
    let config: String
    let description: String?
    let createdAt: Int64
    let updatedAt: Int64

    init(_ plugin: PluginDefinition) {
        tenantID = plugin.tenantID
        name = plugin.name
        pluginType = plugin.pluginType.rawValue
        source = plugin.source
        enabled = plugin.enabled ? 1 : 0
        config = plugin.config.serialized()
        description = plugin.description
        createdAt = PostgresRows.millis(plugin.createdAt)
        updatedAt = PostgresRows.millis(plugin.updatedAt)
    }

    /// Reads a row selected with ``list``.
    static func plugin(_ row: PostgresRow) throws -> PluginDefinition {
        let cells = PostgresCells(row)
        return PluginDefinition(
            name: try cells[1],
            pluginType: PluginType(rawValue: try cells[2]) ?? .wasm,
            source: try cells[3],
            tenantID: try cells[0],
            enabled: try cells[4, as: Int32.self] != 0,
            config: try JSON.parse(try cells[5, as: String.self]),
            description: try cells[6],
            createdAt: PostgresRows.date(try cells[7]),
            updatedAt: PostgresRows.date(try cells[8])
        )
    }
}
