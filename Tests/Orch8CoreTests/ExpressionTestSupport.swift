@testable import Orch8Core

/// A scope with a bit of everything: data, config, two outputs, runtime, state.
let sampleScope = EvaluationScope(
    data: [
        "plan": "enterprise", "seats": 12, "price": 9.5, "name": "Ada", "tags": ["a", "b"],
        "items": [["name": "first", "qty": 2], ["name": "second", "qty": 0]], "empty": "", "zero": 0,
        "nothing": nil, "count_text": "7", "flag": true, "input": ["email": "ada@example.com"],
        "nested": ["deep": ["value": 42]],
    ],
    config: ["region": "eu", "limit": 100],
    outputs: [
        "fetch": ["status": 200, "body": ["ids": [10, 20, 30]]],
        "score": ["value": 0.75],
    ],
    runtime: ["attempt": 2, "total_steps_executed": 5, "dry_run": false],
    state: ["counter": 3],
    instanceID: "0190f5a4-0000-7000-8000-000000000001",
    environment: fixedEnvironment
)

/// Evaluates `text` strictly in `scope`, failing the test on a parse error.
func evaluate(_ text: String, in scope: EvaluationScope = sampleScope) throws -> JSON {
    try Expression(parsing: text).evaluate(in: scope)
}

/// The parse error of `text`, or nil if it parses.
func parseError(_ text: String) -> ExpressionParseError? {
    do {
        _ = try Expression(parsing: text)
        return nil
    } catch {
        return error
    }
}
