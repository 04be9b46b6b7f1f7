extension TOMLParser {
    /// Any value. `path` is where it goes (nil inside arrays): an inline table records its keys
    /// under it.
    mutating func parseValue(path: [String]?) throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else { throw expectedValue() }
        switch byte {
        case Byte.quote:
            if peek(1) == Byte.quote && peek(2) == Byte.quote {
                index += 3
                return .string(try parseMultilineBasicString())
            }
            index += 1
            return .string(try parseBasicString())
        case Byte.apostrophe:
            if peek(1) == Byte.apostrophe && peek(2) == Byte.apostrophe {
                index += 3
                return .string(try parseMultilineLiteralString())
            }
            index += 1
            return .string(try parseLiteralString())
        case Byte.openBracket:
            return try parseArray()
        case Byte.openBrace:
            return try parseInlineTable(path: path)
        default:
            return try parseScalarWord()
        }
    }

    private func expectedValue() -> TOMLError {
        expected("a value (a string, number, boolean, date-time, array or inline table)", at: index)
    }

    // MARK: Arrays and inline tables

    /// `[a, b, …]` over any number of lines, comments and a trailing comma allowed.
    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipBlank()
            if peek() == Byte.closeBracket {
                index += 1
                return .array(elements)
            }
            elements.append(try parseValue(path: nil))
            try skipBlank()
            switch peek() {
            case Byte.comma:
                index += 1
            case Byte.closeBracket:
                index += 1
                return .array(elements)
            default:
                throw expected("',' or ']' after an array element", at: index)
            }
        }
    }

    /// `{ key = value, … }`. Like TOML 1.1 it may span lines and end with a comma; once closed it
    /// cannot be extended.
    private mutating func parseInlineTable(path: [String]?) throws(TOMLError) -> TOMLValue {
        let table = TOMLNode(.implicitTable, offset: index)
        index += 1
        while true {
            try skipBlank()
            if peek() == Byte.closeBrace {
                index += 1
                return table.value
            }
            let key = try parseKey()
            skipSpaces()
            guard peek() == Byte.equals else {
                throw expected("'=' after the key \(dotted(key.map(\.name)))", at: index)
            }
            index += 1
            skipSpaces()
            let fullPath = path.map { $0 + key.map(\.name) }
            let value = try parseValue(path: fullPath)
            try insert(value, at: key, in: table, tablePath: path ?? [])
            if let fullPath {
                if case .table = value {
                } else {
                    entries.append(
                        TOMLEntry(path: fullPath, position: position(of: key[0].offset), value: value)
                    )
                }
            }
            try skipBlank()
            switch peek() {
            case Byte.comma:
                index += 1
            case Byte.closeBrace:
                index += 1
                return table.value
            default:
                throw expected("',' or '}' after a value in an inline table", at: index)
            }
        }
    }

    // MARK: Booleans, numbers, date-times

    /// A word made of the characters numbers, booleans and date-times are written with.
    private mutating func parseScalarWord() throws(TOMLError) -> TOMLValue {
        let start = index
        while let byte = peek(), Self.isWordByte(byte) { index += 1 }
        // A date and a time may be separated by a space: "1979-05-27 07:32:00Z".
        if index - start == 10, peek() == Byte.space, let next = peek(1), Self.isDigit(next),
            let second = peek(2), Self.isDigit(second), peek(3) == UInt8(ascii: ":")
        {
            index += 1
            while let byte = peek(), Self.isWordByte(byte) { index += 1 }
        }
        guard index > start else { throw expectedValue() }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        switch word {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if let value = Self.dateTime(word) { return value }
        if let value = try number(word, at: start) { return value }
        index = start
        throw error(
            "expected a value (a string, number, boolean, date-time, array or inline table), found '\(word)'"
                + (word.first?.isLetter == true ? " (strings need quotes)" : ""),
            at: start
        )
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == Byte.dot || byte == UInt8(ascii: ":")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// An integer or float, or nil if `word` does not look like a number at all.
    /// - Throws: for a number that is malformed (misplaced `_`, leading zeros) or out of range.
    private func number(_ word: String, at start: Int) throws(TOMLError) -> TOMLValue? {
        var text = Substring(word)
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where text.hasPrefix(prefix) {
            let digits = text.dropFirst(2)
            guard Self.underscoresBetweenDigits(digits, hex: radix == 16),
                let value = Int64(digits.filter { $0 != "_" }, radix: radix)
            else {
                throw error("malformed \(prefix) integer '\(word)' (or out of 64-bit range)", at: start)
            }
            return .integer(value)
        }
        var sign = ""
        if let first = text.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            text = text.dropFirst()
        }
        guard let first = text.first, first.isASCII, first.isNumber else { return nil }
        if text.contains(":") || (text.count > 4 && text.dropFirst(4).first == "-") {
            throw error("malformed date-time '\(word)' (expected the form 1979-05-27T07:32:00Z)", at: start)
        }
        let isFloat = text.contains { $0 == "." || $0 == "e" || $0 == "E" }
        let integerPart = text.prefix { $0 != "." && $0 != "e" && $0 != "E" }
        if integerPart.count > 1 && integerPart.hasPrefix("0") {
            throw error("leading zeros are not allowed in '\(word)'", at: start)
        }
        if isFloat {
            // int [ "." digits ] [ ("e" | "E") [sign] digits ], every part made of digits and inner '_'.
            var rest = text.dropFirst(integerPart.count)
            var parts = [integerPart]
            if rest.first == "." {
                rest = rest.dropFirst()
                let fraction = rest.prefix { $0 != "e" && $0 != "E" }
                parts.append(fraction)
                rest = rest.dropFirst(fraction.count)
            }
            if let marker = rest.first, marker == "e" || marker == "E" {
                rest = rest.dropFirst()
                if let expSign = rest.first, expSign == "+" || expSign == "-" { rest = rest.dropFirst() }
                parts.append(rest)
                rest = rest.dropFirst(rest.count)
            }
            guard parts.allSatisfy({ Self.underscoresBetweenDigits($0) }),
                let value = Double(sign + text.filter { $0 != "_" })
            else {
                throw error("malformed float '\(word)'", at: start)
            }
            return .float(value)
        }
        guard Self.underscoresBetweenDigits(text) else {
            throw error("malformed integer '\(word)' (digits, with any '_' between two digits)", at: start)
        }
        guard let value = Int64(sign + text.filter { $0 != "_" }) else {
            throw error("integer '\(word)' is out of the 64-bit range", at: start)
        }
        return .integer(value)
    }

    /// Non-empty, ASCII digits (hexadecimal ones if `hex`), each `_` between two digits.
    private static func underscoresBetweenDigits(_ text: Substring, hex: Bool = false) -> Bool {
        guard let first = text.first, let last = text.last, first != "_", last != "_" else { return false }
        var previous: Character = " "
        for character in text {
            if character == "_" {
                if previous == "_" { return false }
            } else if !(character.isASCII && (hex ? character.isHexDigit : character.isNumber)) {
                return false
            }
            previous = character
        }
        return true
    }

    /// `YYYY-MM-DD`, `HH:MM:SS[.frac]`, or both joined by `T`/`t`/space with an optional `Z` or
    /// `±HH:MM` offset, kept as text.
    static func dateTime(_ word: String) -> TOMLValue? {
        let characters = Array(word.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= characters.count && range.allSatisfy { isDigit(characters[$0]) }
        }
        func time(from start: Int) -> Int? {
            guard digits(start..<start + 2), characters.count > start + 2, characters[start + 2] == UInt8(ascii: ":"),
                digits(start + 3..<start + 5), characters.count > start + 5, characters[start + 5] == UInt8(ascii: ":"),
                digits(start + 6..<start + 8)
            else { return nil }
            var end = start + 8
            if end < characters.count && characters[end] == Byte.dot {
                end += 1
                let fractionStart = end
                while end < characters.count && isDigit(characters[end]) { end += 1 }
                if end == fractionStart { return nil }
            }
            return end
        }
        var end: Int
        if digits(0..<4), characters.count >= 10, characters[4] == UInt8(ascii: "-"), digits(5..<7),
            characters[7] == UInt8(ascii: "-"), digits(8..<10)
        {
            end = 10
            if end < characters.count {
                guard [UInt8(ascii: "T"), UInt8(ascii: "t"), Byte.space].contains(characters[end]),
                    let timeEnd = time(from: end + 1)
                else { return nil }
                end = timeEnd
                if end < characters.count, characters[end] == UInt8(ascii: "Z") || characters[end] == UInt8(ascii: "z")
                {
                    end += 1
                } else if end < characters.count,
                    characters[end] == UInt8(ascii: "+") || characters[end] == UInt8(ascii: "-")
                {
                    guard digits(end + 1..<end + 3), characters.count > end + 3,
                        characters[end + 3] == UInt8(ascii: ":"), digits(end + 4..<end + 6)
                    else { return nil }
                    end += 6
                }
            }
        } else if let timeEnd = time(from: 0) {
            end = timeEnd
        } else {
            return nil
        }
        return end == characters.count ? .datetime(word) : nil
    }
}
