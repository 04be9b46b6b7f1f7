// STUB: to be implemented (functions of ORCH8-SPEC §3.2).

/// The functions callable from expressions (`len(x)`, `contains(a, b)`, …).
public enum ExpressionFunctions {
    /// Every function name the expression language knows.
    public static let names: Set<String> = []

    /// Calls function `name` with already evaluated `arguments`. Unknown functions, wrong arity and
    /// arguments of the wrong type yield `null`; this never traps on any input.
    public static func call(_ name: String, _ arguments: [JSON], environment: EvaluationEnvironment) -> JSON {
        .null
    }
}
