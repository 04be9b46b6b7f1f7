public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func createCronSchedule(_ schedule: CronSchedule) async throws {
        let values = CronScheduleRow(schedule).values
        try await write { db in
            try db.execute(
                sql: "INSERT INTO cron_schedules (\(CronScheduleRow.list)) VALUES (\(SQLiteRows.placeholders(15)))",
                arguments: StatementArguments(values)
            )
        }
    }

    public func cronSchedule(id: UUID) async throws -> CronSchedule? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(CronScheduleRow.list) FROM cron_schedules WHERE id = ?",
                arguments: [SQLiteRows.id(id)]
            ).map(CronScheduleRow.schedule)
        }
    }

    public func cronSchedules(tenantID: String?, limit: Int) async throws -> [CronSchedule] {
        try await read { db in
            if let tenantID {
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(CronScheduleRow.list) FROM cron_schedules WHERE tenant_id = ?
                        ORDER BY created_at, id LIMIT ?
                        """,
                    arguments: [tenantID, limit]
                ).map(CronScheduleRow.schedule)
            }
            return try Row.fetchAll(
                db,
                sql: "SELECT \(CronScheduleRow.list) FROM cron_schedules ORDER BY created_at, id LIMIT ?",
                arguments: [limit]
            ).map(CronScheduleRow.schedule)
        }
    }

    public func updateCronSchedule(_ schedule: CronSchedule, rescheduled: Bool) async throws -> Bool {
        let arguments: StatementArguments = [
            schedule.cronExpr, schedule.timezone, schedule.enabled, schedule.metadata.serialized(),
            schedule.overlapPolicy.rawValue, rescheduled, schedule.nextFireAt.map(SQLiteRows.millis),
            SQLiteRows.millis(schedule.updatedAt), SQLiteRows.id(schedule.id),
        ]
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE cron_schedules SET cron_expr = ?, timezone = ?, enabled = ?, metadata = ?,
                        overlap_policy = ?, next_fire_at = CASE WHEN ? THEN ? ELSE next_fire_at END, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: arguments
            )
            return db.changesCount > 0
        }
    }

    public func deleteCronSchedule(id: UUID) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM cron_schedules WHERE id = ?", arguments: [SQLiteRows.id(id)])
            return db.changesCount > 0
        }
    }

    /// One write transaction for the whole batch: SQLite's single writer already keeps two handles
    /// (or two processes) on one file from taking the same fire.
    public func fireDueCronSchedules(now: Date, limit: Int, recheckAt: Date) async throws -> [CronFiring] {
        let nowMillis = SQLiteRows.millis(now)
        return try await write { db in
            let due = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(CronScheduleRow.list) FROM cron_schedules
                    WHERE enabled = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= ?
                    ORDER BY next_fire_at, id LIMIT ?
                    """,
                arguments: [nowMillis, limit]
            ).map(CronScheduleRow.schedule)
            return try due.map { try Self.fire($0, db, now: now, recheckAt: recheckAt) }
        }
    }

    /// Applies one due fire of `schedule` inside the caller's transaction.
    private static func fire(_ schedule: CronSchedule, _ db: Database, now: Date, recheckAt: Date) throws -> CronFiring
    {
        let id = SQLiteRows.id(schedule.id)
        let nowMillis = SQLiteRows.millis(now)
        let next = schedule.nextFire(after: now).map(SQLiteRows.millis)
        func firing(_ outcome: CronFiring.Outcome) -> CronFiring {
            CronFiring(scheduleID: schedule.id, tenantID: schedule.tenantID, outcome: outcome)
        }
        let sequence = SQLiteRows.id(schedule.sequenceID)
        guard try Int.fetchOne(db, sql: "SELECT 1 FROM sequences WHERE id = ?", arguments: [sequence]) != nil else {
            try db.execute(sql: "UPDATE cron_schedules SET next_fire_at = ? WHERE id = ?", arguments: [next, id])
            return firing(.sequenceMissing)
        }
        // The schedule's id in the metadata text narrows the rows; parsing confirms it is the key's value.
        let candidates = try Row.fetchAll(
            db,
            sql: """
                SELECT id, metadata FROM instances
                WHERE sequence_id = ? AND state IN ('scheduled', 'running', 'waiting', 'paused')
                    AND instr(metadata, ?) > 0
                ORDER BY id
                """,
            arguments: [sequence, id]
        )
        var active: [UUID] = []
        for row in candidates {
            let metadata = try JSON.parse(row["metadata"] as String)
            if metadata[CronSchedule.metadataKey]?.stringValue == id {
                active.append(try SQLiteRows.uuid(row["id"], "instances.id"))
            }
        }
        switch schedule.overlapPolicy.decide(active: active) {
        case .start(let cancelling):
            let instance = schedule.instance(now: now)
            try db.cachedStatement(sql: InstanceRow.insertSQL).execute(arguments: try InstanceRow(instance).arguments)
            try db.execute(
                sql: "UPDATE cron_schedules SET next_fire_at = ?, last_triggered_at = ? WHERE id = ?",
                arguments: [next, nowMillis, id]
            )
            // The cancels commit with the fire: a crash cannot leave the old run going beside the new.
            var cancelled: [UUID] = []
            for previous in cancelling {
                if case .enqueued = try SQLiteStore.enqueueSignal(.cancel(previous, at: now), db, now: now) {
                    cancelled.append(previous)
                }
            }
            return firing(.started(instanceID: instance.id, cancelling: cancelled))
        case .skip:
            try db.execute(
                sql: """
                    UPDATE cron_schedules SET next_fire_at = ?, skipped_fires = skipped_fires + 1, last_skipped_at = ?
                    WHERE id = ?
                    """,
                arguments: [next, nowMillis, id]
            )
            return firing(.skipped)
        case .wait:
            try db.execute(
                sql: "UPDATE cron_schedules SET next_fire_at = ? WHERE id = ?",
                arguments: [SQLiteRows.millis(recheckAt), id]
            )
            return firing(.waiting)
        }
    }
}

