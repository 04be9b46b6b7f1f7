public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func outputs(instanceID: UUID) async throws -> [BlockOutput] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM block_outputs WHERE instance_id = ? ORDER BY seq",
                arguments: [SQLiteRows.id(instanceID)]
            ).map(SQLiteRows.output)
        }
    }

    public func stateValues(instanceID: UUID) async throws -> [String: JSON] {
        try await read { db in
            var values: [String: JSON] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT key, value FROM instance_state WHERE instance_id = ?",
                arguments: [SQLiteRows.id(instanceID)]
            ) {
                values[row["key"] as String] = try JSON.parse(row["value"] as String)
            }
            return values
        }
    }

    public func enqueueSignal(_ signal: Signal, now: Date) async throws -> SignalEnqueueResult {
        let type = try SQLiteRows.text(signal.signalType)
        return try await write { db in
            let key = SQLiteRows.id(signal.instanceID)
            guard let text = try String.fetchOne(db, sql: "SELECT state FROM instances WHERE id = ?", arguments: [key]),
                let state = InstanceState(rawValue: text)
            else { return .instanceNotFound }
            if state.isTerminal { return .instanceTerminal(state) }
            try db.execute(
                sql: """
                    INSERT INTO signals (id, instance_id, signal_type, payload, delivered, created_at)
                    VALUES (?, ?, ?, ?, 0, ?)
                    """,
                arguments: [
                    SQLiteRows.id(signal.id), key, type, signal.payload.serialized(),
                    SQLiteRows.millis(signal.createdAt),
                ]
            )
            if state == .scheduled {
                try db.execute(
                    sql: "UPDATE instances SET next_fire_at = ?, updated_at = ? WHERE id = ? AND state = 'scheduled'",
                    arguments: [SQLiteRows.millis(now), SQLiteRows.millis(now), key]
                )
            }
            return .enqueued(state)
        }
    }

    public func pendingSignals(instanceID: UUID) async throws -> [Signal] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM signals WHERE instance_id = ? AND delivered = 0 ORDER BY seq",
                arguments: [SQLiteRows.id(instanceID)]
            ).map(SQLiteRows.signal)
        }
    }

    public func instancesWithPendingSignals(in states: Set<InstanceState>, limit: Int) async throws -> [UUID] {
        guard !states.isEmpty else { return [] }
        return try await read { db in
            var arguments = StatementArguments(states.map(\.rawValue))
            arguments += [limit]
            return try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT s.instance_id FROM signals s JOIN instances i ON i.id = s.instance_id
                    WHERE s.delivered = 0 AND i.state IN (\(SQLiteRows.placeholders(states.count))) LIMIT ?
                    """,
                arguments: arguments
            ).compactMap(UUID.init(uuidString:))
        }
    }
}
