public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func outputs(instanceID: UUID) async throws -> [BlockOutput] {
        let rows = try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(OutputColumns.list) FROM block_outputs WHERE instance_id = ? ORDER BY seq",
                arguments: [SQLiteRows.id(instanceID)]
            ).map(OutputColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func stateValues(instanceID: UUID) async throws -> [String: JSON] {
        let rows = try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(StateColumns.list) FROM instance_state WHERE instance_id = ?",
                arguments: [SQLiteRows.id(instanceID)]
            ).map(StateColumns.init)
        }
        var values: [String: JSON] = [:]
        for row in rows { values[row.key] = try JSON.parse(row.value) }
        return values
    }

    public func enqueueSignal(_ signal: Signal, now: Date) async throws -> SignalEnqueueResult {
        try await write { db in try Self.enqueueSignal(signal, db, now: now) }
    }

    /// Enqueues `signal` inside the caller's write transaction (a cron fire's cancels go in its own).
    static func enqueueSignal(_ signal: Signal, _ db: Database, now: Date) throws -> SignalEnqueueResult {
        let type = try SQLiteRows.text(signal.signalType)
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
        // An answer to a human gate wakes the instance that waits on it (ORCH8-SPEC §7.6).
        if signal.signalType.isHumanInput { try Self.makeDue(db, instanceID: key, now: SQLiteRows.millis(now)) }
        return .enqueued(state)
    }

    public func pendingSignals(instanceID: UUID) async throws -> [Signal] {
        let rows = try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(SignalColumns.list) FROM signals WHERE instance_id = ? AND delivered = 0 ORDER BY seq",
                arguments: [SQLiteRows.id(instanceID)]
            ).map(SignalColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func instancesWithPendingSignals(in states: Set<InstanceState>, limit: Int) async throws -> [UUID] {
        guard !states.isEmpty else { return [] }
        let rows = try await read { db in
            var arguments = StatementArguments(states.map(\.rawValue).sorted())
            arguments += [limit]
            // Oldest pending signal first, so that a long backlog is swept fairly.
            return try String.fetchAll(
                db,
                sql: """
                    SELECT s.instance_id FROM signals s JOIN instances i ON i.id = s.instance_id
                    WHERE s.delivered = 0 AND i.state IN (\(SQLiteRows.placeholders(states.count)))
                    GROUP BY s.instance_id ORDER BY MIN(s.seq) LIMIT ?
                    """,
                arguments: arguments
            )
        }
        return try rows.map { try SQLiteRows.uuid($0, "signals.instance_id") }
    }
}
