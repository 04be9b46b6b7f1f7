import Orch8Core
import Testing

/// One structural rule: blocks that break it and the exact message they get.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var blocks: String
    var extra: String = ""
    var expected: [String]

    var testDescription: String { rule }
}

func validationMessages(blocks: String, extra: String = "") throws -> [String] {
    let sequence = try decode(SequenceDefinition.self, sequenceJSON(blocks: blocks, extra: extra))
    return sequence.validationErrors().map(\.description)
}

@Suite struct SequenceValidationTests {
    static let variantA = #"{"name": "a", "weight": 1, "blocks": []}"#

    static let blockRules: [ValidationCase] = [
        .init(rule: "non-empty blocks", blocks: "[]", expected: ["block `(root)`: sequence has no blocks"]),
        .init(
            rule: "non-empty id",
            blocks: #"[{"type": "step", "id": "", "handler": "x"}]"#,
            expected: ["block `(root)`: contains a block with an empty id"]
        ),
        .init(
            rule: "nested non-empty id",
            blocks:
                #"[{"type": "cancellation_scope", "id": "s", "blocks": [{"type": "step", "id": "", "handler": "x"}]}]"#,
            expected: ["block `s`: contains a block with an empty id"]
        ),
        .init(
            rule: "unique ids across the tree",
            blocks: #"[\#(noop("a")), {"type": "parallel", "id": "p", "branches": [[\#(noop("a"))]]}]"#,
            expected: ["block `a`: duplicate block id: a"]
        ),
        .init(
            rule: "parallel has a branch",
            blocks: #"[{"type": "parallel", "id": "p", "branches": []}]"#,
            expected: ["block `p`: branches must not be empty"]
        ),
        .init(
            rule: "race has a branch",
            blocks: #"[{"type": "race", "id": "r", "branches": []}]"#,
            expected: ["block `r`: branches must not be empty"]
        ),
        .init(
            rule: "at most 256 branches",
            blocks:
                #"[{"type": "parallel", "id": "p", "branches": [\#(Array(repeating: "[]", count: 257).joined(separator: ","))]}]"#,
            expected: ["block `p`: branches must have at most 256 entries, found 257"]
        ),
        .init(
            rule: "loop condition",
            blocks: #"[{"type": "loop", "id": "l", "condition": "", "body": [\#(noop("b"))]}]"#,
            expected: ["block `l`: condition must not be empty"]
        ),
        .init(
            rule: "loop body",
            blocks: #"[{"type": "loop", "id": "l", "condition": "true", "body": []}]"#,
            expected: ["block `l`: body must not be empty"]
        ),
        .init(
            rule: "loop max_iterations ≥ 1",
            blocks:
                #"[{"type": "loop", "id": "l", "condition": "true", "body": [\#(noop("b"))], "max_iterations": 0}]"#,
            expected: ["block `l`: max_iterations must be between 1 and 100000, found 0"]
        ),
        .init(
            rule: "loop max_iterations ≤ 100000",
            blocks:
                #"[{"type": "loop", "id": "l", "condition": "true", "body": [\#(noop("b"))], "max_iterations": 100001}]"#,
            expected: ["block `l`: max_iterations must be between 1 and 100000, found 100001"]
        ),
        .init(
            rule: "for_each collection",
            blocks: #"[{"type": "for_each", "id": "f", "collection": "", "body": [\#(noop("b"))]}]"#,
            expected: ["block `f`: collection must not be empty"]
        ),
        .init(
            rule: "for_each body",
            blocks: #"[{"type": "for_each", "id": "f", "collection": "items", "body": []}]"#,
            expected: ["block `f`: body must not be empty"]
        ),
        .init(
            rule: "for_each item_var",
            blocks:
                #"[{"type": "for_each", "id": "f", "collection": "items", "item_var": "", "body": [\#(noop("b"))]}]"#,
            expected: ["block `f`: item_var must not be empty"]
        ),
        .init(
            rule: "for_each max_iterations",
            blocks:
                #"[{"type": "for_each", "id": "f", "collection": "items", "body": [\#(noop("b"))], "max_iterations": -1}]"#,
            expected: ["block `f`: max_iterations must be between 1 and 100000, found -1"]
        ),
        .init(
            rule: "router needs a route or a default",
            blocks: #"[{"type": "router", "id": "r", "routes": []}]"#,
            expected: ["block `r`: routes must not be empty when there is no default"]
        ),
        .init(
            rule: "router route conditions",
            blocks:
                #"[{"type": "router", "id": "r", "routes": [{"condition": "a", "blocks": []}, {"condition": "", "blocks": []}]}]"#,
            expected: ["block `r`: routes[1].condition must not be empty"]
        ),
        .init(
            rule: "try_catch try_block",
            blocks: #"[{"type": "try_catch", "id": "t", "try_block": [], "catch_block": []}]"#,
            expected: ["block `t`: try_block must not be empty"]
        ),
        .init(
            rule: "sub_sequence sequence_name",
            blocks: #"[{"type": "sub_sequence", "id": "s", "sequence_name": ""}]"#,
            expected: ["block `s`: sequence_name must not be empty"]
        ),
        .init(
            rule: "a_b_split two variants",
            blocks: #"[{"type": "a_b_split", "id": "ab", "variants": [\#(variantA)]}]"#,
            expected: ["block `ab`: variants must have at least 2 entries, found 1"]
        ),
        .init(
            rule: "a_b_split weight",
            blocks:
                #"[{"type": "a_b_split", "id": "ab", "variants": [{"name": "a", "weight": 0, "blocks": []}, {"name": "b", "weight": 0, "blocks": []}]}]"#,
            expected: ["block `ab`: total variant weight must be > 0"]
        ),
        .init(
            rule: "a_b_split non-empty names",
            blocks:
                #"[{"type": "a_b_split", "id": "ab", "variants": [\#(variantA), {"name": "", "weight": 1, "blocks": []}]}]"#,
            expected: ["block `ab`: variants[1].name must not be empty"]
        ),
        .init(
            rule: "a_b_split unique names",
            blocks: #"[{"type": "a_b_split", "id": "ab", "variants": [\#(variantA), \#(variantA)]}]"#,
            expected: ["block `ab`: duplicate variant name: a"]
        ),
        .init(
            rule: "cancellation_scope blocks",
            blocks: #"[{"type": "cancellation_scope", "id": "c", "blocks": []}]"#,
            expected: ["block `c`: blocks must not be empty"]
        ),
        .init(
            rule: "cleanup trees are checked separately",
            blocks: "[\(noop("a"))]",
            extra: #", "on_failure": [\#(noop("a")), \#(noop("b")), \#(noop("b"))], "on_cancel": [\#(noop("a"))]"#,
            expected: ["block `b`: duplicate block id: b"]
        ),
        .init(
            rule: "sequence header",
            blocks: "[\(noop("a"))]",
            extra: #", "namespace": "", "name": " ", "version": 0"#,
            expected: [
                "block `(root)`: namespace must not be empty", "block `(root)`: name must not be empty",
                "block `(root)`: version must be >= 1, found 0",
            ]
        ),
    ]

