public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    /// Marks up to `:limit` due instances running and returns them. One range scan per priority over
    /// the partial index `instances_claim`, highest first, each stopping after `:limit` rows; the
    /// union (at most 4 × limit ids) is ordered and cut. So a claim costs O(limit), however many
    /// instances are due or waiting (DESIGN.md §2).
    static let claimSQL: String = {
        let branches = Priority.allCases.map(\.rank).sorted(by: >).map { rank in
            """
            SELECT id, \(rank) AS p, IFNULL(next_fire_at, 0) AS t FROM (
                SELECT id, next_fire_at FROM instances
                WHERE state = 'scheduled' AND priority = \(rank) AND IFNULL(next_fire_at, 0) <= :now
                ORDER BY IFNULL(next_fire_at, 0) LIMIT :limit)
            """
        }
        return """
            UPDATE instances SET state = 'running', lease_owner = :owner, lease_until = :until, updated_at = :now,
                wake_pending = 0
            WHERE id IN (
                SELECT id FROM (\(branches.joined(separator: "\nUNION ALL\n")) ORDER BY p DESC, t LIMIT :limit))
            RETURNING \(InstanceColumns.list)
            """
    }()

    /// The earliest due time per priority (an index seek each), then the earliest of those.
    static let nextDueSQL: String = {
        let branches = Priority.allCases.map(\.rank).map { rank in
            "SELECT MIN(IFNULL(next_fire_at, 0)) AS t FROM instances WHERE state = 'scheduled' AND priority = \(rank)"
        }
        return "SELECT MIN(t) FROM (\(branches.joined(separator: " UNION ALL ")))"
    }()

    public func claimDueInstances(
        now: Date,
        limit: Int,
        owner: String,
        leaseUntil: Date
    ) async throws -> [ClaimedInstance] {
        guard limit > 0 else { return [] }
        let rows = try await write { db in
            let claimed = try Row.fetchAll(
                db.cachedStatement(sql: Self.claimSQL),
                arguments: [
                    "now": SQLiteRows.millis(now), "limit": limit, "owner": owner,
                    "until": SQLiteRows.millis(leaseUntil),
                ]
            ).map(InstanceColumns.init)
            guard !claimed.isEmpty else { return ClaimRows() }
            var rows = ClaimRows(instances: claimed)
            // Cached by their text, so by the length of the IN list: a claim of one woken instance
            // (a worker's report) reuses its statements instead of preparing four each time.
            try SQLiteRows.chunked(claimed.map(\.id)) { ids in
                let list = SQLiteRows.placeholders(ids.count)
                let arguments = StatementArguments(Array(ids))
                func fetch(_ sql: String) throws -> [Row] {
                    try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
                }
                rows.outputs += try fetch(
                    "SELECT \(OutputColumns.list) FROM block_outputs WHERE instance_id IN (\(list)) ORDER BY seq"
                ).map(OutputColumns.init)
                rows.signals += try fetch(
                    """
                    SELECT \(SignalColumns.list) FROM signals
                    WHERE delivered = 0 AND instance_id IN (\(list)) ORDER BY seq
                    """
                ).map(SignalColumns.init)
                rows.state += try fetch(
                    "SELECT \(StateColumns.list) FROM instance_state WHERE instance_id IN (\(list))"
                ).map(StateColumns.init)
                rows.nodes += try fetch(
                    "SELECT \(NodeColumns.list) FROM execution_tree WHERE instance_id IN (\(list)) ORDER BY seq"
                ).map(NodeColumns.init)
                rows.tasks += try fetch(
                    "SELECT \(WorkerTaskColumns.list) FROM worker_tasks WHERE instance_id IN (\(list))"
                ).map(WorkerTaskColumns.init)
            }
            return rows
        }
        return try rows.decode()
    }

    public func renewLeases(instanceIDs: [UUID], owner: String, until: Date) async throws {
        guard !instanceIDs.isEmpty else { return }
        let ids = instanceIDs.map(SQLiteRows.id)
        try await write { db in
            try SQLiteRows.chunked(ids) { chunk in
                var values: [any DatabaseValueConvertible] = [SQLiteRows.millis(until), owner]
                values.append(contentsOf: chunk.map { $0 as any DatabaseValueConvertible })
                try db.execute(
                    sql: """
                        UPDATE instances SET lease_until = ?
                        WHERE lease_owner = ? AND state = 'running' AND id IN (\(SQLiteRows.placeholders(chunk.count)))
                        """,
                    arguments: StatementArguments(values)
                )
            }
        }
    }

    public func releaseLeases(expiredBefore now: Date, orOwnedBy owner: String?) async throws -> Int {
        try await write { db in
            let time = SQLiteRows.millis(now)
            // `state = 'running'` lets SQLite use the partial index `instances_leases`.
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
            try Int64.fetchOne(db.cachedStatement(sql: Self.nextDueSQL)).map(SQLiteRows.date)
        }
    }
}

/// What one claim read, copied out of the write transaction and decoded after it.
private struct ClaimRows: Sendable {
    var instances: [InstanceColumns] = []
    var outputs: [OutputColumns] = []
    var signals: [SignalColumns] = []
    var state: [StateColumns] = []
    var tasks: [WorkerTaskColumns] = []
    var nodes: [NodeColumns] = []

    func decode() throws -> [ClaimedInstance] {
        try ClaimAssembly.claimed(
            instances: instances,
            outputs: outputs,
            signals: signals,
            state: state,
            tasks: try tasks.map { try $0.decode() },
            nodes: nodes
        )
    }
}
