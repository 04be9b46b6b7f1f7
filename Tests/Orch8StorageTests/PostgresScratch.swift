import Foundation
import Logging
import PostgresNIO

/// Empty databases on the test server, one per store under test.
enum PostgresScratch {
    /// Creates `orch8_test_<random>` on the server `serverURL` names; returns its URL.
    static func database(on serverURL: String) async throws -> String {
        guard var components = URLComponents(string: serverURL), let host = components.host else {
            throw ScratchError(message: "ORCH8_TEST_POSTGRES_URL is not a postgres:// URL: \(serverURL)")
        }
        let name = "orch8_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let configuration = PostgresConnection.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: String(components.path.dropFirst()).isEmpty ? "postgres" : String(components.path.dropFirst()),
            tls: .disable
        )
        let logger = Logger(label: "orch8.tests.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            // Not a bind: CREATE DATABASE takes no parameters, and the name is ours.
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        components.path = "/" + name
        return components.string ?? serverURL
    }

    struct ScratchError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
