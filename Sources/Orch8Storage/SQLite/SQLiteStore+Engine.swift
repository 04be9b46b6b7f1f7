public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func claimDueInstances(
        now: Date,
        limit: Int,
        owner: String,
        leaseUntil: Date
    ) async throws -> [ClaimedInstance] {
        try await write { db in
            let claimed = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE instances SET state = 'running', lease_owner = ?, lease_until = ?, updated_at = ?
                        WHERE id IN (
                            SELECT id FROM instances
                            WHERE state = 'scheduled' AND (next_fire_at IS NULL OR next_fire_at <= ?)
                            ORDER BY priority DESC, next_fire_at ASC LIMIT ?)
                        RETURNING *
                        """
                ),
                arguments: [
                    owner, SQLiteRows.millis(leaseUntil), SQLiteRows.millis(now), SQLiteRows.millis(now), limit,
                ]
            ).map(SQLiteRows.instance)
            guard !claimed.isEmpty else { return [] }
            let ids = claimed.map { SQLiteRows.id($0.id) }
            let list = SQLiteRows.placeholders(ids.count)
            let arguments = StatementArguments(ids)
            var outputs: [UUID: [BlockOutput]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT * FROM block_outputs WHERE instance_id IN (\(list)) ORDER BY seq",
                arguments: arguments
            ) {
                let output = try SQLiteRows.output(row)
                outputs[output.instanceID, default: []].append(output)
            }
            var signals: [UUID: [Signal]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT * FROM signals WHERE delivered = 0 AND instance_id IN (\(list)) ORDER BY seq",
                arguments: arguments
            ) {
                let signal = try SQLiteRows.signal(row)
                signals[signal.instanceID, default: []].append(signal)
            }
            var state: [UUID: [String: JSON]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT * FROM instance_state WHERE instance_id IN (\(list))",
                arguments: arguments
            ) {
                let id = try SQLiteRows.uuid(row, "instance_id")
                state[id, default: [:]][row["key"] as String] = try JSON.parse(row["value"] as String)
            }
            // RETURNING gives no order: hand instances out in claim order.
            let ordered = claimed.sorted { a, b in
                a.priority != b.priority
                    ? a.priority > b.priority : (a.nextFireAt ?? .distantPast) < (b.nextFireAt ?? .distantPast)
            }
            return ordered.map {
                ClaimedInstance(
                    instance: $0,
                    outputs: outputs[$0.id] ?? [],
                    pendingSignals: signals[$0.id] ?? [],
                    state: state[$0.id] ?? [:]
                )
            }
        }
    }

    public func renewLeases(instanceIDs: [UUID], owner: String, until: Date) async throws {
        guard !instanceIDs.isEmpty else { return }
        try await write { db in
            for chunk in stride(from: 0, to: instanceIDs.count, by: 500) {
                let ids = instanceIDs[chunk..<min(chunk + 500, instanceIDs.count)].map(SQLiteRows.id)
                var values: [(any DatabaseValueConvertible)?] = [SQLiteRows.millis(until), owner]
                values.append(contentsOf: ids)
                let arguments = StatementArguments(values)
                try db.execute(
                    sql: """
                        UPDATE instances SET lease_until = ?
                        WHERE lease_owner = ? AND state = 'running' AND id IN (\(SQLiteRows.placeholders(ids.count)))
                        """,
                    arguments: arguments
                )
            }
        }
    }

    public func releaseLeases(expiredBefore now: Date, orOwnedBy owner: String?) async throws -> Int {
        try await write { db in
            let time = SQLiteRows.millis(now)
            try db.execute(
                sql: """
                    UPDATE instances SET state = 'scheduled', next_fire_at = ?, updated_at = ?,
                        lease_owner = NULL, lease_until = NULL
                    WHERE state = 'running' AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)
                    """,
                arguments: [time, time, time, owner]
            )
            return db.changesCount
        }
    }

    public func nextDueTime() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_fire_at) FROM instances WHERE state = 'scheduled'")
                .map(SQLiteRows.date)
        }
    }

    public func commit(_ updates: [InstanceUpdate]) async throws -> [Bool] {
        guard !updates.isEmpty else { return [] }
        let prepared = try updates.map(PreparedUpdate.init)
        return try await write { db in try prepared.map { try $0.apply(db) } }
    }
}

/// An update with its JSON serialized before the write transaction, so the writer holds the lock
/// only for the statements.
private struct PreparedUpdate: Sendable {
    let update: InstanceUpdate
    let id: String
    let context: String?
    let metadata: String?
    let outputs: [[DatabaseValue]]
    let stateWrites: [(key: String, value: String?)]

    init(_ update: InstanceUpdate) throws {
        self.update = update
        id = SQLiteRows.id(update.instanceID)
        context = try update.context.map(SQLiteRows.text)
        metadata = update.metadata?.serialized()
        outputs = update.outputs.map { output in
            let values: [(any DatabaseValueConvertible)?] = [
                SQLiteRows.id(output.id), SQLiteRows.id(output.instanceID), output.blockID, output.output.serialized(),
                output.outputRef, output.outputSize, Int64(output.attempt), SQLiteRows.millis(output.createdAt),
            ]
            return values.map { $0?.databaseValue ?? .null }
        }
        stateWrites = update.stateWrites.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map { $0.serialized() }) }
    }

    /// Applies the update if its compare-and-set holds; every statement is cached per connection.
    func apply(_ db: Database) throws -> Bool {
        let now = SQLiteRows.millis(update.now)
        var sets = ["updated_at = ?"]
        var values: [(any DatabaseValueConvertible)?] = [now]
        if let state = update.state {
            sets.append("state = ?")
            values.append(state.rawValue)
        }
        if update.setsNextFireAt {
            sets.append("next_fire_at = ?")
            values.append(update.nextFireAt.map(SQLiteRows.millis))
        }
        if let context {
            sets.append("context = ?")
            values.append(context)
        }
        if let metadata {
            sets.append("metadata = ?")
            values.append(metadata)
        }
        if update.releasesLease { sets.append("lease_owner = NULL, lease_until = NULL") }
        var condition = "id = ? AND state = ?"
        values.append(id)
        values.append(update.expectedState.rawValue)
        if let owner = update.leaseOwner {
            condition += " AND lease_owner = ?"
            values.append(owner)
        }
        // The shape of the statement depends only on which parts are present: few distinct shapes,
        // each prepared once.
        let statement = try db.cachedStatement(
            sql: "UPDATE instances SET \(sets.joined(separator: ", ")) WHERE \(condition)"
        )
        try statement.execute(arguments: StatementArguments(values))
        guard db.changesCount > 0 else { return false }

        if !outputs.isEmpty {
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO block_outputs (id, instance_id, block_id, output, output_ref, output_size, attempt, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for output in outputs { try insert.execute(arguments: StatementArguments(output)) }
        }
        if update.clearsState {
            try db.cachedStatement(sql: "DELETE FROM instance_state WHERE instance_id = ?").execute(arguments: [id])
        }
        if !stateWrites.isEmpty {
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO instance_state (instance_id, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value
                    """
            )
            let delete = try db.cachedStatement(sql: "DELETE FROM instance_state WHERE instance_id = ? AND key = ?")
            for write in stateWrites {
                if let value = write.value {
                    try upsert.execute(arguments: [id, write.key, value])
                } else {
                    try delete.execute(arguments: [id, write.key])
                }
            }
        }
        if !update.deliveredSignals.isEmpty {
            let deliver = try db.cachedStatement(
                sql: "UPDATE signals SET delivered = 1, delivered_at = ? WHERE id = ? AND instance_id = ?"
            )
            for signal in update.deliveredSignals {
                try deliver.execute(arguments: [now, SQLiteRows.id(signal), id])
            }
        }
        return true
    }
}
