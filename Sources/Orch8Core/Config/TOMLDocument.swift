/// A parsed TOML document (the format of `orch8.toml`): its root table, and where every key was
/// written so that a setting that fails validation can name its line.
///
/// The reader covers TOML 1.0 except arrays of tables (`[[name]]`), which it refuses with a clear
/// error; date-times are kept as their text (``TOMLValue/datetime(_:)``).
public struct TOMLDocument: Sendable {
    /// The top-level table.
    public let root: [String: TOMLValue]
    /// Every key that holds a value other than a table, in the order written, with its full path
    /// (`["engine", "batch_size"]`). Keys inside inline tables are listed; keys inside arrays are not.
    public let entries: [TOMLEntry]

    /// Parses `text`.
    /// - Throws: ``TOMLError`` with the line and column of the first problem and what was expected there.
    public init(parsing text: String) throws(TOMLError) {
        var parser = TOMLParser(text)
        try parser.parseDocument()
        root = parser.rootTable()
        entries = parser.entries
    }

    /// The value at a dotted path of bare keys (`"engine.webhooks.urls"`), or nil.
    public subscript(path: String) -> TOMLValue? {
        value(at: path.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    /// The value at `path` (one element per key, so keys may contain dots), or nil.
    public func value(at path: [String]) -> TOMLValue? {
        guard let first = path.first, var current = root[first] else { return nil }
        for key in path.dropFirst() {
            guard case .table(let table) = current, let next = table[key] else { return nil }
            current = next
        }
        return current
    }

    /// Where the key at `path` was written, if it holds a non-table value.
    public func position(of path: [String]) -> TOMLPosition? {
        entries.first { $0.path == path }?.position
    }
}

/// A TOML value.
public enum TOMLValue: Sendable, Equatable {
    /// A basic, literal or multi-line string, escapes resolved.
    case string(String)
    /// A 64-bit integer (decimal, `0x`, `0o` or `0b`).
    case integer(Int64)
    /// A float, including `inf` and `nan`.
    case float(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// An offset or local date-time, date or time, kept as written (`1979-05-27T07:32:00Z`).
    case datetime(String)
    /// An array; TOML 1.0 allows mixed element types.
    case array([TOMLValue])
    /// A table (standard, dotted or inline).
    case table([String: TOMLValue])

    /// What kind of value this is, for messages: "string", "integer", "float", "boolean",
    /// "datetime", "array" or "table".
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .datetime: "datetime"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A key that holds a value, where it was written, and its value.
public struct TOMLEntry: Sendable, Equatable {
    /// The full key path from the root: table headers, then dotted key parts.
    public var path: [String]
    /// The start of the key on its line.
    public var position: TOMLPosition
    /// The value.
    public var value: TOMLValue

    /// The path joined with dots, as people write it (`engine.batch_size`).
    public var dottedPath: String { path.joined(separator: ".") }
}

/// A place in the text: 1-based line and column (columns count Unicode scalars).
public struct TOMLPosition: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// A position; both numbers count from 1.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// Why a text is not a TOML document this reader accepts.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var position: TOMLPosition
    /// What is wrong, usually what was expected and what was found.
    public var message: String

    /// `line:column: message`.
    public var description: String { "\(position): \(message)" }
}
