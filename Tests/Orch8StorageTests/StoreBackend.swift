import Foundation
import Orch8Core
import Orch8Storage
import Testing

/// The Store implementations the conformance suite runs against. A PostgreSQL entry joins when
/// that backend exists (enabled by ORCH8_TEST_POSTGRES_URL).
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteFile = "SQLite file"
    case sqliteMemory = "SQLite in memory"

    var testDescription: String { rawValue }

    /// A fresh, empty store.
    func make() throws -> any Store {
        switch self {
        case .sqliteFile:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "orch8-store-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteStore(path: directory.appendingPathComponent("orch8.db").path)
        case .sqliteMemory:
            return try SQLiteStore.inMemory()
        }
    }
}

/// Builders for the model values the tests store.
enum Fixtures {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

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
            namespace: "default",
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
}
