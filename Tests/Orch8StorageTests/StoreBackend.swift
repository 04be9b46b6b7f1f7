import Foundation
import Orch8Core
import Orch8Storage
import Testing

/// A Store implementation the conformance suite runs against: every `@Test(arguments:
/// StoreBackend.all)` runs once per entry, each on a fresh, empty database.
///
/// The PostgreSQL entry joins the list when `ORCH8_TEST_POSTGRES_URL` names a server (scripts/postgres
/// sets it; DESIGN.md §2); each of its stores gets a database of its own on that server. The tests
/// themselves see only `any Store`.
struct StoreBackend: CustomTestStringConvertible, Sendable {
    let name: String
    /// A fresh, empty store.
    let make: @Sendable () async throws -> any Store
    /// Two independent handles on one fresh database, as two engine nodes have. A backend that cannot
    /// share a database between handles returns the same store twice.
    let makePair: @Sendable () async throws -> (any Store, any Store)

    var testDescription: String { name }

    static var all: [StoreBackend] { [.sqliteFile, .sqliteMemory] + (postgres.map { [$0] } ?? []) }

    static let postgres: StoreBackend? = ProcessInfo.processInfo.environment["ORCH8_TEST_POSTGRES_URL"].map { server in
        StoreBackend(
            name: "PostgreSQL",
            make: {
                try await PostgresStore.connect(
                    url: try await PostgresStore.createDatabase(scratchName(), onServerOf: server),
                    maximumConnections: 4
                )
            },
            makePair: {
                let url = try await PostgresStore.createDatabase(scratchName(), onServerOf: server)
                return (
                    try await PostgresStore.connect(url: url, maximumConnections: 4),
                    try await PostgresStore.connect(url: url, maximumConnections: 4)
                )
            }
        )
    }

    /// A real file in WAL mode, under a fresh temporary directory.
    static let sqliteFile = StoreBackend(
        name: "SQLite file",
        make: { try SQLiteStore(path: try temporaryDatabasePath()) },
        makePair: {
            let path = try temporaryDatabasePath()
            return (try SQLiteStore(path: path), try SQLiteStore(path: path))
        }
    )

    static let sqliteMemory = StoreBackend(
        name: "SQLite in memory",
        make: { try SQLiteStore.inMemory() },
        makePair: {
            let store = try SQLiteStore.inMemory()
            return (store, store)
        }
    )
}

/// A new database name for a PostgreSQL test store.
func scratchName() -> String {
    "orch8_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
}

/// `orch8.db` in a new temporary directory.
func temporaryDatabasePath() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("orch8.db").path
}

/// Builders for the model values the tests store.
enum Fixtures {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// `epoch` plus `milliseconds`, exactly as a store that keeps milliseconds gives it back.
    /// (`epoch.addingTimeInterval(0.123)` may differ from that in the last bit of the `Double`.)
    static func epoch(plus milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(1_800_000_000_000 + milliseconds) / 1000)
    }

    static func sequence(
        id: UUID = UUID(),
        tenant: String = "acme",
        namespace: String = "default",
        name: String = "flow",
        version: Int = 1
    ) throws -> SequenceDefinition {
        let json = try JSON.parse(
            """
            {"id": "\(id.uuidString.lowercased())", "tenant_id": "\(tenant)", "namespace": "\(namespace)",
             "name": "\(name)", "version": \(version), "created_at": "2026-11-25T00:00:00Z",
             "blocks": [{"type": "step", "id": "a", "handler": "noop", "params": {"x": "{{context.data.x}}"}}]}
            """
        )
        return try JSONValueDecoder().decode(SequenceDefinition.self, from: json)
    }

    static func instance(
        id: UUID = UUID(),
        sequence: UUID = UUID(),
        tenant: String = "acme",
        namespace: String = "default",
        state: InstanceState = .scheduled,
        priority: Priority = .normal,
        nextFireAt: Date? = epoch,
        metadata: JSON = .null,
        idempotencyKey: String? = nil,
        updatedAt: Date = epoch
    ) -> TaskInstance {
        TaskInstance(
            id: id,
            sequenceID: sequence,
            tenantID: tenant,
            namespace: namespace,
            state: state,
            nextFireAt: nextFireAt,
            priority: priority,
            metadata: metadata,
            context: ExecutionContext(data: ["n": 1, "f": 1.5, "s": "text"], config: ["c": true]),
            idempotencyKey: idempotencyKey,
            createdAt: epoch,
            updatedAt: updatedAt
        )
    }

    static func output(
        _ instance: UUID,
        _ block: String,
        _ value: JSON,
        ref: String? = nil,
        attempt: UInt32 = 0
    )
        -> BlockOutput
    {
        BlockOutput(
            id: UUID(),
            instanceID: instance,
            blockID: block,
            output: value,
            outputRef: ref,
            outputSize: Int64(value.serialized().utf8.count),
            attempt: attempt,
            createdAt: epoch
        )
    }

    static func signal(
        _ instance: UUID,
        _ type: SignalType = .pause,
        payload: JSON = .null,
        at time: Date = epoch
    ) -> Signal {
        Signal(id: UUID(), instanceID: instance, signalType: type, payload: payload, createdAt: time)
    }

    /// An update by the engine node `owner` (nil: no lease check) of a `running` instance.
    static func update(_ instance: UUID, owner: String? = nil, now: Date = epoch) -> InstanceUpdate {
        InstanceUpdate(instanceID: instance, leaseOwner: owner, now: now)
    }
}
