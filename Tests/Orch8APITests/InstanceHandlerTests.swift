import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// `send_signal` and `query_instance`: one instance acting on another through the engine
/// (ORCH8-SPEC §4).
@Suite struct InstanceHandlerTests {
    /// An instance of tenant `globex` parked on a human gate.
    func otherTenantsInstance(_ api: APIClient) async throws -> UUID {
        var globex = api
        globex.tenant = "globex"
        let sequence = UUID()
        let body = APIClient.sequenceJSON(
            id: sequence,
            name: "theirs",
            blocks: #"[{"type": "step", "id": "ask", "handler": "noop", "wait_for_input": {"prompt": "ok?"}}]"#
        ).replacingOccurrences(of: #""acme""#, with: #""globex""#)
        #expect(try await globex.send(.post, "/sequences", body).status == .created)
        let instance = APIClient.instanceJSON(sequence).replacingOccurrences(of: #""acme""#, with: #""globex""#)
        let reply = try await globex.send(.post, "/instances", instance)
        return try #require(UUID(uuidString: reply.json["id"]?.stringValue ?? ""))
    }

    func stepSequence(_ api: APIClient, _ handler: String, _ params: String) async throws -> UUID {
        try await api.createSequence(
            #"[{"type": "step", "id": "act", "handler": "\#(handler)", "params": \#(params)}]"#
        )
    }

    func lastOutput(_ api: APIClient, _ id: UUID) async throws -> JSON {
        try await api.outputs(id).last?["output"] ?? .null
    }

    @Test func oneInstanceAnswersAnothersGateAndCancelsAThird() async throws {
        try await APIHarness().run { api in
            let gate = try await api.createSequence(
                #"[{"type": "step", "id": "ask", "handler": "noop", "wait_for_input": {"prompt": "ok?", "store_as": "answer"}}]"#
            )
            let asking = try await api.createInstance(gate)
            let doomed = try await api.createInstance(gate)
            try await api.waitFor(asking, "waiting")
            try await api.waitFor(doomed, "waiting")

            let answer = try await stepSequence(
                api,
                "send_signal",
                #"{"instance_id": "{{context.data.target}}", "signal_type": {"custom": "human_input:ask"}, "payload": {"value": "yes"}}"#
            )
            let answering = try await api.createInstance(answer, data: #"{"target": "\#(asking.wire)"}"#)
            try await api.waitFor(answering, "completed")
            #expect(
                try await lastOutput(api, answering)["signal_id"]?.stringValue.flatMap(UUID.init(uuidString:)) != nil
            )
            let answered = try await api.waitFor(asking, "completed")
            #expect(answered["context"]?["data"]?["answer"] == "yes")

            let cancel = try await stepSequence(
                api,
                "send_signal",
                #"{"instance_id": "{{context.data.target}}", "signal_type": "cancel"}"#
            )
            let cancelling = try await api.createInstance(cancel, data: #"{"target": "\#(doomed.wire)"}"#)
            try await api.waitFor(cancelling, "completed")
            try await api.waitFor(doomed, "cancelled")

            // The target is terminal now.
            let again = try await api.createInstance(cancel, data: #"{"target": "\#(doomed.wire)"}"#)
            try await api.waitFor(again, "failed")
            #expect(
                try await lastOutput(api, again)["message"]?.stringValue?.contains("is cancelled, a terminal state")
                    == true
            )
        }
    }

    @Test func badSignalsFailTheStepNamingTheParam() async throws {
        try await APIHarness().run { api in
            let foreign = try await otherTenantsInstance(api)
            let cases: [(String, String)] = [
                (#"{"signal_type": "cancel"}"#, "params.instance_id is required"),
                (#"{"instance_id": "nope", "signal_type": "cancel"}"#, "params.instance_id must be a UUID"),
                (#"{"instance_id": "\#(UUID().wire)", "signal_type": "cancel"}"#, "not found"),
                (#"{"instance_id": "\#(foreign.wire)", "signal_type": "cancel"}"#, "not found"),
                (#"{"instance_id": "\#(foreign.wire)"}"#, "params.signal_type is required"),
                (#"{"instance_id": "\#(foreign.wire)", "signal_type": "explode"}"#, "unknown signal type `explode`"),
            ]
            for (params, message) in cases {
                let id = try await api.createInstance(try await stepSequence(api, "send_signal", params))
                try await api.waitFor(id, "failed")
                let got = try await lastOutput(api, id)["message"]?.stringValue ?? ""
                #expect(got.contains(message), "\(params) → \(got)")
            }
            // The other tenant's instance was not touched.
            var globex = api
            globex.tenant = "globex"
            #expect(try await globex.send(.get, "/instances/\(foreign.wire)").json["state"] == "waiting")
        }
    }

    @Test func queryInstanceReadsStateContextAndTimesOfTheSameTenantOnly() async throws {
        try await APIHarness().run { api in
            let done = try await api.createInstance(
                try await api.createSequence(#"[{"type": "step", "id": "s", "handler": "noop"}]"#),
                data: #"{"colour": "teal"}"#
            )
            try await api.waitFor(done, "completed")
            let waiting = try await api.createInstance(
                try await api.createSequence(
                    #"""
                    [{"type": "parallel", "id": "p", "branches": [
                        [{"type": "step", "id": "ask", "handler": "noop", "wait_for_input": {"prompt": "ok?"}}]]}]
                    """#
                )
            )
            try await api.waitFor(waiting, "waiting")
            let foreign = try await otherTenantsInstance(api)

            let query = try await stepSequence(api, "query_instance", #"{"instance_id": "{{context.data.target}}"}"#)
            func ask(_ target: UUID) async throws -> (UUID, JSON) {
                let id = try await api.createInstance(query, data: #"{"target": "\#(target.wire)"}"#)
                return (id, try await api.waitFor(id, target == foreign ? "failed" : "completed"))
            }
            let (first, _) = try await ask(done)
            let seen = try await lastOutput(api, first)
            #expect(seen["found"] == true)
            #expect(seen["state"] == "completed")
            #expect(seen["context"]?["data"]?["colour"] == "teal")
            #expect(seen["started_at"]?.stringValue.flatMap(RFC3339.parse) != nil)
            #expect(seen["completed_at"]?.stringValue.flatMap(RFC3339.parse) != nil)

            let (second, _) = try await ask(waiting)
            let parked = try await lastOutput(api, second)
            #expect(parked["state"] == "waiting")
            #expect(parked["completed_at"] == .null)
            #expect(parked["current_node"] == "ask")

            let (third, _) = try await ask(UUID())
            #expect(try await lastOutput(api, third) == ["found": false])

            let (fourth, _) = try await ask(foreign)
            #expect(
                try await lastOutput(api, fourth)["message"]?.stringValue?.contains("belongs to another tenant") == true
            )
        }
    }
}
