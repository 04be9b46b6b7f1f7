import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// Instance creation, reads and updates (ORCH8-SPEC §1.6) with the engine running.
@Suite struct InstanceRouteTests {
    static let nap = #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 60000}}]"#

    @Test func threeStepsRunToCompletionAndTheirOutputsAreListed() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "greet", "handler": "log", "params": {"message": "hello {{context.data.name}}"}},
                 {"type": "step", "id": "shape", "handler": "transform",
                  "params": {"greeting": "{{outputs.greet.message}}", "n": "{{context.data.n}}"}},
                 {"type": "step", "id": "check", "handler": "assert", "params": {"condition": "n == 3"}}]
                """
            )
            let id = try await api.createInstance(sequence, data: #"{"name": "Ada", "n": 3}"#)
            #expect(id.uuidString.lowercased().dropFirst(14).first == "7", "server ids are UUIDv7")
            let instance = try await api.waitFor(id, "completed")
            #expect(instance["tenant_id"] == "acme")
            #expect(instance["sequence_id"] == .string(sequence.wire))
            let outputs = try await api.outputs(id)
            #expect(outputs.compactMap { $0["block_id"]?.stringValue } == ["greet", "shape", "check"])
            #expect(outputs[0]["output"] == ["message": "hello Ada", "level": "info"])
            #expect(outputs[1]["output"] == ["greeting": "hello Ada", "n": 3])
            #expect(outputs[2]["output"]?["passed"] == true)
            #expect(outputs[0]["instance_id"] == .string(id.wire))
            #expect(outputs[0]["output_ref"] == .null)
        }
    }

    @Test func creationDefaultsAndIdempotency() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.nap)
            // Due far in the future, so that the engine leaves it alone while we look at it.
            let body = APIClient.instanceJSON(
                sequence,
                extra: #", "idempotency_key": "order-1", "priority": "High", "next_fire_at": "2099-01-01T00:00:00Z""#
            )
            let first = try await api.send(.post, "/instances", body)
            #expect(first.status == .created)
            #expect(first.json.objectValue?.keys.sorted() == ["id"])
            let again = try await api.send(.post, "/instances", body)
            #expect(again.status == .ok)
            #expect(again.json == ["id": first.json["id"] ?? .null, "deduplicated": true])
            let id = try #require(first.json["id"]?.stringValue)
            let instance = try await api.send(.get, "/instances/\(id)").json
            #expect(instance["priority"] == "High")
            #expect(instance["timezone"] == "UTC")
            #expect(instance["metadata"] == .null)
            #expect(instance["idempotency_key"] == "order-1")
            #expect(instance["next_fire_at"]?.stringValue?.hasPrefix("2099-01-01T00:00:00") == true)
            #expect(instance["state"] == "scheduled")
        }
    }

    @Test func creationRefusesBadRequests() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                Self.nap,
                extra: """
                    , "input_schema": {"type": "object", "required": ["email"],
                       "properties": {"email": {"type": "string"}, "age": {"type": "integer", "minimum": 18}}}
                    """
            )
            let invalid = try await api.send(
                .post,
                "/instances",
                APIClient.instanceJSON(sequence, data: #"{"age": 12}"#)
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(
                invalid.error
                    == "unprocessable entity: context.data failed input_schema validation: "
                    + "at /: \"email\" is a required property; at /age: 12 is less than the minimum of 18"
            )

            let unknownSequence = UUID()
            let missing = try await api.send(.post, "/instances", APIClient.instanceJSON(unknownSequence))
            #expect(missing.status == .notFound)
            #expect(missing.error == "not found: sequence \(unknownSequence.wire)")

            let emptyNamespace = #"{"sequence_id": "\#(sequence.wire)", "tenant_id": "acme", "namespace": ""}"#
            let empty = try await api.send(.post, "/instances", emptyNamespace)
            #expect(empty.status == .badRequest)
            #expect(empty.error == "invalid argument: namespace must not be empty")

            let blankTenant = #"{"sequence_id": "\#(sequence.wire)", "tenant_id": " ", "namespace": "default"}"#
            #expect(try await api.send(.post, "/instances", blankTenant).status == .unprocessableContent)

            let lowercase = APIClient.instanceJSON(
                sequence,
                data: #"{"email": "a@b.c"}"#,
                extra: #", "priority": "high""#
            )
            let priority = try await api.send(.post, "/instances", lowercase)
            #expect(priority.status == .unprocessableContent)
            #expect(priority.error?.hasPrefix("unprocessable entity: priority: unknown variant `high`") == true)

            var other = api
            other.tenant = "globex"
            let foreign = try await other.send(
                .post,
                "/instances",
                #"{"sequence_id": "\#(sequence.wire)", "tenant_id": "globex", "namespace": "default"}"#
            )
            #expect(foreign.status == .notFound, "another tenant's sequence is not found")
        }
    }

    @Test func oversizedContextsAndBodiesAre413() async throws {
        let configuration = APIConfiguration(maxBodyBytes: 4096, maxContextBytes: 1024)
        try await APIHarness().run(configuration) { api in
            let sequence = try await api.createSequence(Self.nap)
            let big = String(repeating: "x", count: 2000)
            let context = try await api.send(
                .post,
                "/instances",
                APIClient.instanceJSON(sequence, data: #"{"blob": "\#(big)"}"#)
            )
            #expect(context.status == .contentTooLarge)
            #expect(context.error?.hasPrefix("payload too large: context is ") == true)

            let huge = String(repeating: "x", count: 5000)
            let body = try await api.send(
                .post,
                "/instances",
                APIClient.instanceJSON(sequence, data: #"{"blob": "\#(huge)"}"#)
            )
            #expect(body.status == .contentTooLarge)
            #expect(body.error == "payload too large: request body exceeds the limit of 4096 bytes")

            let id = try await api.createInstance(sequence)
            let patch = try await api.send(
                .patch,
                "/instances/\(id.wire)/context",
                #"{"context": {"data": {"blob": "\#(big)"}}}"#
            )
            #expect(patch.status == .contentTooLarge)
        }
    }

    @Test func batchCreatesEveryInstanceOrNone() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.nap)
            let item = APIClient.instanceJSON(sequence)
            let created = try await api.send(.post, "/instances/batch", #"{"instances": [\#(item), \#(item)]}"#)
            #expect(created.status == .created)
            #expect(created.json == ["count": 2])
            let empty = try await api.send(.post, "/instances/batch", #"{"instances": []}"#)
            #expect(empty.status == .ok)
            #expect(empty.json == ["count": 0])
            let bad = #"{"sequence_id": "\#(sequence.wire)", "tenant_id": "acme", "namespace": ""}"#
            let refused = try await api.send(.post, "/instances/batch", #"{"instances": [\#(item), \#(bad)]}"#)
            #expect(refused.status == .badRequest)
            #expect(refused.error == "invalid argument: instances[1]: namespace must not be empty")
            let shape = try await api.send(.post, "/instances/batch", #"{"instances": [{"tenant_id": "acme"}]}"#)
            #expect(shape.status == .unprocessableContent)
            #expect(shape.error == "unprocessable entity: instances[0].sequence_id: missing field")
            let listed = try await api.send(.get, "/instances?sequence_id=\(sequence.wire)")
            #expect(listed.json["items"]?.arrayValue?.count == 2)
        }
    }

    @Test func listFiltersByStateAndMetadata() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.nap)
            let gold = try await api.createInstance(sequence, extra: #", "metadata": {"plan": "gold"}"#)
            _ = try await api.createInstance(sequence, extra: #", "metadata": {"plan": "free"}"#)
            let byMetadata = try await api.send(.get, "/instances?metadata.plan=gold")
            #expect(byMetadata.json["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [gold.wire])
            #expect(byMetadata.json["has_more"] == false)
            let paged = try await api.send(.get, "/instances?limit=1")
            #expect(paged.json["has_more"] == true)
            let none = try await api.send(.get, "/instances?state=completed,failed")
            #expect(none.json["items"] == [])
            let unknown = try await api.send(.get, "/instances?state=scheduled,sleeping")
            #expect(unknown.status == .badRequest)
            #expect(unknown.error == "invalid argument: unknown instance state: sleeping")
            let badSequence = try await api.send(.get, "/instances?sequence_id=zzz")
            #expect(badSequence.status == .badRequest)
        }
    }

    @Test func stateChangesFollowTheTransitionTable() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.nap)
            let id = try await api.createInstance(sequence, extra: #", "next_fire_at": "2099-01-01T00:00:00Z""#)
            let paused = try await api.send(.patch, "/instances/\(id.wire)/state", #"{"state": "paused"}"#)
            #expect(paused.status == .ok)
            #expect(paused.text.isEmpty)
            let bad = try await api.send(.patch, "/instances/\(id.wire)/state", #"{"state": "completed"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.error == "invalid argument: cannot transition from paused to completed")
            let unknown = try await api.send(.patch, "/instances/\(id.wire)/state", #"{"state": "asleep"}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(try await api.send(.patch, "/instances/\(id.wire)/state", #"{"state": "cancelled"}"#).status == .ok)
            try await api.waitFor(id, "cancelled")
            let missing = UUID()
            let notFound = try await api.send(.patch, "/instances/\(missing.wire)/state", #"{"state": "paused"}"#)
            #expect(notFound.status == .notFound)
            #expect(notFound.error == "not found: instance \(missing.wire)")
        }
    }

    @Test func contextIsReplacedWhole() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.nap)
            let body = """
                {"sequence_id": "\(sequence.wire)", "tenant_id": "acme", "namespace": "default",
                 "context": {"data": {"a": 1}, "config": {"c": true}}}
                """
            let created = try await api.send(.post, "/instances", body)
            let id = try #require(UUID(uuidString: created.json["id"]?.stringValue ?? ""))
            #expect(try await api.send(.get, "/instances/\(id.wire)").json["context"]?["config"] == ["c": true])
            let reply = try await api.send(.patch, "/instances/\(id.wire)/context", #"{"context": {"data": {"b": 2}}}"#)
            #expect(reply.status == .ok)
            let instance = try await api.send(.get, "/instances/\(id.wire)").json
            #expect(instance["context"]?["data"] == ["b": 2])
            #expect(instance["context"]?["config"] == [:])
            let wrong = try await api.send(
                .patch,
                "/instances/\(id.wire)/context",
                #"{"context": {"data": {}, "audit": 3}}"#
            )
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.error?.hasPrefix("unprocessable entity: context.audit: ") == true, "\(wrong.text)")
        }
    }

    @Test func unknownAndMalformedInstanceIDs() async throws {
        try await APIHarness().run { api in
            let missing = UUID()
            for path in ["/instances/\(missing.wire)", "/instances/\(missing.wire)/outputs"] {
                let reply = try await api.send(.get, path)
                #expect(reply.status == .notFound)
                #expect(reply.error == "not found: instance \(missing.wire)")
            }
            #expect(try await api.send(.post, "/instances/\(missing.wire)/retry").status == .notFound)
            let bad = try await api.send(.get, "/instances/123")
            #expect(bad.status == .badRequest)
            #expect(bad.error == "invalid argument: invalid UUID in path: '123'")
            #expect(
                try await api.send(.post, "/instances/xyz/signals", #"{"signal_type": "pause"}"#).status == .badRequest
            )
        }
    }
}
