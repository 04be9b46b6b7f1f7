import Foundation
import GRDB
import Orch8Core

/// Conversions between column values and model types.
enum SQLiteRows {
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static func id(_ uuid: UUID) -> String { uuid.lowercasedText }

    static func uuid(_ text: String, _ column: String) throws -> UUID {
        guard let uuid = UUID(text: text) else { throw SQLiteStoreError("corrupt id '\(text)' in \(column)") }
        return uuid
    }

    static func text(_ value: some Encodable) throws -> String {
        try JSONValueEncoder().encode(value).serialized()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONValueDecoder().decode(type, from: JSON.parse(text))
    }

    /// `?, ?, …` for an IN list.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// Runs `body` on slices of at most `size` ids, under SQLite's bound-parameter limit.
    static func chunked(_ ids: [String], size: Int = 500, _ body: (ArraySlice<String>) throws -> Void) rethrows {
        var start = 0
        while start < ids.count {
            let end = min(start + size, ids.count)
            try body(ids[start..<end])
            start = end
        }
    }
}

/// An instance row copied out of a transaction; ``decode()`` parses its JSON afterwards, outside the
/// database lock.
///
/// The `@inline(never)` on the `init(_:)` and `decode()` of this and the other column structs works
/// around a compiler crash: Swift 6.3.1's release build dies (signal 11, "while splitting coroutine"
/// of `SQLiteStore.outputs(instanceID:)`) when they are inlined into the async store methods.
struct InstanceColumns: Sendable {
    /// The columns, in the order ``init(_:)`` reads them.
    static let list = """
        id, sequence_id, tenant_id, namespace, state, next_fire_at, priority, timezone, metadata, context,
        concurrency_key, max_concurrency, idempotency_key, session_id, parent_instance_id, budget, created_at,
        updated_at
        """

    let id: String
    let sequenceID: String
    let tenantID: String
    let namespace: String
    let state: String
    let nextFireAt: Int64?
    let priority: Int
    let timezone: String
    let metadata: String
    let context: String
    let concurrencyKey: String?
    let maxConcurrency: Int64?
    let idempotencyKey: String?
    let sessionID: String?
    let parentInstanceID: String?
    let budget: String?
    let createdAt: Int64
    let updatedAt: Int64

    @inline(never) func decode() throws -> TaskInstance {
        guard let state = InstanceState(rawValue: state) else {
            throw SQLiteStoreError("corrupt state '\(state)' of instance \(id)")
        }
        guard let priority = Priority(rank: priority) else {
            throw SQLiteStoreError("corrupt priority \(priority) of instance \(id)")
        }
        return TaskInstance(
            id: try SQLiteRows.uuid(id, "instances.id"),
            sequenceID: try SQLiteRows.uuid(sequenceID, "instances.sequence_id"),
            tenantID: tenantID,
            namespace: namespace,
            state: state,
            nextFireAt: nextFireAt.map(SQLiteRows.date),
            priority: priority,
            timezone: timezone,
            metadata: try JSON.parse(metadata),
            context: try SQLiteRows.decode(ExecutionContext.self, context),
            concurrencyKey: concurrencyKey,
            maxConcurrency: maxConcurrency.flatMap { UInt32(exactly: $0) },
            idempotencyKey: idempotencyKey,
            sessionID: try sessionID.map { try SQLiteRows.uuid($0, "instances.session_id") },
            parentInstanceID: try parentInstanceID.map { try SQLiteRows.uuid($0, "instances.parent_instance_id") },
            budget: try budget.map { try SQLiteRows.decode(Budget.self, $0) },
            createdAt: SQLiteRows.date(createdAt),
            updatedAt: SQLiteRows.date(updatedAt)
        )
    }
}

extension InstanceColumns {
    /// Reads a row selected with ``list``.
    @inline(never) init(_ row: Row) {
        id = row[0]
        sequenceID = row[1]
        tenantID = row[2]
        namespace = row[3]
        state = row[4]
        nextFireAt = row[5]
        priority = row[6]
        timezone = row[7]
        metadata = row[8]
        context = row[9]
        concurrencyKey = row[10]
        maxConcurrency = row[11]
        idempotencyKey = row[12]
        sessionID = row[13]
        parentInstanceID = row[14]
        budget = row[15]
        createdAt = row[16]
        updatedAt = row[17]
    }
}

