import PostgresNIO

/// What the PostgreSQL-specific tests check about the database itself.
extension PostgresStore {
    /// The names of the applied migrations, in the order ``PostgresSchema/migrations`` lists them.
    func appliedMigrations() async throws -> [String] {
        var applied: Set<String> = []
        for row in try await rows("SELECT name FROM orch8_migrations") {
            applied.insert(try PostgresCells(row)[0])
        }
        return PostgresSchema.migrations.map(\.name).filter(applied.contains)
    }

    /// The server's `synchronous_commit` (`on` unless the database or server was set otherwise).
    func synchronousCommit() async throws -> String {
        try await rows("SHOW synchronous_commit").first.map { try PostgresCells($0)[0] } ?? ""
    }

    /// The plan of `query` (`EXPLAIN`, without costs) with its bind values, its lines joined.
    func queryPlan(_ query: PostgresQuery) async throws -> String {
        let explain = PostgresQuery(unsafeSQL: "EXPLAIN (COSTS OFF) " + query.sql, binds: query.binds)
        return try await rows(explain).map { try PostgresCells($0)[0, as: String.self] }.joined(separator: "\n")
    }
}
