public import Foundation
import Logging
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func createInstances(_ instances: [TaskInstance]) async throws -> [InstanceCreation] {
        guard !instances.isEmpty else { return [] }
        let rows = try instances.map(PostgresInstanceRow.init)
        // Idempotency keys are taken in one order (stable, so the first of a batch's duplicates still
        // wins), so that two batches sharing keys wait for each other instead of deadlocking.
        let order = rows.indices.sorted { a, b in
            (rows[a].tenantID, rows[a].idempotencyKey ?? "", a) < (rows[b].tenantID, rows[b].idempotencyKey ?? "", b)
        }
        let logger = logger
        let sequences = Set(instances.map { PostgresRows.id($0.sequenceID) }).sorted()
        // Rows without a key cannot be deduplicated: many in one statement.
        let plain = order.filter { rows[$0].idempotencyKey == nil }
        let keyed = order.filter { rows[$0].idempotencyKey != nil }
        let created = try await transaction { connection in
            // A sequence being deleted waits for these instances, or they for its deletion, so that
            // it never goes while it has instances it did not count.
            try await connection.execute(
                "SELECT 1 FROM sequences WHERE id = ANY(\(sequences)) ORDER BY id FOR KEY SHARE",
                logger
            )
            var results: [InstanceCreation?] = Array(repeating: nil, count: rows.count)
            var start = 0
            while start < plain.count {
                let chunk = plain[start..<min(start + 1000, plain.count)]
                var binds = PostgresBindings(capacity: chunk.count * 18)
                var values: [String] = []
                for index in chunk {
                    let first = binds.count + 1
                    try PostgresInstanceRow.append(rows[index].instance, to: &binds)
                    values.append("(" + (first..<first + 18).map { "$\($0)" }.joined(separator: ", ") + ")")
                    results[index] = .created(rows[index].id)
                }
                try await connection.execute(
                    PostgresQuery(
                        unsafeSQL: "\(PostgresInstanceRow.columnsSQL) VALUES \(values.joined(separator: ", "))",
                        binds: binds
                    ),
                    logger
                )
                start += chunk.count
            }
            for index in keyed {
                results[index] = try await Self.insertInstance(rows[index], connection, logger)
            }
            return results
        }
        return created.compactMap { $0 }
    }

    /// Inserts `row` unless its (tenant, idempotency key) is taken; a taken id fails (the caller's
    /// whole transaction).
    static func insertInstance(
        _ row: PostgresInstanceRow,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> InstanceCreation {
        // A key being inserted by another transaction makes this one wait for it, so a key is found
        // below whenever the insert did nothing.
        if try await !connection.rows(row.insert, logger).isEmpty { return .created(row.id) }
        guard let key = row.idempotencyKey,
            let found = try await connection.rows(
                "SELECT id FROM instances WHERE tenant_id = \(row.tenantID) AND idempotency_key = \(key)",
                logger
            ).first
        else { throw PostgresStoreError("instance \(row.id) was neither stored nor deduplicated") }
        return .deduplicated(try PostgresRows.uuid(try PostgresCells(found)[0], "instances.id"))
    }

    public func instance(id: UUID) async throws -> TaskInstance? {
        let rows = try await rows(
            "SELECT \(unescaped: InstanceColumns.list) FROM instances WHERE id = \(PostgresRows.id(id))"
        )
        return try rows.first.map { try InstanceColumns(postgres: $0).decode() }
    }

    public func instances(_ query: InstanceQuery) async throws -> [TaskInstance] {
        if let states = query.states, states.isEmpty { return [] }
        var conditions: [String] = []
        var bindings = PostgresBindings()
        func match(_ column: String, _ value: String?) {
            guard let value else { return }
            bindings.append(value)
            conditions.append("\(column) = $\(bindings.count)")
        }
        match("tenant_id", query.tenantID)
        match("namespace", query.namespace)
        match("sequence_id", query.sequenceID.map(PostgresRows.id))
        if let states = query.states {
            bindings.append(states.map(\.rawValue).sorted())
            conditions.append("state = ANY($\(bindings.count))")
        }
        for (key, value) in query.metadata.sorted(by: { $0.key < $1.key }) {
            // `->` with a text key rather than a JSON path: any key matches exactly, quotes and dots
            // too, and only an object's keys (an array's elements never). Only JSON strings match, so
            // the number 1 never equals the filter "1".
            bindings.append(Self.withoutNUL(key))
            bindings.append(Self.withoutNUL(value))
            let (k, v) = (bindings.count - 1, bindings.count)
            conditions.append("(jsonb_typeof(meta.document -> $\(k)) = 'string' AND meta.document ->> $\(k) = $\(v))")
        }
        let source = query.metadata.isEmpty ? "instances" : "instances, LATERAL (\(Self.metadataDocumentSQL)) AS meta"
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        bindings.append(PostgresPage.limit(query.limit))
        bindings.append(PostgresPage.offset(query.offset))
        let rows = try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(InstanceColumns.list) FROM \(source) \(filter)
                    ORDER BY updated_at DESC, id COLLATE "C" LIMIT $\(bindings.count - 1) OFFSET $\(bindings.count)
                    """,
                binds: bindings
            )
        )
        return try rows.map { try InstanceColumns(postgres: $0).decode() }
    }

    /// An instance's metadata as `document`. PostgreSQL's JSON functions refuse the escape `\u0000`
    /// (one such row would fail every filtered listing that reads it), so NUL becomes U+FFFF first:
    /// escaped backslashes step aside (as U+0001, which our serialized JSON never holds raw) so that
    /// only real escapes are replaced. Filter keys and values get the same (``withoutNUL(_:)``); NUL
    /// and U+FFFF are the one pair of characters this cannot tell apart.
    static let metadataDocumentSQL = #"""
        SELECT (CASE WHEN strpos(metadata, E'\\u0000') = 0 THEN metadata
            ELSE replace(replace(replace(metadata, E'\\\\', E'\x01'), E'\\u0000', E'\\uffff'), E'\x01', E'\\\\')
            END)::jsonb AS document
        """#

    /// `text` with NUL (which a PostgreSQL text value cannot hold) as U+FFFF, as in
    /// ``metadataDocumentSQL``.
    static func withoutNUL(_ text: String) -> String {
        text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "\u{FFFF}") : text
    }

    public func setInstanceState(
        id: UUID,
        from expected: InstanceState,
        to state: InstanceState,
        nextFireAt: Date?,
        now: Date
    ) async throws -> Bool {
        let key = PostgresRows.id(id)
        let time = PostgresRows.millis(now)
        let leaves = expected == .running && state != .running
        let logger = logger
        return try await transaction { connection in
            let changed = try await connection.rows(
                """
                UPDATE instances SET state = \(state.rawValue),
                    next_fire_at = COALESCE(\(nextFireAt.map(PostgresRows.millis)), next_fire_at), updated_at = \(time)
                    \(unescaped: leaves ? ", lease_owner = NULL, lease_until = NULL" : "")
                WHERE id = \(key) AND state = \(expected.rawValue)
                RETURNING 1
                """,
                logger
            )
            guard !changed.isEmpty else { return false }
            if state.isTerminal && !expected.isTerminal {
                try await Self.wakeParent(connection, logger, of: key, now: time)
            }
            return true
        }
    }

    public func replaceContext(id: UUID, context: ExecutionContext, now: Date) async throws -> Bool {
        let text = try PostgresRows.text(context)
        return try await !rows(
            """
            UPDATE instances SET context = \(text), updated_at = \(PostgresRows.millis(now)),
                lease_owner = CASE WHEN state = 'running' THEN NULL ELSE lease_owner END,
                lease_until = CASE WHEN state = 'running' THEN 0 ELSE lease_until END
            WHERE id = \(PostgresRows.id(id))
            RETURNING 1
            """
        ).isEmpty
    }

    public func retryInstance(id: UUID, runID: UUID, now: Date) async throws -> Bool {
        let key = PostgresRows.id(id)
        let time = PostgresRows.millis(now)
        let logger = logger
        return try await transaction { connection in
            // Locked: no commit or state change of the instance comes between the check and the reset.
            guard
                let row = try await connection.rows(
                    "SELECT state, context FROM instances WHERE id = \(key) FOR UPDATE",
                    logger
                ).first
            else { return false }
            let cells = PostgresCells(row)
            guard try cells[0, as: String.self] == InstanceState.failed.rawValue else { return false }
            var context = try PostgresRows.decode(ExecutionContext.self, try cells[1])
            context.runtime.runID = runID
            // Only the engine's markers go: completed steps keep their outputs, failed ones restart
            // their attempts from zero.
            try await connection.execute(
                "DELETE FROM block_outputs WHERE instance_id = \(key) AND output_ref = ANY(\(OutputMarker.all.sorted()))",
                logger
            )
            // Their attempts restart from zero: a failed task (or one of a node that runs again)
            // would otherwise answer the new attempt at once.
            try await connection.execute(
                """
                DELETE FROM worker_tasks WHERE instance_id = \(key) AND (state = 'failed' OR block_id IN (
                    SELECT block_id FROM execution_tree WHERE instance_id = \(key) AND state IN ('failed', 'cancelled')))
                """,
                logger
            )
            // Failed and cancelled nodes run again; completed ones keep their place in the tree.
            try await connection.execute(
                """
                UPDATE execution_tree SET state = 'pending', started_at = NULL, completed_at = NULL
                WHERE instance_id = \(key) AND state IN ('failed', 'cancelled')
                """,
                logger
            )
            try await connection.execute(
                """
                UPDATE instances SET state = 'scheduled', next_fire_at = \(time), context = \(try PostgresRows.text(context)),
                    updated_at = \(time), lease_owner = NULL, lease_until = NULL
                WHERE id = \(key)
                """,
                logger
            )
            return true
        }
    }
}

/// An instance as the values of its columns, computed outside the transaction; ``insert`` is the
/// statement `createInstances`, triggers and child instances share.
struct PostgresInstanceRow: Sendable {
    static let columnsSQL = """
        INSERT INTO instances (id, sequence_id, tenant_id, namespace, state, next_fire_at, priority, timezone,
            metadata, context, concurrency_key, max_concurrency, idempotency_key, session_id, parent_instance_id,
            budget, created_at, updated_at)
        """

    static let insertSQL =
        columnsSQL + """

            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """

    let id: UUID
    let tenantID: String
    let idempotencyKey: String?
    let binds: PostgresBindings

    /// Inserts the row, returning its id, or nothing when its (tenant, idempotency key) is taken.
    var insert: PostgresQuery { PostgresQuery(unsafeSQL: Self.insertSQL, binds: binds) }

    init(_ instance: TaskInstance) throws {
        id = instance.id
        tenantID = instance.tenantID
        idempotencyKey = instance.idempotencyKey
        self.instance = instance
        var binds = PostgresBindings(capacity: 18)
        try Self.append(instance, to: &binds)
        self.binds = binds
    }

    /// The instance the row holds (a batch insert writes several rows in one statement).
    let instance: TaskInstance

    /// The row's 18 values, in the insert's column order.
    static func append(_ instance: TaskInstance, to binds: inout PostgresBindings) throws {
        binds.append(PostgresRows.id(instance.id))
        binds.append(PostgresRows.id(instance.sequenceID))
        binds.append(instance.tenantID)
        binds.append(instance.namespace)
        binds.append(instance.state.rawValue)
        binds.append(instance.nextFireAt.map(PostgresRows.millis))
        binds.append(Int32(instance.priority.rank))
        binds.append(instance.timezone)
        binds.append(instance.metadata.serialized())
        binds.append(try PostgresRows.text(instance.context))
        binds.append(instance.concurrencyKey)
        binds.append(instance.maxConcurrency.map { Int64($0) })
        binds.append(instance.idempotencyKey)
        binds.append(instance.sessionID.map(PostgresRows.id))
        binds.append(instance.parentInstanceID.map(PostgresRows.id))
        binds.append(try instance.budget.map(PostgresRows.text))
        binds.append(PostgresRows.millis(instance.createdAt))
        binds.append(PostgresRows.millis(instance.updatedAt))
    }
}
