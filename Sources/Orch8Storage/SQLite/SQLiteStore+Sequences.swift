public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createSequence(_ sequence: SequenceDefinition) async throws {
        let definition = try SQLiteRows.text(sequence)
        do {
            try await write { db in
                try db.execute(
                    sql: """
                        INSERT INTO sequences (id, tenant_id, namespace, name, version, deprecated, definition, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        SQLiteRows.id(sequence.id), sequence.tenantID, sequence.namespace, sequence.name,
                        Int64(sequence.version), sequence.deprecated, definition,
                        SQLiteRows.millis(sequence.createdAt),
                    ]
                )
            }
        } catch StoreError.alreadyExists(let message) {
            // Say which key is taken, in the caller's terms rather than SQLite's.
            if message.contains("sequences.id") {
                throw StoreError.alreadyExists("sequence \(SQLiteRows.id(sequence.id))")
            }
            throw StoreError.alreadyExists(
                "sequence '\(sequence.name)' version \(sequence.version) in tenant '\(sequence.tenantID)' "
                    + "namespace '\(sequence.namespace)'"
            )
        }
    }

    public func sequence(id: UUID) async throws -> SequenceDefinition? {
        let rows = try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(SequenceColumns.list) FROM sequences WHERE id = ?",
                arguments: [SQLiteRows.id(id)]
            ).map(SequenceColumns.init)
        }
        return try rows?.decode()
    }

    public func sequences(_ query: SequenceQuery) async throws -> [SequenceDefinition] {
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
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(query.limit)
            arguments.append(query.offset)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SequenceColumns.list) FROM sequences \(filter)
                    ORDER BY tenant_id, namespace, name, version LIMIT ? OFFSET ?
                    """,
                arguments: StatementArguments(arguments)
            ).map(SequenceColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func sequenceVersions(tenantID: String, namespace: String, name: String) async throws -> [SequenceDefinition]
    {
        let rows = try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SequenceColumns.list) FROM sequences
                    WHERE tenant_id = ? AND namespace = ? AND name = ? ORDER BY version DESC
                    """,
                arguments: [tenantID, namespace, name]
            ).map(SequenceColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func deprecateSequence(id: UUID) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE sequences SET deprecated = 1 WHERE id = ?", arguments: [SQLiteRows.id(id)])
            return db.changesCount > 0
        }
    }

    public func deleteSequence(id: UUID) async throws -> SequenceDeletion {
        try await write { db in
            let key = SQLiteRows.id(id)
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM sequences WHERE id = ?", arguments: [key]) != nil else {
                return .notFound
            }
            let active =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM instances
                        WHERE sequence_id = ? AND state IN ('scheduled', 'running', 'waiting', 'paused')
                        """,
                    arguments: [key]
                ) ?? 0
            if active > 0 { return .activeInstances(active) }
            try db.execute(sql: "DELETE FROM sequences WHERE id = ?", arguments: [key])
            return .deleted
        }
    }
}