/// A `block_outputs` row copied out of a transaction.
struct OutputColumns: Sendable {
    static let list = "id, instance_id, block_id, output, output_ref, output_size, attempt, created_at, cost"

    let id: String
    let instanceID: String
    let blockID: String
    let output: String
    let outputRef: String?
    let outputSize: Int64
    let attempt: Int64
    let createdAt: Int64
    let cost: String?

    @inline(never) func decode() throws -> BlockOutput {
        BlockOutput(
            id: try SQLiteRows.uuid(id, "block_outputs.id"),
            instanceID: try SQLiteRows.uuid(instanceID, "block_outputs.instance_id"),
            blockID: blockID,
            output: try JSON.parse(output),
            outputRef: outputRef,
            outputSize: outputSize,
            attempt: UInt32(clamping: attempt),
            createdAt: SQLiteRows.date(createdAt),
            cost: try cost.map { try JSON.parse($0) }
        )
    }

    /// The column values of `output` for an insert, in ``list`` order.
    static func values(_ output: BlockOutput) -> [DatabaseValue] {
        let values: [(any DatabaseValueConvertible)?] = [
            SQLiteRows.id(output.id), SQLiteRows.id(output.instanceID), output.blockID, output.output.serialized(),
            output.outputRef, output.outputSize, Int64(output.attempt), SQLiteRows.millis(output.createdAt),
            output.cost?.serialized(),
        ]
        return values.map { $0?.databaseValue ?? .null }
    }
}

extension OutputColumns {
    @inline(never) init(_ row: Row) {
        id = row[0]
        instanceID = row[1]
        blockID = row[2]
        output = row[3]
        outputRef = row[4]
        outputSize = row[5]
        attempt = row[6]
        createdAt = row[7]
        cost = row[8]
    }
}

/// A `signals` row copied out of a transaction.
struct SignalColumns: Sendable {
    static let list = "id, instance_id, signal_type, payload, delivered, created_at, delivered_at"

    let id: String
    let instanceID: String
    let signalType: String
    let payload: String
    let delivered: Bool
    let createdAt: Int64
    let deliveredAt: Int64?

    @inline(never) func decode() throws -> Signal {
        Signal(
            id: try SQLiteRows.uuid(id, "signals.id"),
            instanceID: try SQLiteRows.uuid(instanceID, "signals.instance_id"),
            signalType: try SQLiteRows.decode(SignalType.self, signalType),
            payload: try JSON.parse(payload),
            delivered: delivered,
            createdAt: SQLiteRows.date(createdAt),
            deliveredAt: deliveredAt.map(SQLiteRows.date)
        )
    }
}

extension SignalColumns {
    @inline(never) init(_ row: Row) {
        id = row[0]
        instanceID = row[1]
        signalType = row[2]
        payload = row[3]
        delivered = row[4]
        createdAt = row[5]
        deliveredAt = row[6]
    }
}

/// An `instance_state` row copied out of a transaction.
struct StateColumns: Sendable {
    static let list = "instance_id, key, value"

    let instanceID: String
    let key: String
    let value: String

}

extension StateColumns {
    @inline(never) init(_ row: Row) {
        instanceID = row[0]
        key = row[1]
        value = row[2]
    }
}

/// A `sequences` row copied out of a transaction.
struct SequenceColumns: Sendable {
    static let list = "definition, deprecated"

    let definition: String
    let deprecated: Bool

    /// The stored definition, with the `deprecated` column (which changes after creation) applied.
    @inline(never) func decode() throws -> SequenceDefinition {
        var sequence = try SQLiteRows.decode(SequenceDefinition.self, definition)
        sequence.deprecated = deprecated
        return sequence
    }
}

extension SequenceColumns {
    @inline(never) init(_ row: Row) {
        definition = row[0]
        deprecated = row[1]
    }
}
