public import Foundation
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        let row = PostgresAPIKeyRow(key)
        try await execute(
            """
            INSERT INTO api_keys (\(unescaped: PostgresAPIKeyRow.list))
            VALUES (\(row.id), \(row.tenantID), \(row.name), \(row.capabilities), \(row.keyHash), \(row.prefix),
                \(row.createdAt), \(row.expiresAt), \(row.revokedAt))
            """
        )
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        let rows = try await rows("SELECT \(unescaped: PostgresAPIKeyRow.list) FROM api_keys WHERE key_hash = \(hash)")
        return try rows.first.map(PostgresAPIKeyRow.record)
    }

    public func apiKeys(tenantID: String?) async throws -> [APIKeyRecord] {
        let rows: [PostgresRow]
        if let tenantID {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresAPIKeyRow.list) FROM api_keys WHERE tenant_id = \(tenantID)
                ORDER BY created_at, id COLLATE "C"
                """
            )
        } else {
            rows = try await self.rows(
                "SELECT \(unescaped: PostgresAPIKeyRow.list) FROM api_keys ORDER BY created_at, id COLLATE \"C\""
            )
        }
        return try rows.map(PostgresAPIKeyRow.record)
    }

    public func revokeAPIKey(id: UUID, tenantID: String?, now: Date) async throws -> Bool {
        // `COALESCE` keeps the first revocation time; the row still counts as found.
        try await !rows(
            """
            UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(PostgresRows.millis(now)))
            WHERE id = \(PostgresRows.id(id)) AND (\(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID))
            RETURNING 1
            """
        ).isEmpty
    }
}

/// An API key as column values, in ``list`` order.
private struct PostgresAPIKeyRow {
    static let list = "id, tenant_id, name, capabilities, key_hash, prefix, created_at, expires_at, revoked_at"

    let id: String
    let tenantID: String
    let name: String?
    let capabilities: String
    let keyHash: String
    let prefix: String
    let createdAt: Int64
    let expiresAt: Int64?
    let revokedAt: Int64?

    init(_ key: APIKeyRecord) {
        id = PostgresRows.id(key.id)
        tenantID = key.tenantID
        name = key.name
        capabilities = APIKeyColumns.capabilities(key.capabilities)
        keyHash = key.keyHash
        prefix = key.prefix
        createdAt = PostgresRows.millis(key.createdAt)
        expiresAt = key.expiresAt.map(PostgresRows.millis)
        revokedAt = key.revokedAt.map(PostgresRows.millis)
    }

    /// Reads a row selected with ``list``.
    static func record(_ row: PostgresRow) throws -> APIKeyRecord {
        let cells = PostgresCells(row)
        let id: String = try cells[0]
        let stored: String = try cells[3]
        guard let capabilities = APIKeyColumns.capabilities(stored) else {
            throw PostgresStoreError("corrupt capabilities '\(stored)' of API key \(id)")
        }
        return APIKeyRecord(
            id: try PostgresRows.uuid(id, "api_keys.id"),
            tenantID: try cells[1],
            name: try cells[2],
            capabilities: capabilities,
            keyHash: try cells[4],
            prefix: try cells[5],
            createdAt: PostgresRows.date(try cells[6]),
            expiresAt: try cells[7, as: Int64?.self].map(PostgresRows.date),
            revokedAt: try cells[8, as: Int64?.self].map(PostgresRows.date)
        )
    }
}
