public import Logging
public import Orch8Core

/// Opens the store a database URL names: `sqlite:` (embedded, one process) or `postgres://` /
/// `postgresql://` (shared by several engine nodes).
public enum Stores {
    /// - Parameter durable: SQLite only; see ``SQLiteStore/init(path:durable:)``.
    /// - Throws: ``SQLiteStoreError`` or ``PostgresStoreError`` naming the URL.
    public static func open(
        url: String,
        durable: Bool = false,
        logger: Logger = Logger(label: "orch8.store")
    ) async throws
        -> any Store
    {
        if isPostgres(url) { return try await PostgresStore.connect(url: url, logger: logger) }
        return try SQLiteStore.open(url: url, durable: durable)
    }

    /// Whether `url` names a PostgreSQL database.
    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// `url` with its password replaced, for logs.
    public static func redacted(_ url: String) -> String { PostgresURL.redacted(url) }
}