/// A cron schedule as column values, in ``list`` order.
private struct CronScheduleRow {
    static let list = """
        id, tenant_id, namespace, sequence_id, cron_expr, timezone, enabled, metadata, overlap_policy,
        skipped_fires, last_skipped_at, last_triggered_at, next_fire_at, created_at, updated_at
        """

    let values: [DatabaseValue]

    init(_ schedule: CronSchedule) {
        let raw: [(any DatabaseValueConvertible)?] = [
            SQLiteRows.id(schedule.id), schedule.tenantID, schedule.namespace, SQLiteRows.id(schedule.sequenceID),
            schedule.cronExpr, schedule.timezone, schedule.enabled, schedule.metadata.serialized(),
            schedule.overlapPolicy.rawValue, schedule.skippedFires, schedule.lastSkippedAt.map(SQLiteRows.millis),
            schedule.lastTriggeredAt.map(SQLiteRows.millis), schedule.nextFireAt.map(SQLiteRows.millis),
            SQLiteRows.millis(schedule.createdAt), SQLiteRows.millis(schedule.updatedAt),
        ]
        values = raw.map { $0?.databaseValue ?? .null }
    }

    /// Reads a row selected with ``list``.
    @inline(never) static func schedule(_ row: Row) throws -> CronSchedule {
        let id: String = row["id"]
        let policy: String = row["overlap_policy"]
        guard let overlapPolicy = CronOverlapPolicy(rawValue: policy) else {
            throw SQLiteStoreError("corrupt overlap_policy '\(policy)' of cron schedule \(id)")
        }
        let lastSkipped: Int64? = row["last_skipped_at"]
        let lastTriggered: Int64? = row["last_triggered_at"]
        let next: Int64? = row["next_fire_at"]
        return CronSchedule(
            id: try SQLiteRows.uuid(id, "cron_schedules.id"),
            tenantID: row["tenant_id"],
            namespace: row["namespace"],
            sequenceID: try SQLiteRows.uuid(row["sequence_id"], "cron_schedules.sequence_id"),
            cronExpr: row["cron_expr"],
            timezone: row["timezone"],
            enabled: row["enabled"],
            metadata: try JSON.parse(row["metadata"] as String),
            overlapPolicy: overlapPolicy,
            skippedFires: row["skipped_fires"],
            lastSkippedAt: lastSkipped.map(SQLiteRows.date),
            lastTriggeredAt: lastTriggered.map(SQLiteRows.date),
            nextFireAt: next.map(SQLiteRows.date),
            createdAt: SQLiteRows.date(row["created_at"]),
            updatedAt: SQLiteRows.date(row["updated_at"])
        )
    }
}
