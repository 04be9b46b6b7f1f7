import Foundation
public import Logging
public import Orch8Core
import PostgresNIO

/// The shared Store: a PostgreSQL database that several engine nodes use at once (DESIGN.md §2).
/// Claims take rows with `FOR UPDATE SKIP LOCKED`, leases expire when a node stops renewing them, and
/// writes that create work `NOTIFY orch8_work` so that other nodes claim at once.
///
/// The schema mirrors SQLite's (``PostgresSchema``): ids as lowercase UUID text, timestamps as
/// integer milliseconds, JSON as our own serialization in text columns, so that both backends read
/// and write the same values.
public final class PostgresStore: Store {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Connects to the database `url` names (`postgres://user:password@host:port/database`, also
    /// `postgresql://`; `?sslmode=disable|prefer|require`) and creates or migrates the schema.
    /// - Throws: ``PostgresStoreError`` naming the URL (without its password) when it is malformed, the
    ///   server cannot be reached or the migration fails.
    public static func connect(
        url: String,
        maximumConnections: Int = 20,
        logger: Logger = Logger(label: "orch8.postgres")
    ) async throws -> PostgresStore {
        var configuration = try PostgresURL.configuration(url)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        let store = PostgresStore(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger),
            logger: logger
        )
        do {
            try await PostgresSchema.migrate(store)
        } catch {
            throw PostgresStoreError(
                "cannot open PostgreSQL database at \(PostgresURL.redacted(url)): \(PostgresStore.describe(error))"
            )
        }
        return store
    }

    /// Stops the connection pool; calls after this fail.
    public func close() { runner.cancel() }

    public func ping() async throws {
        try await execute("SELECT 1")
    }

    // MARK: Access with error mapping

    /// Runs `query` and collects its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            var collected: [PostgresRow] = []
            for try await row in try await client.query(query, logger: logger) { collected.append(row) }
            return collected
        } catch {
            throw Self.map(error)
        }
    }

    /// Runs `query` for its effect.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await rows(query)
    }

    /// Runs `body` in one transaction on one connection (committed when it returns, rolled back
    /// when it throws).
    /// A deadlock or serialization failure rolls the whole transaction back; it is run again, up
    /// to three times (nothing of it was committed).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch {
                let cause =
                    (error as? PostgresTransactionError).map {
                        $0.closureError ?? $0.beginError ?? $0.commitError ?? $0
                    } ?? error
                if attempt < 3, let state = (cause as? PSQLError)?.serverInfo?[.sqlState],
                    state == "40P01" || state == "40001"
                {
                    continue
                }
                throw Self.map(cause)
            }
        }
    }

    /// Unique violations become `alreadyExists`, lost connections and overload `unavailable`;
    /// everything else passes through.
    static func map(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        guard let error = error as? PSQLError else { return error }
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        switch error.serverInfo?[.sqlState] {
        case "23505"?: return StoreError.alreadyExists(message)
        case let state? where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57"):
            return StoreError.unavailable(message)
        case nil:
            // No answer from a server: the connection failed or was lost.
            return StoreError.unavailable("PostgreSQL: \(error.code)")
        default:
            return error
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            return error.serverInfo?[.message] ?? "\(error.code) \(error.underlying.map { "\($0)" } ?? "")"
        }
        return "\(error)"
    }
}

/// A query on one connection of a transaction, rows collected, errors mapped.
extension PostgresConnection {
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        var collected: [PostgresRow] = []
        for try await row in try await self.query(query, logger: logger) { collected.append(row) }
        return collected
    }

    func execute(_ query: PostgresQuery, _ logger: Logger) async throws {
        _ = try await rows(query, logger)
    }
}

/// A store that cannot be opened, with a message naming the URL.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// `postgres://` URLs.
enum PostgresURL {
    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresStoreError(
                "unsupported database URL '\(redacted(url))': expected postgres://USER@HOST:PORT/DATABASE"
            )
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError("database URL '\(redacted(url))' has no host")
        }
        var tls = PostgresClient.Configuration.TLS.disable
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"?): tls = .disable
            case ("sslmode", "prefer"?), ("sslmode", "allow"?): tls = .prefer(.makeClientConfiguration())
            case ("sslmode", "require"?), ("sslmode", "verify-full"?), ("sslmode", "verify-ca"?):
                tls = .require(.makeClientConfiguration())
            default:
                throw PostgresStoreError(
                    "unsupported parameter '\(item.name)=\(item.value ?? "")' in database URL '\(redacted(url))': only sslmode"
                )
            }
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        return PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
    }

    /// The URL with its password replaced, for messages and logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}

extension PostgresStore {
    /// Creates an empty database `name` on the server `serverURL` points at and returns the URL of the
    /// new database (for tests and benchmarks that want a database each).
    /// - Parameter name: letters, digits and `_` only.
    public static func createDatabase(_ name: String, onServerOf serverURL: String) async throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresStoreError("database name '\(name)' must be letters, digits and _")
        }
        let configuration = try PostgresURL.configuration(serverURL)
        let logger = Logger(label: "orch8.postgres.admin")
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        do {
            // CREATE DATABASE takes no parameters; the name was checked above.
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        } catch {
            throw PostgresStoreError("cannot create database \(name): \(describe(error))")
        }
        guard var components = URLComponents(string: serverURL) else { return serverURL }
        components.path = "/" + name
        return components.string ?? serverURL
    }
}
