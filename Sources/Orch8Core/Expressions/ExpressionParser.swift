/// A recursive-descent parser for the grammar of ORCH8-SPEC §3.2, lowest precedence first:
/// ternary, `||`, `&&`, comparison and `in`, `+ -`, `* /`, unary `! -`, primary.
struct ExpressionParser {
    /// Deepest nesting of parentheses, brackets, calls, ternaries and unary operators accepted.
    static let maxDepth = 64

    private let tokens: [PositionedToken]
    private var index = 0
    private var depth = 0

    private init(tokens: [PositionedToken]) { self.tokens = tokens }

    static func parse(_ text: String) throws(ExpressionParseError) -> ExpressionNode {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokenize(text))
        if parser.current.token == .end {
            throw ExpressionParseError(offset: 0, reason: "empty expression")
        }
        let node = try parser.ternary()
        guard parser.current.token == .end else { throw parser.unexpected("end of expression") }
        return node
    }

    private var current: PositionedToken { tokens[index] }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func unexpected(_ expected: String) -> ExpressionParseError {
        ExpressionParseError(offset: current.offset, reason: "expected \(expected), found \(current.token.display)")
    }

    private mutating func consume(_ symbol: ExpressionToken.Symbol) -> Bool {
        guard current.token == .symbol(symbol) else { return false }
        advance()
        return true
    }

    private mutating func expect(_ symbol: ExpressionToken.Symbol) throws(ExpressionParseError) {
        guard consume(symbol) else { throw unexpected("'\(symbol.rawValue)'") }
    }

    private mutating func nested<T>(
        _ body: (inout ExpressionParser) throws(ExpressionParseError) -> T
    ) throws(ExpressionParseError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw ExpressionParseError(
                offset: current.offset,
                reason: "expression nested deeper than \(Self.maxDepth) levels"
            )
        }
        return try body(&self)
    }

    private mutating func ternary() throws(ExpressionParseError) -> ExpressionNode {
        try nested { (parser: inout ExpressionParser) throws(ExpressionParseError) in
            let condition = try parser.or()
            guard parser.consume(.question) else { return condition }
            let then = try parser.ternary()
            guard parser.consume(.colon) else { throw parser.unexpected("':' of the conditional") }
            let otherwise = try parser.ternary()
            return .conditional(condition, then: then, else: otherwise)
        }
    }

    private mutating func or() throws(ExpressionParseError) -> ExpressionNode {
        var operands = [try and()]
        while consume(.or) { operands.append(try and()) }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    private mutating func and() throws(ExpressionParseError) -> ExpressionNode {
        var operands = [try comparison()]
        while consume(.and) { operands.append(try comparison()) }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    private mutating func comparison() throws(ExpressionParseError) -> ExpressionNode {
        try chain(operator: Self.comparisonOperator) { (p: inout ExpressionParser) throws(ExpressionParseError) in
            try p.additive()
        }
    }

    private mutating func additive() throws(ExpressionParseError) -> ExpressionNode {
        try chain(operator: Self.additiveOperator) { (p: inout ExpressionParser) throws(ExpressionParseError) in
            try p.multiplicative()
        }
    }

    private mutating func multiplicative() throws(ExpressionParseError) -> ExpressionNode {
        try chain(operator: Self.multiplicativeOperator) { (p: inout ExpressionParser) throws(ExpressionParseError) in
            try p.unary()
        }
    }

    private static func comparisonOperator(_ token: ExpressionToken) -> BinaryOperator? {
        switch token {
        case .symbol(.equal): .equal
        case .symbol(.notEqual): .notEqual
        case .symbol(.greater): .greater
        case .symbol(.greaterOrEqual): .greaterOrEqual
        case .symbol(.less): .less
        case .symbol(.lessOrEqual): .lessOrEqual
        case .word("in"): .isIn
        default: nil
        }
    }

    private static func additiveOperator(_ token: ExpressionToken) -> BinaryOperator? {
        switch token {
        case .symbol(.plus): .plus
        case .symbol(.minus): .minus
        default: nil
        }
    }

    private static func multiplicativeOperator(_ token: ExpressionToken) -> BinaryOperator? {
        switch token {
        case .symbol(.times): .times
        case .symbol(.divide): .divide
        default: nil
        }
    }

    private mutating func chain(
        operator match: (ExpressionToken) -> BinaryOperator?,
        next: (inout ExpressionParser) throws(ExpressionParseError) -> ExpressionNode
    ) throws(ExpressionParseError) -> ExpressionNode {
        let first = try next(&self)
        var operations: [ExpressionNode.Operation] = []
        while let op = match(current.token) {
            advance()
            operations.append(ExpressionNode.Operation(op: op, operand: try next(&self)))
        }
        return operations.isEmpty ? first : .chain(first, operations)
    }

    private mutating func unary() throws(ExpressionParseError) -> ExpressionNode {
        if consume(.not) {
            return .not(try nested { (p: inout ExpressionParser) throws(ExpressionParseError) in try p.unary() })
        }
        if consume(.minus) {
            let operand = try nested { (p: inout ExpressionParser) throws(ExpressionParseError) in try p.unary() }
            // Fold `-5` into a literal so that negative numbers cost nothing at evaluation.
            switch operand {
            case .literal(.int(let i)) where i != .min: return .literal(.int(-i))
            case .literal(.double(let d)): return .literal(.double(-d))
            default: return .negate(operand)
            }
        }
        return try primary()
    }

    private mutating func primary() throws(ExpressionParseError) -> ExpressionNode {
        let token = current
        switch token.token {
        case .number(let n):
            advance()
            return .literal(n)
        case .string(let s):
            advance()
            return .literal(.string(s))
        case .symbol(.openParen):
            advance()
            let inner = try ternary()
            try expect(.closeParen)
            return inner
        case .symbol(.openBracket):
            advance()
            return .array(try list(closing: .closeBracket))
        case .word(let word):
            advance()
            switch word {
            case "true": return .literal(true)
            case "false": return .literal(false)
            case "null": return .literal(.null)
            case "in": throw ExpressionParseError(offset: token.offset, reason: "'in' needs a value on its left")
            default: break
            }
            if consume(.openParen) { return .call(word, try list(closing: .closeParen)) }
            return Self.path(word)
        default:
            throw unexpected("a value")
        }
    }

    /// Comma-separated expressions up to `closing`, which is consumed; a trailing comma is allowed.
    private mutating func list(closing: ExpressionToken.Symbol) throws(ExpressionParseError) -> [ExpressionNode] {
        var elements: [ExpressionNode] = []
        while !consume(closing) {
            elements.append(try ternary())
            guard consume(.comma) else {
                try expect(closing)
                break
            }
        }
        return elements
    }

    /// A path word: a template root, or else a key path into `context.data` (ORCH8-SPEC §3.2).
    private static func path(_ word: String) -> ExpressionNode {
        switch ValuePath.parse(word) {
        case .success(let path): return .path(path)
        case .failure(.unknownRoot): return .path(ValuePath.inData(word))
        // `context.audit` and the like are not readable; they read as missing.
        case .failure(.unknownContextSection): return .literal(.null)
        }
    }
}
