import Testing

@testable import Orch8Core

/// Paths and roots in expressions (ORCH8-SPEC §3.1 roots, §3.2 rules).
@Suite struct ExpressionPathTests {
    @Test func everyRootResolves() throws {
        #expect(try evaluate("context.data.plan") == "enterprise")
        #expect(try evaluate("context.config.region") == "eu")
        #expect(try evaluate("data.seats") == 12)
        #expect(try evaluate("config.limit") == 100)
        #expect(try evaluate("outputs.fetch.status") == 200)
        #expect(try evaluate("steps.fetch.status") == 200, "steps is an alias of outputs")
        #expect(try evaluate("input.email") == "ada@example.com", "input is context.data.input")
        #expect(try evaluate("instance_id") == "0190f5a4-0000-7000-8000-000000000001")
        #expect(try evaluate("runtime.attempt") == 2)
        #expect(try evaluate("state.counter") == 3)
    }

    @Test func unknownRootsReadContextData() throws {
        #expect(try evaluate("plan == \"enterprise\"") == true)
        #expect(try evaluate("nested.deep.value") == 42)
        #expect(try evaluate("_error.message") == .null)
        let withError = EvaluationScope(data: ["_error": ["message": "connection timeout"]])
        #expect(try evaluate("contains(_error.message, \"timeout\")", in: withError) == true)
    }

    @Test func aBareWordOnTheRightIsAPathNotAString() throws {
        // The docs' `plan == enterprise` compares with data.enterprise, which is missing.
        #expect(try evaluate("plan == enterprise") == false)
        let scope = EvaluationScope(data: ["plan": "x", "enterprise": "x"])
        #expect(try evaluate("plan == enterprise", in: scope) == true)
    }

    @Test func numericSegmentsIndexArrays() throws {
        #expect(try evaluate("outputs.fetch.body.ids.1") == 20)
        #expect(try evaluate("items.0.name") == "first")
        #expect(try evaluate("items.5.name") == .null)
        #expect(try evaluate("tags.x") == .null)
    }

    @Test func missingPathsAreNull() throws {
        #expect(try evaluate("outputs.nope.value") == .null)
        #expect(try evaluate("plan.length") == .null)
        #expect(try evaluate("context.audit") == .null, "only data and config are readable sections")
        #expect(try evaluate("a..b") == .null)
    }

    @Test func outputsAloneIsTheObjectOfAllOutputs() throws {
        let all = try evaluate("outputs")
        #expect(all.objectValue?.keys.sorted() == ["fetch", "score"])
        #expect(try evaluate("keys(outputs)") != .null)
    }

    @Test func functionsAreCalledWithEvaluatedArguments() throws {
        #expect(try evaluate("len(tags)") == 2)
        #expect(try evaluate("sum(outputs.fetch.body.ids) > 50") == true)
        #expect(try evaluate("max(1, seats)") == 12, "max also takes several numbers")
        #expect(try evaluate("nosuch(1)") == .null, "unknown functions are null")
        #expect(try evaluate("now()") == "2026-03-08T12:34:56Z")
        #expect(try evaluate("starts_with(input.email, 'ada')") == true)
        #expect(try evaluate("clamp(seats, 0, 10)") == 10)
    }

    @Test func theSpecExamplesWork() throws {
        let scope = EvaluationScope(
            data: ["amount": 25, "plan": "enterprise", "_error": ["message": "upstream timeout"]],
            outputs: ["check": ["score": 0.9]]
        )
        #expect(try evaluate("context.data.amount > 0", in: scope) == true)
        #expect(try evaluate("contains(_error.message, \"timeout\")", in: scope) == true)
        #expect(try evaluate("{{ outputs.check.score >= 0.8 }}", in: scope) == true, "{{ }} is stripped")
        #expect(try evaluate("plan in [\"pro\", \"enterprise\"] ? 1 : 0", in: scope) == 1)
    }
}
