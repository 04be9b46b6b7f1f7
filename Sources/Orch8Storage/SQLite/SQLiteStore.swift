import GRDB
public import Orch8Core

/// The embedded Store: one SQLite file in WAL mode, one writer, concurrent readers (DESIGN.md §2).
///
/// Throughput is bounded by commits, so the engine hands in many instances' writes at once
/// (``commit(_:)``) and every hot statement is prepared once and cached per connection.
public final class SQLiteStore: Store {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and migrates it.
    /// - Parameter durable: sync every commit to disk (synchronous=FULL) instead of at checkpoints.
    public init(path: String, durable: Bool = false) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            if durable { try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw SQLiteStoreError("cannot open SQLite database at \(path): \(Self.describe(error))")
        }
        try SQLiteSchema.migrate(writer)
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try SQLiteSchema.migrate(writer)
    }

    /// A private in-memory database, gone when the store is released (`sqlite::memory:`).
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue(named: nil))
    }

    /// Opens the store a database URL names: `sqlite://PATH`, `sqlite:PATH` or `sqlite::memory:`.
    public static func open(url: String, durable: Bool = false) throws -> SQLiteStore {
        if url == "sqlite::memory:" || url == "sqlite://:memory:" { return try inMemory() }
        let path: String
        if url.hasPrefix("sqlite://") {
            path = String(url.dropFirst("sqlite://".count))
        } else if url.hasPrefix("sqlite:") {
            path = String(url.dropFirst("sqlite:".count))
        } else {
            throw SQLiteStoreError("unsupported database URL '\(url)': expected sqlite://PATH or sqlite::memory:")
        }
        guard !path.isEmpty else { throw SQLiteStoreError("database URL '\(url)' has no path") }
        return try SQLiteStore(path: path, durable: durable)
    }

    public func ping() async throws {
        try await read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: Access with error mapping

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.read(body) } catch { throw Self.map(error) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.write(body) } catch { throw Self.map(error) }
    }

    /// Unique violations become `alreadyExists`, contention and I/O `unavailable`; everything else
    /// passes through as an internal error.
    static func map(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_CONSTRAINT: return StoreError.alreadyExists(error.message ?? "unique constraint violated")
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN:
            return StoreError.unavailable(error.message ?? "\(error.resultCode)")
        default: return error
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }
}

/// A store that cannot be opened, with a message naming the path or URL.
public struct SQLiteStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
