public import Foundation
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func outputs(instanceID: UUID) async throws -> [BlockOutput] {
        let rows = try await rows(
            """
            SELECT \(unescaped: OutputColumns.list) FROM block_outputs
            WHERE instance_id = \(PostgresRows.id(instanceID)) ORDER BY seq
            """
        )
        return try rows.map { try OutputColumns(postgres: $0).decode() }
    }

    public func stateValues(instanceID: UUID) async throws -> [String: JSON] {
        let rows = try await rows(
            "SELECT \(unescaped: StateColumns.list) FROM instance_state WHERE instance_id = \(PostgresRows.id(instanceID))"
        )
        var values: [String: JSON] = [:]
        for row in rows {
            let columns = try StateColumns(postgres: row)
            values[columns.key] = try JSON.parse(columns.value)
        }
        return values
    }

    public func enqueueSignal(_ signal: Signal, now: Date) async throws -> SignalEnqueueResult {
        let logger = logger
        return try await transaction { connection in
            try await Self.enqueueSignal(signal, connection, logger, now: now)
        }
    }

    /// Enqueues `signal` inside the caller's transaction (a cron fire's cancels go in its own).
    static func enqueueSignal(
        _ signal: Signal,
        _ connection: PostgresConnection,
        _ logger: Logger,
        now: Date
    ) async throws -> SignalEnqueueResult {
        let type = try PostgresRows.text(signal.signalType)
        let payload = signal.payload.serialized()
        let key = PostgresRows.id(signal.instanceID)
        let time = PostgresRows.millis(now)
        // Locked, so that the instance cannot end between the check and the insert.
        guard
            let row = try await connection.rows("SELECT state FROM instances WHERE id = \(key) FOR UPDATE", logger)
                .first,
            let state = InstanceState(rawValue: try PostgresCells(row)[0])
        else { return .instanceNotFound }
        if state.isTerminal { return .instanceTerminal(state) }
        try await connection.execute(
            """
            INSERT INTO signals (id, instance_id, signal_type, payload, delivered, created_at)
            VALUES (\(PostgresRows.id(signal.id)), \(key), \(type), \(payload), 0,
                \(PostgresRows.millis(signal.createdAt)))
            """,
            logger
        )
        if state == .scheduled {
            try await connection.execute(
                """
                UPDATE instances SET next_fire_at = \(time), updated_at = \(time)
                WHERE id = \(key) AND state = 'scheduled'
                """,
                logger
            )
        }
        // An answer to a human gate wakes the instance that waits on it (ORCH8-SPEC §7.6).
        if signal.signalType.isHumanInput { try await Self.makeDue(connection, logger, instanceID: key, now: time) }
        // The node running the instance may be another: it learns of the signal from this.
        let note = Self.signalPrefix + key
        try await connection.execute("SELECT pg_notify(\(Self.channel), \(note))", logger)
        return .enqueued(state)
    }

    public func pendingSignals(instanceID: UUID) async throws -> [Signal] {
        let rows = try await rows(
            """
            SELECT \(unescaped: SignalColumns.list) FROM signals
            WHERE instance_id = \(PostgresRows.id(instanceID)) AND delivered = 0 ORDER BY seq
            """
        )
        return try rows.map { try SignalColumns(postgres: $0).decode() }
    }

    public func instancesWithPendingSignals(in states: Set<InstanceState>, limit: Int) async throws -> [UUID] {
        guard !states.isEmpty else { return [] }
        // Oldest pending signal first, so that a long backlog is swept fairly.
        let rows = try await rows(
            """
            SELECT s.instance_id FROM signals s JOIN instances i ON i.id = s.instance_id
            WHERE s.delivered = 0 AND i.state = ANY(\(states.map(\.rawValue).sorted()))
            GROUP BY s.instance_id ORDER BY MIN(s.seq) LIMIT \(PostgresPage.limit(limit))
            """
        )
        return try rows.map { try PostgresRows.uuid(try PostgresCells($0)[0], "signals.instance_id") }
    }
}
