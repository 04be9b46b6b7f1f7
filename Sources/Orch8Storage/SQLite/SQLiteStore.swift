import GRDB
public import Orch8Core

/// The embedded Store: one SQLite file in WAL mode, one writer, concurrent readers (DESIGN.md §2).
///
/// Throughput is bounded by commits, so the engine hands in many instances' writes at once
/// (``commit(_:)``), every hot statement is prepared once and cached per connection, and JSON is
/// serialized before and parsed after the write transaction so that the writer lock is held only for
/// the statements themselves.
public final class SQLiteStore: Store {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database file at `path` and creates or migrates its schema.
    /// - Parameters:
    ///   - path: the database file; its directory must exist.
    ///   - durable: sync every commit to disk (`synchronous=FULL`, ~4k commits/s here) instead of
    ///     only at WAL checkpoints (`NORMAL`, ~20k commits/s; a power loss may lose the last commits,
    ///     never corrupt the database).
    /// - Throws: ``SQLiteStoreError`` naming the path when the file cannot be opened or migrated.
    public init(path: String, durable: Bool = false) throws {
        var configuration = Configuration()
        configuration.label = "orch8"
        // Writers queue behind each other (other processes too) instead of failing at once.
        configuration.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets the writer to NORMAL when it enables WAL, after `prepareDatabase` has run.
            if durable { try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") } }
            try SQLiteSchema.migrate(pool)
            writer = pool
        } catch {
            throw SQLiteStoreError("cannot open SQLite database at \(path): \(Self.describe(error))")
        }
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try SQLiteSchema.migrate(writer)
    }

    /// A private in-memory database, gone when the store is released (`sqlite::memory:`).
    public static func inMemory() throws -> SQLiteStore {
        var configuration = Configuration()
        configuration.label = "orch8"
        return try SQLiteStore(writer: DatabaseQueue(configuration: configuration))
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
        let message = error.message ?? "\(error.extendedResultCode)"
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            return StoreError.alreadyExists(message)
        default:
            break
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_READONLY,
            .SQLITE_PROTOCOL, .SQLITE_NOMEM:
            return StoreError.unavailable(message)
        default:
            return error
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }
}
