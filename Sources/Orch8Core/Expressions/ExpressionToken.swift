/// The tokens of the expression language.
enum ExpressionToken: Sendable, Equatable {
    case number(JSON)
    case string(String)
    /// A path, a function name or a keyword (`true`, `false`, `null`, `in`).
    case word(String)
    case symbol(Symbol)
    case end

    enum Symbol: String, Sendable {
        case or = "||"
        case and = "&&"
        case equal = "=="
        case notEqual = "!="
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
        case plus = "+"
        case minus = "-"
        case times = "*"
        case divide = "/"
        case not = "!"
        case question = "?"
        case colon = ":"
        case openParen = "("
        case closeParen = ")"
        case openBracket = "["
        case closeBracket = "]"
        case comma = ","
    }

    /// How the token reads in an error message.
    var display: String {
        switch self {
        case .number(let n): "number \(n.serialized())"
        case .string(let s): "string '\(s.prefix(40))'"
        case .word(let w): "'\(w.prefix(40))'"
        case .symbol(let s): "'\(s.rawValue)'"
        case .end: "end of expression"
        }
    }
}

/// A token and where it starts.
struct PositionedToken: Sendable {
    var token: ExpressionToken
    var offset: Int
}
