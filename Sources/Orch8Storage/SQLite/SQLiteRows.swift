import Foundation
import GRDB
import Orch8Core

/// Conversions between rows and model types.
enum SQLiteRows {
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static func id(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

    static func text(_ value: some Encodable) throws -> String {
        try JSONValueEncoder().encode(value).serialized()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONValueDecoder().decode(type, from: JSON.parse(text))
    }

    static func uuid(_ row: Row, _ column: String) throws -> UUID {
        let text: String = row[column]
        guard let uuid = UUID(uuidString: text) else { throw SQLiteStoreError("corrupt id '\(text)' in \(column)") }
        return uuid
    }

    static func optionalUUID(_ row: Row, _ column: String) -> UUID? {
        (row[column] as String?).flatMap(UUID.init(uuidString:))
    }

    static func instance(_ row: Row) throws -> TaskInstance {
        let state: String = row["state"]
        let priority: Int = row["priority"]
        return TaskInstance(
            id: try uuid(row, "id"),
            sequenceID: try uuid(row, "sequence_id"),
            tenantID: row["tenant_id"],
            namespace: row["namespace"],
            state: InstanceState(rawValue: state) ?? .failed,
            nextFireAt: (row["next_fire_at"] as Int64?).map(date),
            priority: Priority(rank: priority) ?? .normal,
            timezone: row["timezone"],
            metadata: try JSON.parse(row["metadata"] as String),
            context: try decode(ExecutionContext.self, row["context"]),
            concurrencyKey: row["concurrency_key"],
            maxConcurrency: (row["max_concurrency"] as Int64?).flatMap { UInt32(exactly: $0) },
            idempotencyKey: row["idempotency_key"],
            sessionID: optionalUUID(row, "session_id"),
            parentInstanceID: optionalUUID(row, "parent_instance_id"),
            budget: try (row["budget"] as String?).map { try decode(Budget.self, $0) },
            createdAt: date(row["created_at"]),
            updatedAt: date(row["updated_at"])
        )
    }

    static func output(_ row: Row) throws -> BlockOutput {
        BlockOutput(
            id: try uuid(row, "id"),
            instanceID: try uuid(row, "instance_id"),
            blockID: row["block_id"],
            output: try JSON.parse(row["output"] as String),
            outputRef: row["output_ref"],
            outputSize: row["output_size"],
            attempt: UInt32(clamping: row["attempt"] as Int64),
            createdAt: date(row["created_at"])
        )
    }

    static func signal(_ row: Row) throws -> Signal {
        Signal(
            id: try uuid(row, "id"),
            instanceID: try uuid(row, "instance_id"),
            signalType: try decode(SignalType.self, row["signal_type"]),
            payload: try JSON.parse(row["payload"] as String),
            delivered: row["delivered"],
            createdAt: date(row["created_at"]),
            deliveredAt: (row["delivered_at"] as Int64?).map(date)
        )
    }

    /// `?, ?, …` for an IN list.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
