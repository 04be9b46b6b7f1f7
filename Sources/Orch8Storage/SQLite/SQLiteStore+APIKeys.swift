public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        let values = APIKeyRow(key).values
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, tenant_id, name, capabilities, key_hash, prefix, created_at,
                        expires_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(values)
            )
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE key_hash = ?", arguments: [hash]).map(
                APIKeyRow.record
            )
        }
    }

    public func apiKeys(tenantID: String?) async throws -> [APIKeyRecord] {
        try await read { db in
            if let tenantID {
                return try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id",
                    arguments: [tenantID]
                ).map(APIKeyRow.record)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(APIKeyRow.record)
        }
    }

    public func revokeAPIKey(id: UUID, tenantID: String?, now: Date) async throws -> Bool {
        let id = SQLiteRows.id(id)
        let millis = SQLiteRows.millis(now)
        return try await write { db in
            // `COALESCE` keeps the first revocation time; the row still counts as found.
            try db.execute(
                sql: """
                    UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?)
                    WHERE id = ? AND (? IS NULL OR tenant_id = ?)
                    """,
                arguments: [millis, id, tenantID, tenantID]
            )
            return db.changesCount > 0
        }
    }
}

/// An API key as column values, in the order of the `api_keys` table.
private struct APIKeyRow {
    let values: [DatabaseValue]

    init(_ key: APIKeyRecord) {
        let raw: [(any DatabaseValueConvertible)?] = [
            SQLiteRows.id(key.id), key.tenantID, key.name, APIKeyColumns.capabilities(key.capabilities), key.keyHash,
            key.prefix, SQLiteRows.millis(key.createdAt), key.expiresAt.map(SQLiteRows.millis),
            key.revokedAt.map(SQLiteRows.millis),
        ]
        values = raw.map { $0?.databaseValue ?? .null }
    }

    static func record(_ row: Row) throws -> APIKeyRecord {
        let id: String = row["id"]
        let expiresAt: Int64? = row["expires_at"]
        let revokedAt: Int64? = row["revoked_at"]
        let stored: String = row["capabilities"]
        guard let capabilities = APIKeyColumns.capabilities(stored) else {
            throw SQLiteStoreError("corrupt capabilities '\(stored)' of API key \(id)")
        }
        return APIKeyRecord(
            id: try SQLiteRows.uuid(id, "api_keys.id"),
            tenantID: row["tenant_id"],
            name: row["name"],
            capabilities: capabilities,
            keyHash: row["key_hash"],
            prefix: row["prefix"],
            createdAt: SQLiteRows.date(row["created_at"]),
            expiresAt: expiresAt.map(SQLiteRows.date),
            revokedAt: revokedAt.map(SQLiteRows.date)
        )
    }
}

/// The `capabilities` column of both stores: the wire names, comma-separated, in the key's order.
enum APIKeyColumns {
    static func capabilities(_ capabilities: [APIKeyCapability]) -> String {
        capabilities.map(\.rawValue).joined(separator: ",")
    }

    /// The capabilities of a stored column; nil when a name is not a capability (a corrupt row).
    static func capabilities(_ text: String) -> [APIKeyCapability]? {
        var capabilities: [APIKeyCapability] = []
        for name in text.split(separator: ",") {
            guard let capability = APIKeyCapability(rawValue: String(name)) else { return nil }
            capabilities.append(capability)
        }
        return capabilities
    }
}
