import Foundation
import Orch8Core
import Testing

/// The JSON examples of ORCH8-SPEC, copied verbatim; where the spec elides a part (`[ ... ]`, `<uuid>`)
/// the test fills it in by replacing exactly that text.
@Suite struct SpecExampleTests {
    /// ORCH8-SPEC §2.3.
    static let stepExample = #"""
        { "type": "step", "id": "charge", "handler": "billing_charge", "params": {"amount": "{{context.data.amount}}"},
          "retry": {"max_attempts": 3, "initial_backoff": 1000, "max_backoff": 60000, "backoff_multiplier": 2.0,
                    "retry_if": "contains(_error.message, \"timeout\")", "non_retryable_codes": ["404"]},
          "timeout": 30000, "delay": {"duration": 3600000, "business_days_only": false, "jitter": 60000,
          "holidays": ["2026-12-25"], "fire_at_local": "2026-03-08T09:00:00", "timezone": "Europe/Berlin"},
          "send_window": {"start_hour": 9, "end_hour": 17, "days": [0,1,2,3,4]}, "rate_limit_key": "smtp:acme",
          "queue_name": "billing", "when": "context.data.amount > 0", "cancellable": true }
        """#

    /// ORCH8-SPEC §2.1.
    static let sequenceExample = """
        { "id": "<uuid>", "tenant_id": "acme", "namespace": "default", "name": "onboarding", "version": 1,
          "deprecated": false, "status": "production", "blocks": [ ... ], "created_at": "2026-05-05T12:00:00Z",
          "input_schema": { "type": "object" }, "sla": { "max_runtime": 60000, "max_step_runtime": 5000 },
          "on_failure": [ ... ], "on_cancel": [ ... ], "interceptors": { ... } }
        """

    @Test func stepExampleDecodesEveryField() throws {
        let step = try #require(try decode(BlockDefinition.self, Self.stepExample).step)
        let expected = StepDefinition(
            id: "charge",
            handler: "billing_charge",
            params: ["amount": "{{context.data.amount}}"],
            retry: RetryPolicy(
                maxAttempts: 3,
                initialBackoff: 1000,
                maxBackoff: 60000,
                backoffMultiplier: 2.0,
                retryIf: #"contains(_error.message, "timeout")"#,
                nonRetryableCodes: ["404"]
            ),
            timeout: 30000,
            delay: DelaySpec(
                duration: 3_600_000,
                businessDaysOnly: false,
                jitter: 60000,
                holidays: ["2026-12-25"],
                fireAtLocal: "2026-03-08T09:00:00",
                timezone: "Europe/Berlin"
            ),
            sendWindow: SendWindow(startHour: 9, endHour: 17, days: [0, 1, 2, 3, 4]),
            rateLimitKey: "smtp:acme",
            queueName: "billing",
            when: "context.data.amount > 0",
            cancellable: true
        )
        #expect(step == expected)
        // Every key of the example is written back with the same value, and nothing else is added.
        #expect(try encode(BlockDefinition.step(step)) == JSON.parse(Self.stepExample))
    }

    @Test func sequenceExampleDecodesAndValidates() throws {
        // Written with the defaults the encoder adds, so that the whole text must round-trip.
        let cleanup = noop("notify")
        let text = Self.sequenceExample
            .replacingOccurrences(of: "<uuid>", with: "0190f5a8-7c3e-7a10-8000-000000000001")
            .replacingOccurrences(of: #""blocks": [ ... ]"#, with: #""blocks": [ \#(Self.stepExample) ]"#)
            .replacingOccurrences(of: "[ ... ]", with: "[ \(cleanup) ]")
            .replacingOccurrences(of: "{ ... }", with: #"{ "before_step": true }"#)
        let sequence = try decode(SequenceDefinition.self, text)
        #expect(sequence.id == UUID(uuidString: "0190f5a8-7c3e-7a10-8000-000000000001"))
        #expect(sequence.tenantID == "acme" && sequence.namespace == "default" && sequence.name == "onboarding")
        #expect(sequence.version == 1 && !sequence.deprecated && sequence.status == .production)
        #expect(sequence.blocks.map(\.id) == ["charge"])
        #expect(sequence.createdAt == Date(timeIntervalSince1970: 1_777_982_400))
        #expect(sequence.inputSchema == ["type": "object"])
        #expect(sequence.sla == SequenceSLA(maxRuntime: 60000, maxStepRuntime: 5000))
        #expect(sequence.onFailure?.map(\.id) == ["notify"] && sequence.onCancel?.map(\.id) == ["notify"])
        #expect(sequence.interceptors == ["before_step": true])
        #expect(sequence.validationErrors() == [])
        #expect(try encode(sequence) == JSON.parse(text))
    }

    @Test(arguments: [
        (#"{"signal_type":"pause"}"#, SignalRequest(signalType: .pause)),
        (
            #"{"signal_type":"update_context","payload":{"data":{"k":1}}}"#,
            SignalRequest(signalType: .updateContext, payload: ["data": ["k": 1]])
        ),
        (
            #"{"signal_type":{"custom":"human_input:approve_step"},"payload":{"value":"yes"}}"#,
            SignalRequest(signalType: .custom("human_input:approve_step"), payload: ["value": "yes"])
        ),
    ])
    func signalExamples(body: String, expected: SignalRequest) throws {
        #expect(try decode(SignalRequest.self, body) == expected)
        #expect(try JSONValueDecoder().decode(SignalRequest.self, from: encode(expected)) == expected)
    }
}
