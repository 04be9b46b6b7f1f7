/// Splits an expression into tokens, working on UTF-8 bytes.
struct ExpressionLexer {
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Every token, ending with `.end`.
    static func tokenize(_ text: String) throws(ExpressionParseError) -> [PositionedToken] {
        var lexer = ExpressionLexer(text)
        var tokens: [PositionedToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.token == .end { return tokens }
        }
    }

    private mutating func next() throws(ExpressionParseError) -> PositionedToken {
        while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
        let start = position
        guard position < bytes.count else { return PositionedToken(token: .end, offset: start) }
        let byte = bytes[position]
        let token: ExpressionToken
        if Self.isDigit(byte) {
            token = try number()
        } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
            token = try string(quote: byte)
        } else if Self.isWordStart(byte) {
            while position < bytes.count, Self.isWordByte(bytes[position]) { position += 1 }
            token = .word(String(decoding: bytes[start..<position], as: UTF8.self))
        } else {
            token = .symbol(try symbol())
        }
        return PositionedToken(token: token, offset: start)
    }

    private mutating func number() throws(ExpressionParseError) -> ExpressionToken {
        let start = position
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        var isInteger = true
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "."), Self.isDigit(bytes[position + 1]) {
            isInteger = false
            position += 1
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            var end = position + 1
            if end < bytes.count, bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "-") { end += 1 }
            if end < bytes.count, Self.isDigit(bytes[end]) {
                isInteger = false
                position = end
                while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            }
        }
        if position < bytes.count, Self.isWordStart(bytes[position]) {
            throw ExpressionParseError(offset: start, reason: "a name cannot start with a digit")
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .number(.int(value)) }
        guard let value = Double(text), value.isFinite else {
            throw ExpressionParseError(offset: start, reason: "number out of range: \(text.prefix(40))")
        }
        return .number(.double(value))
    }

    /// A quoted string: no escapes, as in the original, so `'` cannot appear inside `'…'`.
    private mutating func string(quote: UInt8) throws(ExpressionParseError) -> ExpressionToken {
        let start = position
        position += 1
        while position < bytes.count, bytes[position] != quote { position += 1 }
        guard position < bytes.count else {
            throw ExpressionParseError(offset: start, reason: "unterminated string")
        }
        let text = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
        position += 1
        return .string(text)
    }

    private mutating func symbol() throws(ExpressionParseError) -> ExpressionToken.Symbol {
        let start = position
        let byte = bytes[position]
        let following = position + 1 < bytes.count ? bytes[position + 1] : 0
        let twoBytes = String(decoding: [byte, following], as: UTF8.self)
        if let symbol = ExpressionToken.Symbol(rawValue: twoBytes), twoBytes.utf8.count == 2 {
            position += 2
            return symbol
        }
        if byte < 0x80, let symbol = ExpressionToken.Symbol(rawValue: String(UnicodeScalar(byte))) {
            position += 1
            return symbol
        }
        let hint =
            switch byte {
            case UInt8(ascii: "="): " (comparison is '==')"
            case UInt8(ascii: "|"): " (logical or is '||')"
            case UInt8(ascii: "&"): " (logical and is '&&')"
            default: ""
            }
        let shown = byte < 0x80 ? String(UnicodeScalar(byte)) : "byte 0x\(String(byte, radix: 16))"
        throw ExpressionParseError(offset: start, reason: "unexpected character '\(shown)'\(hint)")
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Letters, `_`, and any non-ASCII byte, so that keys in other scripts work as paths.
    private static func isWordStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_") || b >= 0x80
    }

    private static func isWordByte(_ b: UInt8) -> Bool { isWordStart(b) || isDigit(b) || b == UInt8(ascii: ".") }
}
