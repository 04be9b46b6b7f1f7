public import Foundation
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func createSequence(_ sequence: SequenceDefinition) async throws {
        let definition = try PostgresRows.text(sequence)
        do {
            try await execute(
                """
                INSERT INTO sequences (id, tenant_id, namespace, name, version, deprecated, definition, created_at)
                VALUES (\(PostgresRows.id(sequence.id)), \(sequence.tenantID), \(sequence.namespace), \(sequence.name),
                    \(Int64(sequence.version)), \(Int32(sequence.deprecated ? 1 : 0)), \(definition),
                    \(PostgresRows.millis(sequence.createdAt)))
                """
            )
        } catch StoreError.alreadyExists(let message) {
            // Say which key is taken, in the caller's terms rather than PostgreSQL's.
            if message.contains("sequences_pkey") {
                throw StoreError.alreadyExists("sequence \(PostgresRows.id(sequence.id))")
            }
            throw StoreError.alreadyExists(
                "sequence '\(sequence.name)' version \(sequence.version) in tenant '\(sequence.tenantID)' "
                    + "namespace '\(sequence.namespace)'"
            )
        }
    }

    public func sequence(id: UUID) async throws -> SequenceDefinition? {
        let rows = try await rows(
            "SELECT \(unescaped: SequenceColumns.list) FROM sequences WHERE id = \(PostgresRows.id(id))"
        )
        return try rows.first.map { try SequenceColumns(postgres: $0).decode() }
    }

    public func sequences(_ query: SequenceQuery) async throws -> [SequenceDefinition] {
        var conditions: [String] = []
        var bindings = PostgresBindings()
        if let tenant = query.tenantID {
            bindings.append(tenant)
            conditions.append("tenant_id = $\(bindings.count)")
        }
        if let namespace = query.namespace {
            bindings.append(namespace)
            conditions.append("namespace = $\(bindings.count)")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        bindings.append(PostgresPage.limit(query.limit))
        bindings.append(PostgresPage.offset(query.offset))
        let rows = try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(SequenceColumns.list) FROM sequences \(filter)
                    ORDER BY tenant_id COLLATE "C", namespace COLLATE "C", name COLLATE "C", version
                    LIMIT $\(bindings.count - 1) OFFSET $\(bindings.count)
                    """,
                binds: bindings
            )
        )
        return try rows.map { try SequenceColumns(postgres: $0).decode() }
    }

    public func sequenceVersions(tenantID: String, namespace: String, name: String) async throws -> [SequenceDefinition]
    {
        let rows = try await rows(
            """
            SELECT \(unescaped: SequenceColumns.list) FROM sequences
            WHERE tenant_id = \(tenantID) AND namespace = \(namespace) AND name = \(name) ORDER BY version DESC
            """
        )
        return try rows.map { try SequenceColumns(postgres: $0).decode() }
    }

    public func deprecateSequence(id: UUID) async throws -> Bool {
        try await !rows("UPDATE sequences SET deprecated = 1 WHERE id = \(PostgresRows.id(id)) RETURNING 1").isEmpty
    }

    public func deleteSequence(id: UUID) async throws -> SequenceDeletion {
        let key = PostgresRows.id(id)
        let logger = logger
        return try await transaction { connection in
            // The row lock makes concurrent deletes of one sequence take turns: one deletes, the other
            // then finds nothing.
            guard try await !connection.rows("SELECT 1 FROM sequences WHERE id = \(key) FOR UPDATE", logger).isEmpty
            else { return .notFound }
            let counted = try await connection.rows(
                """
                SELECT COUNT(*) FROM instances
                WHERE sequence_id = \(key) AND state IN ('scheduled', 'running', 'waiting', 'paused')
                """,
                logger
            )
            let active = try counted.first.map { try PostgresCells($0)[0, as: Int64.self] } ?? 0
            if active > 0 { return .activeInstances(Int(active)) }
            try await connection.execute("DELETE FROM sequences WHERE id = \(key)", logger)
            return .deleted
        }
    }
}

/// `LIMIT` and `OFFSET` values that page as SQLite's do: a negative limit means no limit, a negative
/// offset none (PostgreSQL refuses both).
enum PostgresPage {
    static func limit(_ limit: Int) -> Int64? { limit < 0 ? nil : Int64(limit) }
    static func offset(_ offset: Int) -> Int64 { Int64(max(0, offset)) }
}
