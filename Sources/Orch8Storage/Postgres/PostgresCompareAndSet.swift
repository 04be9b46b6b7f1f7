import Foundation
import Logging
import Orch8Core
import PostgresNIO

/// The compare-and-set of one instance row, as the values of one row of ``PostgresCompareAndSet``'s
/// batch, with the outputs that are inserted only if it holds.
struct PostgresCASRow: Sendable {
    /// How `state` and `next_fire_at` are written.
    enum Mode: Int64 {
        /// `state` (if given) and `next_fire_at` (if `setsFire`) as they are.
        case plain = 0
        /// Parked waiting: a wake that came while the instance ran makes it due now instead.
        case waits = 1
        /// Parked on a timer: a wake that came while it ran makes it due now.
        case timer = 2
    }

    let id: String
    let expected: String
    let owner: String?
    let mode: Mode
    let state: String?
    let setsFire: Bool
    let fire: Int64?
    let context: String?
    let metadata: String?
    let releases: Bool
    let now: Int64
    /// The update ends the instance, so its parent (if any) is locked with it, to be woken.
    let ends: Bool
    /// The outputs inserted with the compare-and-set; empty when they are too many to share its
    /// statement (``PostgresCompareAndSet/fits(_:)``) and are inserted after it instead.
    let outputs: [BlockOutput]

    /// The statement's bind parameters this row takes.
    var bindCount: Int { PostgresCompareAndSet.rowBinds + outputs.count * PostgresCompareAndSet.outputBinds }

    init(_ update: InstanceUpdate) throws {
        id = PostgresRows.id(update.instanceID)
        expected = update.expectedState.rawValue
        owner = update.leaseOwner
        now = PostgresRows.millis(update.now)
        let fireAt = update.nextFireAt.map(PostgresRows.millis)
        if update.state == .waiting {
            mode = .waits
            state = nil
            setsFire = true
            fire = update.setsNextFireAt ? fireAt : nil
        } else if update.state == .scheduled, update.setsNextFireAt {
            mode = .timer
            state = InstanceState.scheduled.rawValue
            setsFire = true
            fire = fireAt
        } else {
            mode = .plain
            state = update.state?.rawValue
            setsFire = update.setsNextFireAt
            fire = update.setsNextFireAt ? fireAt : nil
        }
        context = try update.context.map(PostgresRows.text)
        metadata = update.metadata?.serialized()
        releases = update.releasesLease
        ends = update.state?.isTerminal == true
        let shares = PostgresCompareAndSet.fits(update.outputs.count)
        outputs = shares ? update.outputs : []
    }
}

/// Many instances' compare-and-sets, and the outputs of those that hold, in one statement: a commit
/// of a whole wave of step results is one round trip instead of one per instance.
///
/// The rows are locked in instance id order first (the order lease renewals and worker reports
/// lock them in), together with the parents of the rows whose update ends them, so that the
/// parents' wakes later in the transaction take no lock out of that order and concurrent
/// transactions cannot deadlock on each other. The statement returns the id and parent of every
/// row whose compare-and-set held; an id must appear once per batch, since one UPDATE changes a
/// row at most once.
enum PostgresCompareAndSet {
    private static let valueColumns =
        "id, expected, owner, mode, state, sets_fire, fire, context, metadata, releases, now, ends"
    private static let valueTypes = [
        "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT", "BOOLEAN", "BIGINT", "TEXT", "TEXT", "BOOLEAN", "BIGINT", "BOOLEAN",
    ]
    private static let outputColumns =
        "ord, update_id, id, instance_id, block_id, output, output_ref, output_size, attempt, created_at, cost"
    private static let outputTypes = [
        "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "TEXT",
    ]
    static let rowBinds = valueTypes.count
    static let outputBinds = outputTypes.count
    /// Below PostgreSQL's 65,535 bind parameters per statement.
    static let maxBinds = 60_000

    /// Whether an update with this many outputs fits one statement with its compare-and-set.
    static func fits(_ outputs: Int) -> Bool { rowBinds + outputs * outputBinds <= maxBinds }

    /// Reads as SQLite's single-row statements do (``PostgresUpdate``): a wake flagged while the
    /// instance ran turns a park into due-now, and every SET reads the row as it was.
    private static let assignments = """
        state = CASE WHEN v.mode = 1 THEN (CASE WHEN i.wake_pending = 1 THEN 'scheduled' ELSE 'waiting' END)
            ELSE COALESCE(v.state, i.state) END,
        next_fire_at = CASE WHEN v.mode > 0 AND i.wake_pending = 1 THEN v.now
            WHEN v.sets_fire THEN v.fire ELSE i.next_fire_at END,
        wake_pending = CASE WHEN v.mode > 0 THEN 0 ELSE i.wake_pending END,
        context = COALESCE(v.context, i.context),
        metadata = COALESCE(v.metadata, i.metadata),
        lease_owner = CASE WHEN v.releases THEN NULL ELSE i.lease_owner END,
        lease_until = CASE WHEN v.releases THEN NULL ELSE i.lease_until END,
        updated_at = v.now
        """