    @Test(arguments: blockRules)
    func rule(_ testCase: ValidationCase) throws {
        #expect(try validationMessages(blocks: testCase.blocks, extra: testCase.extra) == testCase.expected)
    }

    @Test func blankTenantOfABuiltDefinitionIsReported() throws {
        // Decoding already refuses a blank tenant; a definition built in code is checked here.
        var sequence = try decode(SequenceDefinition.self, sequenceJSON(blocks: "[\(noop("a"))]"))
        sequence.tenantID = " \t"
        #expect(
            SequenceValidator.validate(sequence).map(\.description) == ["block `(root)`: tenant_id must not be empty"]
        )
    }

    @Test func validSequencesPass() throws {
        let sequence = try decode(SequenceDefinition.self, SequenceFixtures.fullSequence)
        #expect(sequence.validationErrors() == [])
        try sequence.validate()
    }

    @Test func nestingDepthIsLimitedTo64() throws {
        func nested(_ depth: Int) -> String {
            var text = noop("leaf")
            for level in (1...depth).reversed() {
                text = #"{"type": "cancellation_scope", "id": "s\#(level)", "blocks": [\#(text)]}"#
            }
            return "[\(text)]"
        }
        #expect(try validationMessages(blocks: nested(63)) == [])
        #expect(try validationMessages(blocks: nested(64)) == ["block `leaf`: nesting depth exceeds 64"])
        #expect(try validationMessages(blocks: nested(100)) == ["block `s65`: nesting depth exceeds 64"])
    }

    @Test func totalBlocksAreLimitedTo5000() throws {
        func steps(_ count: Int) -> String { "[" + (0..<count).map { noop("s\($0)") }.joined(separator: ",") + "]" }
        #expect(try validationMessages(blocks: steps(5000)) == [])
        #expect(
            try validationMessages(blocks: steps(4999), extra: #", "on_failure": [\#(noop("x")), \#(noop("y"))]"#)
                == ["block `(root)`: sequence has 5001 blocks, more than the limit of 5000"]
        )
    }

    @Test func everyErrorIsReportedTogether() throws {
        let blocks = """
            [{"type": "step", "id": "a", "handler": "", "retry": {"max_attempts": 0, "initial_backoff": 1, "max_backoff": 2}},
             {"type": "loop", "id": "l", "condition": "", "body": [], "max_iterations": 0},
             {"type": "step", "id": "a", "handler": "x"}]
            """
        let sequence = try decode(SequenceDefinition.self, sequenceJSON(blocks: blocks, extra: #", "name": """#))
        let expected = [
            "block `(root)`: name must not be empty",
            "block `a`: handler must not be empty",
            "block `a`: retry.max_attempts must be > 0",
            "block `l`: condition must not be empty",
            "block `l`: body must not be empty",
            "block `l`: max_iterations must be between 1 and 100000, found 0",
            "block `a`: duplicate block id: a",
        ]
        #expect(sequence.validationErrors().map(\.description) == expected)
        let failure = #expect(throws: SequenceValidationFailure.self) { try sequence.validate() }
        #expect(failure?.errors.count == expected.count)
        #expect(failure?.description == expected.joined(separator: "; "))
    }
}
