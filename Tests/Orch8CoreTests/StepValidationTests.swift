import Orch8Core
import Testing

@Suite struct StepValidationTests {
    private static func step(_ fields: String, id: String = "b1") -> String {
        #"[{"type": "step", "id": "\#(id)", "handler": "x"\#(fields)}]"#
    }

    private static func retry(_ fields: String) -> String {
        step(#", "retry": {"max_attempts": 3, "initial_backoff": 100, "max_backoff": 1000\#(fields)}"#)
    }

    static let rules: [ValidationCase] = [
        .init(
            rule: "handler",
            blocks: #"[{"type": "step", "id": "b1", "handler": ""}]"#,
            expected: ["block `b1`: handler must not be empty"]
        ),
        .init(
            rule: "retry.max_attempts",
            blocks: step(#", "retry": {"max_attempts": 0, "initial_backoff": 1, "max_backoff": 2}"#),
            expected: ["block `b1`: retry.max_attempts must be > 0"]
        ),
        .init(
            rule: "retry.backoff_multiplier",
            blocks: retry(#", "backoff_multiplier": 0"#),
            expected: ["block `b1`: retry.backoff_multiplier must be > 0"]
        ),
        .init(
            rule: "retry.backoff_multiplier negative",
            blocks: retry(#", "backoff_multiplier": -1.5"#),
            expected: ["block `b1`: retry.backoff_multiplier must be > 0"]
        ),
        .init(
            rule: "retry backoff order",
            blocks: step(#", "retry": {"max_attempts": 1, "initial_backoff": 5000, "max_backoff": 1000}"#),
            expected: ["block `b1`: retry.initial_backoff must be <= retry.max_backoff (5000 > 1000)"]
        ),
        .init(
            rule: "retry.retry_if",
            blocks: retry(#", "retry_if": "  ""#),
            expected: ["block `b1`: retry.retry_if must not be blank"]
        ),
        .init(
            rule: "retry.non_retryable_codes",
            blocks: retry(#", "non_retryable_codes": ["404", " "]"#),
            expected: ["block `b1`: retry.non_retryable_codes must not contain blank entries"]
        ),
        .init(
            rule: "send_window hours",
            blocks: step(#", "send_window": {"start_hour": 24, "end_hour": -1}"#),
            expected: [
                "block `b1`: send_window.start_hour must be between 0 and 23, found 24",
                "block `b1`: send_window.end_hour must be between 0 and 23, found -1",
            ]
        ),
        .init(
            rule: "send_window start ≠ end",
            blocks: step(#", "send_window": {"start_hour": 9, "end_hour": 9}"#),
            expected: ["block `b1`: send_window.start_hour and send_window.end_hour must differ"]
        ),
        .init(
            rule: "send_window days",
            blocks: step(#", "send_window": {"days": [0, 7]}"#),
            expected: ["block `b1`: send_window.days must be between 0 and 6, found 7"]
        ),
        .init(
            rule: "wait_for_input choices non-empty",
            blocks: step(#", "wait_for_input": {"choices": []}"#),
            expected: ["block `b1`: wait_for_input.choices must not be empty"]
        ),
        .init(
            rule: "wait_for_input choices unique",
            blocks: step(
                #", "wait_for_input": {"choices": [{"label": "Y", "value": "y"}, {"label": "Yes", "value": "y"}]}"#
            ),
            expected: ["block `b1`: duplicate wait_for_input.choices value: y"]
        ),
        .init(
            rule: "wait_for_input store_as",
            blocks: step(#", "wait_for_input": {"store_as": ""}"#),
            expected: ["block `b1`: wait_for_input.store_as must not be empty"]
        ),
        .init(
            rule: "compensation handler",
            blocks: step(#", "compensation": {"handler": ""}"#),
            expected: ["block `b1`: compensation.handler must not be empty"]
        ),
        .init(
            rule: "compensation depends_on limit",
            blocks: step(
                #", "compensation": {"handler": "u", "depends_on": [\#((0...256).map { "\"d\($0)\"" }.joined(separator: ","))]}"#
            ),
            expected: ["block `b1`: compensation.depends_on must have at most 256 entries, found 257"]
        ),
        .init(
            rule: "compensation depends_on unique",
            blocks: step(#", "compensation": {"handler": "u", "depends_on": ["a", "a"]}"#),
            expected: ["block `b1`: duplicate compensation.depends_on entry: a"]
        ),
        .init(
            rule: "compensation depends_on not itself",
            blocks: step(#", "compensation": {"handler": "u", "depends_on": ["b1"]}"#),
            expected: ["block `b1`: compensation.depends_on must not include the step itself"]
        ),
    ]

    @Test(arguments: rules)
    func rule(_ testCase: ValidationCase) throws {
        #expect(try validationMessages(blocks: testCase.blocks, extra: testCase.extra) == testCase.expected)
    }

    @Test func absentOptionalSectionsAreValid() throws {
        #expect(try validationMessages(blocks: Self.step(#", "wait_for_input": {}, "send_window": {}"#)) == [])
        #expect(try validationMessages(blocks: Self.retry("")) == [])
    }
}
