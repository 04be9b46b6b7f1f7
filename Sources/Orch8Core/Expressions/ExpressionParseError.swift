/// An expression that does not parse. Strict uses (`when`) fail with it; lenient ones (router, loop,
/// `retry_if`, `assert`) treat the expression as `null`, which is false (ORCH8-SPEC §3.2).
public struct ExpressionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset in the expression (after stripping `{{ }}`) where the problem was found.
    public var offset: Int
    /// What is wrong there.
    public var reason: String

    public var description: String { "invalid expression at byte \(offset): \(reason)" }
}
