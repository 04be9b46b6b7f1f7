public import Foundation
import Logging
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    /// Up to `$3` due instances, highest priority first and earliest within one: one index range scan
    /// per priority (a LATERAL join, because FOR UPDATE does not combine with UNION), each stopping
    /// after `$3` rows. SKIP LOCKED lets several nodes claim at once without waiting on or taking each
    /// other's rows.
    static let claimSQL: String = {
        let ranks = Priority.allCases.map(\.rank).sorted(by: >).map { "(\($0))" }.joined(separator: ", ")
        return """
            WITH picked AS (
                SELECT due.id, ranks.p, due.t FROM (VALUES \(ranks)) AS ranks(p)
                CROSS JOIN LATERAL (
                    SELECT id, COALESCE(next_fire_at, 0) AS t FROM instances
                    WHERE state = 'scheduled' AND priority = ranks.p AND COALESCE(next_fire_at, 0) <= $1
                    ORDER BY COALESCE(next_fire_at, 0) LIMIT $3 FOR UPDATE SKIP LOCKED) AS due
                ORDER BY ranks.p DESC, due.t LIMIT $3)
            UPDATE instances SET state = 'running', lease_owner = $2, lease_until = $4, updated_at = $1,
                wake_pending = 0
            FROM picked WHERE instances.id = picked.id
            RETURNING \(InstanceColumns.list.split(separator: ",").map { "instances." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            """
    }()

    static let nextDueSQL: String = {
        let branches = Priority.allCases.map(\.rank).map { rank in
            "SELECT MIN(COALESCE(next_fire_at, 0)) AS t FROM instances WHERE state = 'scheduled' AND priority = \(rank)"
        }
        return "SELECT MIN(t) FROM (\(branches.joined(separator: " UNION ALL "))) AS earliest"
    }()

    public func claimDueInstances(
        now: Date,
        limit: Int,
        owner: String,
        leaseUntil: Date
    ) async throws -> [ClaimedInstance] {
        guard limit > 0 else { return [] }
        let logger = logger
        var binds = PostgresBindings(capacity: 4)
        binds.append(PostgresRows.millis(now))
        binds.append(owner)
        binds.append(Int64(limit))
        binds.append(PostgresRows.millis(leaseUntil))
        let claim = PostgresQuery(unsafeSQL: Self.claimSQL, binds: binds)
        // The claim commits on its own: the reads after it see committed rows, and nothing else
        // changes a running instance's rows but its lease holder.
        let claimed = try await rows(claim).map(InstanceColumns.init(postgres:))
        guard !claimed.isEmpty else { return [] }
        let ids = claimed.map(\.id)
        var rows = PostgresClaimRows(instances: claimed)
        try await client.withConnection { connection in
            rows.outputs = try await connection.rows(
                "SELECT \(unescaped: OutputColumns.list) FROM block_outputs WHERE instance_id = ANY(\(ids)) ORDER BY seq",
                logger
            ).map(OutputColumns.init(postgres:))
            rows.signals = try await connection.rows(
                """
                SELECT \(unescaped: SignalColumns.list) FROM signals
                WHERE delivered = 0 AND instance_id = ANY(\(ids)) ORDER BY seq
                """,
                logger
            ).map(SignalColumns.init(postgres:))
            rows.state = try await connection.rows(
                "SELECT \(unescaped: StateColumns.list) FROM instance_state WHERE instance_id = ANY(\(ids))",
                logger
            ).map(StateColumns.init(postgres:))
            rows.nodes = try await connection.rows(
                "SELECT \(unescaped: NodeColumns.list) FROM execution_tree WHERE instance_id = ANY(\(ids)) ORDER BY seq",
                logger
            ).map(NodeColumns.init(postgres:))
            rows.tasks = try await connection.rows(
                "SELECT \(unescaped: PostgresWorkerRows.columns) FROM worker_tasks WHERE instance_id = ANY(\(ids))",
                logger
            ).map(PostgresWorkerRows.task)
        }
        return try rows.decode()
    }

    public func renewLeases(instanceIDs: [UUID], owner: String, until: Date) async throws {
        guard !instanceIDs.isEmpty else { return }
        let ids = instanceIDs.map(PostgresRows.id)
        try await execute(
            """
            UPDATE instances SET lease_until = \(PostgresRows.millis(until))
            WHERE lease_owner = \(owner) AND state = 'running' AND id = ANY(\(ids))
            """
        )
    }

    public func releaseLeases(expiredBefore now: Date, orOwnedBy owner: String?) async throws -> Int {
        let time = PostgresRows.millis(now)
        let released = try await rows(
            """
            UPDATE instances SET state = 'scheduled', next_fire_at = \(time), updated_at = \(time),
                lease_owner = NULL, lease_until = NULL
            WHERE state = 'running' AND (lease_until IS NULL OR lease_until < \(time) OR lease_owner = \(owner))
            RETURNING id
            """
        )
        if !released.isEmpty { try await notifyWork() }
        return released.count
    }

    public func nextDueTime() async throws -> Date? {
        guard let row = try await rows(PostgresQuery(unsafeSQL: Self.nextDueSQL)).first else { return nil }
        let millis: Int64? = try PostgresCells(row)[0]
        return millis.map(PostgresRows.date)
    }
}

/// What one claim read, decoded after the reads.
private struct PostgresClaimRows: Sendable {
    var instances: [InstanceColumns] = []
    var outputs: [OutputColumns] = []
    var signals: [SignalColumns] = []
    var state: [StateColumns] = []
    var tasks: [WorkerTask] = []
    var nodes: [NodeColumns] = []

    func decode() throws -> [ClaimedInstance] {
        try ClaimAssembly.claimed(
            instances: instances,
            outputs: outputs,
            signals: signals,
            state: state,
            tasks: tasks,
            nodes: nodes
        )
    }
}
