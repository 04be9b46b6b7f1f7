import Foundation
import Orch8Core
import PostgresNIO

/// Conversions between column values and model types, the same as ``SQLiteRows``: ids as lowercase
/// text, times as integer milliseconds, JSON as our serialization.
enum PostgresRows {
    static func millis(_ date: Date) -> Int64 { SQLiteRows.millis(date) }
    static func date(_ millis: Int64) -> Date { SQLiteRows.date(millis) }
    static func id(_ uuid: UUID) -> String { uuid.lowercasedText }

    static func uuid(_ text: String, _ column: String) throws -> UUID {
        guard let uuid = UUID(text: text) else { throw PostgresStoreError("corrupt id '\(text)' in \(column)") }
        return uuid
    }

    static func text(_ value: some Encodable) throws -> String { try SQLiteRows.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try SQLiteRows.decode(type, text) }
}

/// Reads cells by position with errors that name the column.
struct PostgresCells {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    subscript<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) -> T {
        get throws { try row[index].decode(T.self) }
    }
}

extension InstanceColumns {
    /// Reads a row selected with ``list``.
    init(postgres row: PostgresRow) throws {
        let cells = PostgresCells(row)
        self.init(
            id: try cells[0],
            sequenceID: try cells[1],
            tenantID: try cells[2],
            namespace: try cells[3],
            state: try cells[4],
            nextFireAt: try cells[5],
            priority: Int(try cells[6, as: Int32.self]),
            timezone: try cells[7],
            metadata: try cells[8],
            context: try cells[9],
            concurrencyKey: try cells[10],
            maxConcurrency: try cells[11],
            idempotencyKey: try cells[12],
            sessionID: try cells[13],
            parentInstanceID: try cells[14],
            budget: try cells[15],
            createdAt: try cells[16],
            updatedAt: try cells[17]
        )
    }
}

extension OutputColumns {
    init(postgres row: PostgresRow) throws {
        let cells = PostgresCells(row)
        self.init(
            id: try cells[0],
            instanceID: try cells[1],
            blockID: try cells[2],
            output: try cells[3],
            outputRef: try cells[4],
            outputSize: try cells[5],
            attempt: try cells[6],
            createdAt: try cells[7],
            cost: try cells[8]
        )
    }
}

extension SignalColumns {
    init(postgres row: PostgresRow) throws {
        let cells = PostgresCells(row)
        self.init(
            id: try cells[0],
            instanceID: try cells[1],
            signalType: try cells[2],
            payload: try cells[3],
            delivered: try cells[4, as: Int32.self] != 0,
            createdAt: try cells[5],
            deliveredAt: try cells[6]
        )
    }
}

extension StateColumns {
    init(postgres row: PostgresRow) throws {
        let cells = PostgresCells(row)
        self.init(instanceID: try cells[0], key: try cells[1], value: try cells[2])
    }
}

extension SequenceColumns {
    init(postgres row: PostgresRow) throws {
        let cells = PostgresCells(row)
        self.init(definition: try cells[0], deprecated: try cells[1, as: Int32.self] != 0)
    }
}
