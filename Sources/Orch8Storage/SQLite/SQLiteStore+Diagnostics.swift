import GRDB

/// What the SQLite-specific tests check about the database itself.
extension SQLiteStore {
    /// The names of the applied migrations, in order.
    func appliedMigrations() async throws -> [String] {
        try await read { db in try SQLiteSchema.migrator.appliedMigrations(db) }
    }

    /// The writer's `PRAGMA synchronous`: 1 NORMAL, 2 FULL.
    func synchronousLevel() async throws -> Int {
        try await writer.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
    }

    /// The writer's `PRAGMA journal_mode`.
    func journalMode() async throws -> String {
        try await writer.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        }
    }

    /// `EXPLAIN QUERY PLAN` of `sql` with these named arguments, its detail lines joined.
    func queryPlan(_ sql: String, named: [String: String] = [:]) async throws -> String {
        try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: StatementArguments(named))
                .map { $0["detail"] as String }
                .joined(separator: "\n")
        }
    }
}
