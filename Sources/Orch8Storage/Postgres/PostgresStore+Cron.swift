public import Foundation
import Logging
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func createCronSchedule(_ schedule: CronSchedule) async throws {
        let row = PostgresCronRow(schedule)
        try await execute(
            """
            INSERT INTO cron_schedules (\(unescaped: PostgresCronRow.list))
            VALUES (\(row.id), \(row.tenantID), \(row.namespace), \(row.sequenceID), \(row.cronExpr), \(row.timezone),
                \(row.enabled), \(row.metadata), \(row.overlapPolicy), \(row.skippedFires), \(row.lastSkippedAt),
                \(row.lastTriggeredAt), \(row.nextFireAt), \(row.createdAt), \(row.updatedAt))
            """
        )
    }

    public func cronSchedule(id: UUID) async throws -> CronSchedule? {
        let rows = try await rows(
            "SELECT \(unescaped: PostgresCronRow.list) FROM cron_schedules WHERE id = \(PostgresRows.id(id))"
        )
        return try rows.first.map(PostgresCronRow.schedule)
    }

    public func cronSchedules(tenantID: String?, limit: Int) async throws -> [CronSchedule] {
        let rows: [PostgresRow]
        if let tenantID {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresCronRow.list) FROM cron_schedules WHERE tenant_id = \(tenantID)
                ORDER BY created_at, id COLLATE "C" LIMIT \(PostgresPage.limit(limit))
                """
            )
        } else {
            rows = try await self.rows(
                """
                SELECT \(unescaped: PostgresCronRow.list) FROM cron_schedules
                ORDER BY created_at, id COLLATE "C" LIMIT \(PostgresPage.limit(limit))
                """
            )
        }
        return try rows.map(PostgresCronRow.schedule)
    }

    public func updateCronSchedule(_ schedule: CronSchedule, rescheduled: Bool) async throws -> Bool {
        let row = PostgresCronRow(schedule)
        return try await !rows(
            """
            UPDATE cron_schedules SET cron_expr = \(row.cronExpr), timezone = \(row.timezone), enabled = \(row.enabled),
                metadata = \(row.metadata), overlap_policy = \(row.overlapPolicy),
                next_fire_at = CASE WHEN \(rescheduled) THEN \(row.nextFireAt) ELSE next_fire_at END,
                updated_at = \(row.updatedAt)
            WHERE id = \(row.id) RETURNING 1
            """
        ).isEmpty
    }

    public func deleteCronSchedule(id: UUID) async throws -> Bool {
        try await !rows("DELETE FROM cron_schedules WHERE id = \(PostgresRows.id(id)) RETURNING 1").isEmpty
    }

    /// One transaction for the batch. `FOR UPDATE SKIP LOCKED` hands each due schedule to one node:
    /// another node's loop passes over the rows this one holds, and finds them no longer due once it
    /// commits.
    public func fireDueCronSchedules(now: Date, limit: Int, recheckAt: Date) async throws -> [CronFiring] {
        let logger = logger
        let nowMillis = PostgresRows.millis(now)
        return try await transaction { connection in
            let due = try await connection.rows(
                """
                SELECT \(unescaped: PostgresCronRow.list) FROM cron_schedules
                WHERE enabled = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= \(nowMillis)
                ORDER BY next_fire_at, id COLLATE "C" LIMIT \(PostgresPage.limit(limit))
                FOR UPDATE SKIP LOCKED
                """,
                logger
            ).map(PostgresCronRow.schedule)
            var firings: [CronFiring] = []
            for schedule in due {
                firings.append(try await Self.fire(schedule, connection, logger, now: now, recheckAt: recheckAt))
            }
            return firings
        }
    }

    /// Applies one due fire of `schedule` inside the caller's transaction.
    private static func fire(
        _ schedule: CronSchedule,
        _ connection: PostgresConnection,
        _ logger: Logger,
        now: Date,
        recheckAt: Date
    ) async throws -> CronFiring {
        let id = PostgresRows.id(schedule.id)
        let nowMillis = PostgresRows.millis(now)
        let next = schedule.nextFire(after: now).map(PostgresRows.millis)
        func firing(_ outcome: CronFiring.Outcome) -> CronFiring {
            CronFiring(scheduleID: schedule.id, tenantID: schedule.tenantID, outcome: outcome)
        }
        // As `createInstances` does: the sequence cannot be deleted under the instance started here.
        let sequence = PostgresRows.id(schedule.sequenceID)
        let found = try await connection.rows("SELECT 1 FROM sequences WHERE id = \(sequence) FOR KEY SHARE", logger)
        guard !found.isEmpty else {
            try await connection.execute(
                "UPDATE cron_schedules SET next_fire_at = \(next) WHERE id = \(id)",
                logger
            )
            return firing(.sequenceMissing)
        }
        // The schedule's id in the metadata text narrows the rows; parsing confirms it is the key's value.
        let states = CronSchedule.activeStates.map(\.rawValue).sorted()
        let candidates = try await connection.rows(
            """
            SELECT id, metadata FROM instances
            WHERE sequence_id = \(sequence) AND state = ANY(\(states)) AND strpos(metadata, \(id)) > 0
            ORDER BY id
            """,
            logger
        )
        var active: [UUID] = []
        for row in candidates {
            let cells = PostgresCells(row)
            let metadata = try JSON.parse(try cells[1, as: String.self])
            if metadata[CronSchedule.metadataKey]?.stringValue == id {
                active.append(try PostgresRows.uuid(try cells[0], "instances.id"))
            }
        }
        switch schedule.overlapPolicy.decide(active: active) {
        case .start(let cancelling):
            let instance = schedule.instance(now: now)
            _ = try await insertInstance(try PostgresInstanceRow(instance), connection, logger)
            try await connection.execute(
                "UPDATE cron_schedules SET next_fire_at = \(next), last_triggered_at = \(nowMillis) WHERE id = \(id)",
                logger
            )
            // The cancels commit with the fire: a crash cannot leave the old run going beside the new.
            var cancelled: [UUID] = []
            for previous in cancelling {
                if case .enqueued = try await enqueueSignal(.cancel(previous, at: now), connection, logger, now: now) {
                    cancelled.append(previous)
                }
            }
            return firing(.started(instanceID: instance.id, cancelling: cancelled))
        case .skip:
            try await connection.execute(
                """
                UPDATE cron_schedules SET next_fire_at = \(next), skipped_fires = skipped_fires + 1,
                    last_skipped_at = \(nowMillis)
                WHERE id = \(id)
                """,
                logger
            )
            return firing(.skipped)
        case .wait:
            try await connection.execute(
                "UPDATE cron_schedules SET next_fire_at = \(PostgresRows.millis(recheckAt)) WHERE id = \(id)",
                logger
            )
            return firing(.waiting)
        }
    }
}

/// A cron schedule as column values, in ``list`` order.
private struct PostgresCronRow {
    static let list = """
        id, tenant_id, namespace, sequence_id, cron_expr, timezone, enabled, metadata, overlap_policy,
        skipped_fires, last_skipped_at, last_triggered_at, next_fire_at, created_at, updated_at
        """

    let id: String
    let tenantID: String
    let namespace: String
    let sequenceID: String
    let cronExpr: String
    let timezone: String
    let enabled: Int32
    let metadata: String
    let overlapPolicy: String
    let skippedFires: Int64
    let lastSkippedAt: Int64?
    let lastTriggeredAt: Int64?
    let nextFireAt: Int64?
    let createdAt: Int64
    let updatedAt: Int64

    init(_ schedule: CronSchedule) {
        id = PostgresRows.id(schedule.id)
        tenantID = schedule.tenantID
        namespace = schedule.namespace
        sequenceID = PostgresRows.id(schedule.sequenceID)
        cronExpr = schedule.cronExpr
        timezone = schedule.timezone
        enabled = schedule.enabled ? 1 : 0
        metadata = schedule.metadata.serialized()
        overlapPolicy = schedule.overlapPolicy.rawValue
        skippedFires = schedule.skippedFires
        lastSkippedAt = schedule.lastSkippedAt.map(PostgresRows.millis)
        lastTriggeredAt = schedule.lastTriggeredAt.map(PostgresRows.millis)
        nextFireAt = schedule.nextFireAt.map(PostgresRows.millis)
        createdAt = PostgresRows.millis(schedule.createdAt)
        updatedAt = PostgresRows.millis(schedule.updatedAt)
    }

    /// Reads a row selected with ``list``.
    static func schedule(_ row: PostgresRow) throws -> CronSchedule {
        let cells = PostgresCells(row)
        let id: String = try cells[0]
        let policy: String = try cells[8]
        guard let overlapPolicy = CronOverlapPolicy(rawValue: policy) else {
            throw PostgresStoreError("corrupt overlap_policy '\(policy)' of cron schedule \(id)")
        }
        return CronSchedule(
            id: try PostgresRows.uuid(id, "cron_schedules.id"),
            tenantID: try cells[1],
            namespace: try cells[2],
            sequenceID: try PostgresRows.uuid(try cells[3], "cron_schedules.sequence_id"),
            cronExpr: try cells[4],
            timezone: try cells[5],
            enabled: try cells[6, as: Int32.self] != 0,
            metadata: try JSON.parse(try cells[7, as: String.self]),
            overlapPolicy: overlapPolicy,
            skippedFires: try cells[9],
            lastSkippedAt: try cells[10, as: Int64?.self].map(PostgresRows.date),
            lastTriggeredAt: try cells[11, as: Int64?.self].map(PostgresRows.date),
            nextFireAt: try cells[12, as: Int64?.self].map(PostgresRows.date),
            createdAt: PostgresRows.date(try cells[13]),
            updatedAt: PostgresRows.date(try cells[14])
        )
    }
}
