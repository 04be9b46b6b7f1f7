import Foundation

extension SQLiteStore {
    /// Opens the store a database URL names.
    ///
    /// Accepted forms: `sqlite://PATH` (`sqlite://orch8.db` is relative to the working directory,
    /// `sqlite:///var/lib/orch8.db` absolute), `sqlite:PATH`, and `sqlite::memory:` (also
    /// `sqlite://:memory:`) for a private in-memory database. The original engine's `?mode=rwc`
    /// (create if missing, the default here) and `?mode=rw` (the file must exist) are understood.
    /// - Parameter durable: see ``init(path:durable:)``.
    /// - Throws: ``SQLiteStoreError`` for a URL of another scheme, without a path, or with an
    ///   unknown parameter, and when the database cannot be opened.
    public static func open(url: String, durable: Bool = false) throws -> SQLiteStore {
        let location = try SQLiteLocation(url: url)
        switch location {
        case .memory:
            return try inMemory()
        case .file(let path, let mustExist):
            if mustExist && !FileManager.default.fileExists(atPath: path) {
                throw SQLiteStoreError("cannot open SQLite database at \(path): no such file (mode=rw)")
            }
            return try SQLiteStore(path: path, durable: durable)
        }
    }
}

/// Where a `sqlite:` URL points.
enum SQLiteLocation: Equatable {
    case memory
    case file(path: String, mustExist: Bool)

    init(url: String) throws {
        let expected = "expected sqlite://PATH, sqlite:PATH or sqlite::memory:"
        guard url.hasPrefix("sqlite:") else {
            throw SQLiteStoreError("unsupported database URL '\(url)': \(expected)")
        }
        var rest = Substring(url.dropFirst("sqlite:".count))
        if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        var mustExist = false
        var memory = false
        if let question = rest.firstIndex(of: "?") {
            for parameter in rest[rest.index(after: question)...].split(separator: "&") {
                switch parameter {
                case "mode=rwc": mustExist = false
                case "mode=rw": mustExist = true
                case "mode=memory": memory = true
                default:
                    throw SQLiteStoreError(
                        "unsupported parameter '\(parameter)' in database URL '\(url)': only mode=rwc, mode=rw "
                            + "or mode=memory"
                    )
                }
            }
            rest = rest[..<question]
        }
        if memory || rest == ":memory:" {
            self = .memory
            return
        }
        guard !rest.isEmpty else { throw SQLiteStoreError("database URL '\(url)' has no path: \(expected)") }
        self = .file(path: String(rest), mustExist: mustExist)
    }
}

/// A store that cannot be opened, with a message naming the path or URL.
public struct SQLiteStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