    static func query(_ rows: [PostgresCASRow]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: rows.reduce(0) { $0 + $1.bindCount })
        var values: [String] = []
        for row in rows {
            binds.append(row.id)
            binds.append(row.expected)
            binds.append(row.owner)
            binds.append(row.mode.rawValue)
            binds.append(row.state)
            binds.append(row.setsFire)
            binds.append(row.fire)
            binds.append(row.context)
            binds.append(row.metadata)
            binds.append(row.releases)
            binds.append(row.now)
            binds.append(row.ends)
            values.append(tuple(binds.count, valueTypes))
        }
        let outputs = outputTuples(rows.flatMap { row in row.outputs.map { (row.id, $0) } }, &binds)
        var sql = """
            WITH v (\(valueColumns)) AS (VALUES \(values.joined(separator: ", "))),
            locked AS MATERIALIZED (
                SELECT instances.id FROM instances
                WHERE instances.id IN (
                    SELECT id FROM v
                    UNION SELECT child.parent_instance_id FROM instances AS child JOIN v ON child.id = v.id
                    WHERE v.ends AND child.parent_instance_id IS NOT NULL)
                ORDER BY instances.id FOR UPDATE OF instances),
            cas AS (
                UPDATE instances AS i SET \(assignments)
                FROM v WHERE i.id = v.id AND i.id IN (SELECT id FROM locked) AND i.state = v.expected
                    AND (v.owner IS NULL OR i.lease_owner = v.owner)
                RETURNING i.id, i.parent_instance_id)
            """
        if !outputs.isEmpty {
            // Those of the updates that held, in the order given, so an instance's outputs keep their
            // sequence.
            sql += """
                , added AS (\(insert(outputs, where: "o.update_id IN (SELECT id FROM cas)")))
                """
        }
        sql += "\nSELECT id, parent_instance_id FROM cas"
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Inserts outputs of one update, in the order given, in statements under the bind limit: for an
    /// update whose outputs are too many to go with its compare-and-set.
    static func insertOutputs(
        _ outputs: [BlockOutput],
        of id: String,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        let perStatement = maxBinds / outputBinds
        var start = 0
        while start < outputs.count {
            let chunk = outputs[start..<min(start + perStatement, outputs.count)]
            var binds = PostgresBindings(capacity: chunk.count * outputBinds)
            let tuples = outputTuples(chunk.map { (id, $0) }, &binds)
            try await connection.execute(PostgresQuery(unsafeSQL: insert(tuples, where: "TRUE"), binds: binds), logger)
            start += chunk.count
        }
    }

    /// Splits one round (an id at most once) into batches under the bind limit, in instance id order,
    /// so that successive batches lock rows in one ascending order.
    static func batches(_ round: [Int], _ rows: [PostgresCASRow]) -> [[Int]] {
        var batches: [[Int]] = []
        var batch: [Int] = []
        var count = 0
        for index in round.sorted(by: { rows[$0].id < rows[$1].id }) {
            let binds = rows[index].bindCount
            if !batch.isEmpty, count + binds > maxBinds {
                batches.append(batch)
                batch = []
                count = 0
            }
            batch.append(index)
            count += binds
        }
        if !batch.isEmpty { batches.append(batch) }
        return batches
    }

    /// The placeholders of the row whose last bind is `last`, each cast to its column's type.
    private static func tuple(_ last: Int, _ types: [String]) -> String {
        let first = last - types.count + 1
        return "(" + types.enumerated().map { "$\(first + $0)::\($1)" }.joined(separator: ", ") + ")"
    }

    private static func outputTuples(_ outputs: [(String, BlockOutput)], _ binds: inout PostgresBindings) -> [String] {
        var tuples: [String] = []
        for (update, output) in outputs {
            binds.append(Int64(tuples.count))
            binds.append(update)
            binds.append(PostgresRows.id(output.id))
            binds.append(PostgresRows.id(output.instanceID))
            binds.append(output.blockID)
            binds.append(output.output.serialized())
            binds.append(output.outputRef)
            binds.append(output.outputSize)
            binds.append(Int64(output.attempt))
            binds.append(PostgresRows.millis(output.createdAt))
            binds.append(output.cost?.serialized())
            tuples.append(tuple(binds.count, outputTypes))
        }
        return tuples
    }

    private static func insert(_ tuples: [String], where condition: String) -> String {
        """
        INSERT INTO block_outputs (\(OutputColumns.list))
        SELECT o.id, o.instance_id, o.block_id, o.output, o.output_ref, o.output_size, o.attempt, o.created_at, o.cost
        FROM (VALUES \(tuples.joined(separator: ", "))) AS o (\(outputColumns))
        WHERE \(condition) ORDER BY o.ord
        """
    }

    /// Splits updates into rounds in which every instance appears once, keeping each instance's
    /// updates in the order given (the round of its first, then of its second, …).
    static func rounds(_ ids: [String]) -> [[Int]] {
        var seen: [String: Int] = [:]
        var rounds: [[Int]] = []
        for (index, id) in ids.enumerated() {
            let round = seen[id, default: 0]
            seen[id] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(index)
        }
        return rounds
    }
}
