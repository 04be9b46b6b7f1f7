extension TOMLParser {
    /// The rest of a `"basic string"` (the opening quote is consumed), escapes resolved.
    mutating func parseBasicString() throws(TOMLError) -> String {
        var out: [UInt8] = []
        while true {
            guard let byte = peek(), byte != Byte.newline, byte != Byte.carriageReturn else {
                throw expected("'\"' to close the string before the end of the line", at: index)
            }
            switch byte {
            case Byte.quote:
                index += 1
                return String(decoding: out, as: UTF8.self)
            case Byte.backslash:
                try parseEscape(into: &out)
            default:
                try checkStringByte(byte)
                out.append(byte)
                index += 1
            }
        }
    }

    /// The rest of a `'literal string'`: no escapes.
    mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = index
        while true {
            guard let byte = peek(), byte != Byte.newline, byte != Byte.carriageReturn else {
                throw expected("\"'\" to close the literal string before the end of the line", at: index)
            }
            if byte == Byte.apostrophe {
                index += 1
                return String(decoding: bytes[start..<index - 1], as: UTF8.self)
            }
            try checkStringByte(byte)
            index += 1
        }
    }

    /// The rest of a `"""multi-line basic string"""` (the opening quotes are consumed).
    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        skipNewlineAfterOpening()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw expected("'\"\"\"' to close the multi-line string", at: index)
            }
            switch byte {
            case Byte.quote:
                if let quotes = try closingQuotes(Byte.quote) {
                    out.append(contentsOf: repeatElement(Byte.quote, count: quotes))
                    return String(decoding: out, as: UTF8.self)
                }
                out.append(byte)
                index += 1
            case Byte.backslash:
                if try skipLineEndingBackslash() { continue }
                try parseEscape(into: &out)
            case Byte.newline:
                out.append(byte)
                index += 1
            case Byte.carriageReturn where peek(1) == Byte.newline:
                out.append(Byte.newline)
                index += 2
            default:
                try checkStringByte(byte)
                out.append(byte)
                index += 1
            }
        }
    }

    /// The rest of a `'''multi-line literal string'''`.
    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        skipNewlineAfterOpening()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw expected("\"'''\" to close the multi-line literal string", at: index)
            }
            switch byte {
            case Byte.apostrophe:
                if let quotes = try closingQuotes(Byte.apostrophe) {
                    out.append(contentsOf: repeatElement(Byte.apostrophe, count: quotes))
                    return String(decoding: out, as: UTF8.self)
                }
                out.append(byte)
                index += 1
            case Byte.newline:
                out.append(byte)
                index += 1
            case Byte.carriageReturn where peek(1) == Byte.newline:
                out.append(Byte.newline)
                index += 2
            default:
                try checkStringByte(byte)
                out.append(byte)
                index += 1
            }
        }
    }

    /// A newline right after the opening delimiter is not part of the string.
    private mutating func skipNewlineAfterOpening() {
        if peek() == Byte.newline {
            index += 1
        } else if peek() == Byte.carriageReturn && peek(1) == Byte.newline {
            index += 2
        }
    }

    /// At a run of `quote`s inside a multi-line string: nil if fewer than three (they are content),
    /// else consumes the run and returns how many of them belong to the content (up to two may
    /// precede the closing three).
    private mutating func closingQuotes(_ quote: UInt8) throws(TOMLError) -> Int? {
        var count = 0
        while peek(count) == quote { count += 1 }
        guard count >= 3 else { return nil }
        guard count <= 5 else {
            throw error("too many quotes: at most two may come before the closing delimiter", at: index + 5)
        }
        index += count
        return count - 3
    }

    /// A backslash that ends a line in a multi-line basic string removes the newline and the
    /// whitespace after it. Returns false (consuming nothing) for any other backslash.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var ahead = 1
        while peek(ahead) == Byte.space || peek(ahead) == Byte.tab { ahead += 1 }
        guard peek(ahead) == Byte.newline || (peek(ahead) == Byte.carriageReturn && peek(ahead + 1) == Byte.newline)
        else { return false }
        index += ahead
        while let byte = peek(),
            byte == Byte.space || byte == Byte.tab || byte == Byte.newline
                || (byte == Byte.carriageReturn && peek(1) == Byte.newline)
        {
            index += 1
        }
        return true
    }

    /// A `\` escape; the index is at the backslash.
    private mutating func parseEscape(into out: inout [UInt8]) throws(TOMLError) {
        let start = index
        index += 1
        guard let letter = peek() else {
            throw expected("an escape after '\\'", at: index)
        }
        index += 1
        let simple: UInt8? =
            switch letter {
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "e"): 0x1B
            case Byte.quote: Byte.quote
            case Byte.backslash: Byte.backslash
            default: nil
            }
        if let simple {
            out.append(simple)
            return
        }
        let digits: Int
        switch letter {
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        case UInt8(ascii: "x"): digits = 2
        default:
            throw error(
                "unknown escape \\\(String(decoding: [letter], as: UTF8.self)); expected one of "
                    + "\\b \\t \\n \\f \\r \\e \\\" \\\\ \\xHH \\uHHHH \\UHHHHHHHH",
                at: start
            )
        }
        guard index + digits <= bytes.count,
            let code = UInt32(String(decoding: bytes[index..<index + digits], as: UTF8.self), radix: 16),
            bytes[index..<index + digits].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else {
            throw expected(
                "\(digits) hexadecimal digits after \\\(String(decoding: [letter], as: UTF8.self))",
                at: index
            )
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw error(
                "\\\(String(decoding: [letter], as: UTF8.self)) escape is not a Unicode scalar value",
                at: start
            )
        }
        index += digits
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    /// Control characters other than tab must be escaped inside strings.
    private func checkStringByte(_ byte: UInt8) throws(TOMLError) {
        if Self.isControl(byte) && byte != Byte.tab {
            throw error("control character U+\(hex(byte)) in a string; write it as an escape", at: index)
        }
    }
}
