import Orch8Core
import Testing

@Suite struct StepDefinitionCodingTests {
    private func step(_ fields: String) throws -> StepDefinition {
        let block = try decode(BlockDefinition.self, #"{"type": "step", "id": "s", "handler": "noop"\#(fields)}"#)
        return try #require(block.step)
    }

    @Test func everyFieldDecodes() throws {
        let step = try #require(decode(BlockDefinition.self, SequenceFixtures.everyStepField).step)
        #expect(step.params == ["amount": "{{context.data.amount}}"])
        #expect(
            step.retry
                == RetryPolicy(
                    maxAttempts: 3,
                    initialBackoff: 1000,
                    maxBackoff: 60000,
                    backoffMultiplier: 2.5,
                    retryIf: #"contains(_error.message, "timeout")"#,
                    nonRetryableCodes: ["404"]
                )
        )
        #expect(step.timeout == 30000)
        #expect(
            step.delay
                == DelaySpec(
                    duration: 3_600_000,
                    businessDaysOnly: true,
                    jitter: 60000,
                    holidays: ["2026-12-25"],
                    fireAtLocal: "2026-03-08T09:00:00",
                    timezone: "Europe/Berlin"
                )
        )
        #expect(step.sendWindow == SendWindow(startHour: 9, endHour: 17, days: [0, 1, 2, 3, 4]))
        #expect(step.rateLimitKey == "smtp:acme" && step.queueName == "billing")
        #expect(step.when == "context.data.amount > 0" && !step.cancellable)
        #expect(step.waitForInput?.effectiveChoices.map(\.value) == ["ship", "hold"])
        #expect(step.waitForInput?.storeAs == "decision" && step.waitForInput?.allowComment == true)
        #expect(
            step.contextAccess
                == ContextAccess(data: .fields(["amount", "currency"]), config: false, audit: true, runtime: true)
        )
        #expect(step.deadline == 120_000)
        #expect(step.onDeadlineBreach == DeadlineBreachHandler(handler: "page_oncall", params: ["team": "billing"]))
        #expect(step.fallbackHandler == "billing_charge_backup")
        #expect(step.cacheKey == "charge:{{context.data.order_id}}")
        #expect(step.outputSchema?["type"] == "object")
        #expect(step.compensation?.dependsOn == ["ship"])
        #expect(step.compensation?.verification == ["handler": "billing_check"])
    }

    @Test func defaultsOfAbsentFields() throws {
        let step = try step("")
        #expect(step == StepDefinition(id: "s", handler: "noop"))
        #expect(step.params == .null && step.cancellable)
        #expect(
            try encode(BlockDefinition.step(step)) == [
                "type": "step", "id": "s", "handler": "noop", "params": nil, "cancellable": true,
            ]
        )
    }

    @Test func nestedDefaults() throws {
        let step = try step(
            #", "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 20}, "delay": {}, "#
                + #""send_window": {}, "wait_for_input": {}, "context_access": {}, "#
                + #""on_deadline_breach": {"handler": "h"}, "compensation": {"handler": "undo"}"#
        )
        #expect(step.retry?.backoffMultiplier == 2.0)
        #expect(step.retry?.retryIf == nil && step.retry?.nonRetryableCodes == nil)
        #expect(step.delay == DelaySpec(duration: 0, businessDaysOnly: false, jitter: nil, holidays: []))
        #expect(step.sendWindow == SendWindow(startHour: 9, endHour: 17, days: []))
        #expect(step.waitForInput == WaitForInput())
        #expect(
            step.waitForInput?.effectiveChoices
                == [.init(label: "Yes", value: "yes"), .init(label: "No", value: "no")]
        )
        #expect(step.contextAccess == ContextAccess(data: .all, config: true, audit: false, runtime: false))
        #expect(step.onDeadlineBreach?.params == .null)
        #expect(step.compensation == CompensationSpec(handler: "undo", params: .null, dependsOn: []))
    }

    @Test(arguments: [
        ("true", ContextAccess.DataAccess.all),
        (#""all""#, .all),
        ("false", .none),
        (#""none""#, .none),
        (#"{"fields": ["a", "b"]}"#, .fields(["a", "b"])),
    ])
    func contextAccessDataForms(wire: String, expected: ContextAccess.DataAccess) throws {
        let access = try #require(try step(#", "context_access": {"data": \#(wire)}"#).contextAccess)
        #expect(access.data == expected)
        #expect(try JSONValueDecoder().decode(ContextAccess.self, from: encode(access)) == access)
    }

    @Test func contextAccessDataRejectsOtherForms() {
        let text = #"{"type": "step", "id": "s", "handler": "x", "context_access": {"data": "some"}}"#
        #expect(
            decodingFailure(BlockDefinition.self, text)
                == #"context_access.data: expected true, false, "all", "none" or {"fields": [...]}"#
        )
    }

    @Test func explicitChoicesAreKeptAsWritten() throws {
        let gate = try #require(try step(#", "wait_for_input": {"choices": []}"#).waitForInput)
        #expect(gate.choices == [])
        #expect(try encode(gate)["choices"] == [])
        #expect(try encode(WaitForInput())["choices"] == nil)
    }
}
