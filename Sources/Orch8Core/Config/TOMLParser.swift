/// Reads TOML text byte by byte (UTF-8) into a ``TOMLNode`` tree; ``TOMLDocument`` is its face.
struct TOMLParser {
    let bytes: [UInt8]
    var index = 0
    let root = TOMLNode(.implicitTable, offset: 0)
    /// Keys holding non-table values, in document order (``TOMLDocument/entries``).
    var entries: [TOMLEntry] = []
    /// Offsets where lines start, for turning offsets into line and column only when needed.
    private let lineStarts: [Int]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == Byte.newline { starts.append(offset + 1) }
        lineStarts = starts
    }

    func rootTable() -> [String: TOMLValue] { root.children.mapValues(\.value) }

    // MARK: Document

    /// The whole text: key/value lines, `[table]` headers, comments and blank lines.
    mutating func parseDocument() throws(TOMLError) {
        // A byte-order mark some editors write is not part of the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var table = root
        var tablePath: [String] = []
        while true {
            skipSpaces()
            guard let byte = peek() else { return }
            switch byte {
            case Byte.hash, Byte.newline, Byte.carriageReturn:
                try endOfLine()
            case Byte.openBracket:
                let start = index
                index += 1
                if peek() == Byte.openBracket {
                    throw error("arrays of tables ([[…]]) are not supported by orch8's TOML reader", at: start)
                }
                skipSpaces()
                let key = try parseKey()
                skipSpaces()
                guard peek() == Byte.closeBracket else { throw expected("']' to close the table header", at: index) }
                index += 1
                table = try defineTable(key)
                tablePath = key.map(\.name)
                try endOfLine()
            default:
                try parseKeyValue(in: table, tablePath: tablePath, recording: true)
                try endOfLine()
            }
        }
    }

    /// `key = value` (the key may be dotted), inserted into `table`.
    mutating func parseKeyValue(in table: TOMLNode, tablePath: [String], recording: Bool) throws(TOMLError) {
        let key = try parseKey()
        skipSpaces()
        guard peek() == Byte.equals else {
            throw expected("'=' after the key \(dotted(key.map(\.name)))", at: index)
        }
        index += 1
        skipSpaces()
        let path = tablePath + key.map(\.name)
        let value = try parseValue(path: recording ? path : nil)
        try insert(value, at: key, in: table, tablePath: tablePath)
        if recording, case .table = value {
            // An inline table's own keys were recorded while it was read.
        } else if recording {
            entries.append(TOMLEntry(path: path, position: position(of: key[0].offset), value: value))
        }
    }

    /// Comments, spaces, then a newline or the end of the text.
    mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if peek() == Byte.hash { try skipComment() }
        switch peek() {
        case nil:
            return
        case Byte.newline:
            index += 1
        case Byte.carriageReturn where peek(1) == Byte.newline:
            index += 2
        default:
            throw expected("a newline or a comment after this", at: index)
        }
    }

    // MARK: Keys

    /// A bare, quoted or dotted key.
    mutating func parseKey() throws(TOMLError) -> [TOMLKeyPart] {
        var parts: [TOMLKeyPart] = []
        while true {
            let start = index
            let name: String
            switch peek() {
            case Byte.quote:
                index += 1
                name = try parseBasicString()
            case Byte.apostrophe:
                index += 1
                name = try parseLiteralString()
            default:
                while let byte = peek(), Self.isBareKeyByte(byte) { index += 1 }
                guard index > start else {
                    throw expected("a key (letters, digits, '_', '-', or a quoted string)", at: start)
                }
                name = String(decoding: bytes[start..<index], as: UTF8.self)
            }
            parts.append(TOMLKeyPart(name: name, offset: start))
            skipSpaces()
            guard peek() == Byte.dot else { return parts }
            index += 1
            skipSpaces()
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    // MARK: Whitespace and comments

    func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    mutating func skipSpaces() {
        while let byte = peek(), byte == Byte.space || byte == Byte.tab { index += 1 }
    }

    /// From `#` to the end of the line (not the newline).
    mutating func skipComment() throws(TOMLError) {
        index += 1
        while let byte = peek(), byte != Byte.newline {
            if byte == Byte.carriageReturn && peek(1) == Byte.newline { return }
            if Self.isControl(byte) && byte != Byte.tab {
                throw error("control character U+\(hex(byte)) in a comment", at: index)
            }
            index += 1
        }
    }

    /// Spaces, newlines and comments: the filler allowed between the elements of an array.
    mutating func skipBlank() throws(TOMLError) {
        while true {
            skipSpaces()
            switch peek() {
            case Byte.newline: index += 1
            case Byte.carriageReturn where peek(1) == Byte.newline: index += 2
            case Byte.hash: try skipComment()
            default: return
            }
        }
    }

    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    // MARK: Positions and errors

    /// The line and column of `offset`; columns count Unicode scalars, not bytes.
    func position(of offset: Int) -> TOMLPosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        let end = min(offset, bytes.count)
        let column = bytes[start..<max(start, end)].reduce(0) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
        return TOMLPosition(line: low + 1, column: column + 1)
    }

    func error(_ message: String, at offset: Int) -> TOMLError {
        TOMLError(position: position(of: offset), message: message)
    }

    /// "expected X, found Y" with Y described from the text at `offset`.
    func expected(_ what: String, at offset: Int) -> TOMLError {
        error("expected \(what), found \(describe(at: offset))", at: offset)
    }

    /// The character at `offset` as a message shows it.
    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the file" }
        switch bytes[offset] {
        case Byte.newline: return "the end of the line"
        case Byte.carriageReturn: return "a carriage return"
        case Byte.tab: return "a tab"
        case let byte where Self.isControl(byte): return "control character U+\(hex(byte))"
        default:
            var end = offset + 1
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[offset..<end], as: UTF8.self))'"
        }
    }
}

extension TOMLParser {
    /// The ASCII bytes the grammar is made of.
    enum Byte {
        static let newline = UInt8(ascii: "\n")
        static let carriageReturn = UInt8(ascii: "\r")
        static let tab = UInt8(ascii: "\t")
        static let space = UInt8(ascii: " ")
        static let hash = UInt8(ascii: "#")
        static let quote = UInt8(ascii: "\"")
        static let apostrophe = UInt8(ascii: "'")
        static let backslash = UInt8(ascii: "\\")
        static let openBracket = UInt8(ascii: "[")
        static let closeBracket = UInt8(ascii: "]")
        static let openBrace = UInt8(ascii: "{")
        static let closeBrace = UInt8(ascii: "}")
        static let equals = UInt8(ascii: "=")
        static let comma = UInt8(ascii: ",")
        static let dot = UInt8(ascii: ".")
    }
}
