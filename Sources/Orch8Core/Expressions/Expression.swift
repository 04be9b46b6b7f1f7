/// A parsed expression (ORCH8-SPEC §3.2): parse once per sequence, evaluate per instance.
///
/// ```swift
/// let condition = try Expression(parsing: "plan == 'enterprise' && seats > 10")
/// if condition.isTrue(in: scope) { … }
/// ```
/// Evaluation is total: missing paths, type mismatches, unknown functions and division by zero all
/// yield `null`; no input makes it trap or recurse without bound.
public struct Expression: Sendable {
    let root: ExpressionNode

    /// The source text, without the optional `{{ }}`.
    public let source: String

    /// Parses `text`, which may be wrapped in `{{ }}`, strictly: a syntax error throws. Use this for
    /// step `when` guards, where a parse error fails the step.
    public init(parsing text: String) throws(ExpressionParseError) {
        source = Self.unwrapped(text)
        root = try ExpressionParser.parse(source)
    }

    /// Parses `text` leniently: an expression that does not parse evaluates to `null` (false). Use
    /// this for router and loop conditions, `break_on`, `retry_if` and `assert`.
    public init(lenient text: String) {
        source = Self.unwrapped(text)
        root = (try? ExpressionParser.parse(source)) ?? .literal(.null)
    }

    /// The value of the expression in `scope`.
    public func evaluate(in scope: EvaluationScope) -> JSON {
        ExpressionEvaluator(scope: scope).evaluate(root)
    }

    /// Whether the expression's value is truthy in `scope` (``JSON/isTruthy``).
    public func isTrue(in scope: EvaluationScope) -> Bool {
        evaluate(in: scope).isTruthy
    }

    /// Strips surrounding whitespace and one optional `{{ … }}` wrapper.
    static func unwrapped(_ text: String) -> String {
        var body = text.trimmingASCIIWhitespace()
        if body.hasPrefix("{{"), body.hasSuffix("}}"), body.utf8.count >= 4 {
            body = String(body.dropFirst(2).dropLast(2)).trimmingASCIIWhitespace()
        }
        return body
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
