import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// The sequence routes of ORCH8-SPEC §1.5 and their bad-input answers.
@Suite struct SequenceRouteTests {
    static let noop = #"[{"type": "step", "id": "a", "handler": "noop"}]"#

    @Test func createReturns201AndTheDefinitionReadsBack() async throws {
        try await APIHarness().run { api in
            let id = UUID()
            let body = APIClient.sequenceJSON(
                id: id,
                name: "onboarding",
                blocks: #"[{"type": "step", "id": "a", "handler": "noop", "timeout": 3000}]"#
            )
            let created = try await api.send(.post, "/sequences", body)
            #expect(created.status == .created)
            #expect(created.json == ["id": .string(id.wire)], "no warnings member when there are none")
            let read = try await api.send(.get, "/sequences/\(id.wire)")
            #expect(read.status == .ok)
            #expect(read.json["name"] == "onboarding")
            #expect(read.json["blocks"]?[0]?["timeout"] == 3000)
            #expect(read.json["deprecated"] == false)
        }
    }

    @Test func warningsNameUnknownHandlersAndBrokenTemplates() async throws {
        try await APIHarness().run { api in
            let body = APIClient.sequenceJSON(
                id: UUID(),
                name: "warned",
                blocks: """
                    [{"type": "step", "id": "a", "handler": "lgo"},
                     {"type": "step", "id": "b", "handler": "transform", "params": {"x": "{{nowhere.y}}"}},
                     {"type": "step", "id": "c", "handler": "send_invoice"},
                     {"type": "step", "id": "d", "handler": "wasm://plugin"}]
                    """
            )
            let reply = try await api.send(.post, "/sequences", body)
            #expect(reply.status == .created)
            let warnings = reply.json["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(warnings.count == 4, "\(warnings)")
            #expect(warnings.contains { $0.hasPrefix("block `d`: no WASM plugin 'plugin' is registered") })
            #expect(
                warnings.contains(
                    "block `a`: handler 'lgo' is not a built-in; steps using it will wait for an external worker (did you mean 'log'?)"
                )
            )
            #expect(warnings.contains { $0.hasPrefix("block `b`: template in params: ") })
            #expect(
                warnings.contains(
                    "block `c`: handler 'send_invoice' is not a built-in; steps using it will wait for an external worker"
                )
            )
        }
    }

    @Test func structuralProblemsAre400WithEveryMessage() async throws {
        try await APIHarness().run { api in
            let body = APIClient.sequenceJSON(
                id: UUID(),
                name: "dup",
                blocks: """
                    [{"type": "step", "id": "a", "handler": "noop", "retry": {"max_attempts": 0, "initial_backoff": 1, "max_backoff": 1}},
                     {"type": "step", "id": "a", "handler": "noop"}]
                    """
            )
            let reply = try await api.send(.post, "/sequences", body)
            #expect(reply.status == .badRequest)
            let error = try #require(reply.error)
            #expect(error.hasPrefix("invalid argument: "))
            #expect(error.contains("block `a`: duplicate block id: a"))
            #expect(error.contains("block `a`: retry.max_attempts must be > 0"))
            #expect(error.contains("; "))
        }
    }

    @Test func aMalformedInputSchemaIs400() async throws {
        try await APIHarness().run { api in
            let body = APIClient.sequenceJSON(
                id: UUID(),
                name: "schema",
                blocks: Self.noop,
                extra: #", "input_schema": {"type": "object", "properties": {"age": {"type": "integr"}}}"#
            )
            let reply = try await api.send(.post, "/sequences", body)
            #expect(reply.status == .badRequest)
            #expect(
                reply.error?.hasPrefix("invalid argument: input_schema: properties.age.type: unknown type \"integr\"")
                    == true
            )
        }
    }

    @Test func badBodiesAre400Or415Or422NeverA500() async throws {
        try await APIHarness().run { api in
            let malformed = try await api.send(.post, "/sequences", #"{"id": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.error?.hasPrefix("invalid argument: malformed JSON body: ") == true)

            let unknownType = APIClient.sequenceJSON(id: UUID(), name: "x", blocks: #"[{"type": "sleepy", "id": "a"}]"#)
            let unknown = try await api.send(.post, "/sequences", unknownType)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.error?.hasPrefix("unprocessable entity: blocks[0]") == true, "\(unknown.text)")

            let wrongType = APIClient.sequenceJSON(
                id: UUID(),
                name: "x",
                blocks:
                    #"[{"type": "step", "id": "a", "handler": "noop", "retry": {"max_attempts": "3", "initial_backoff": 1, "max_backoff": 1}}]"#
            )
            let wrong = try await api.send(.post, "/sequences", wrongType)
            #expect(wrong.status == .unprocessableContent)
            #expect(
                wrong.error
                    == "unprocessable entity: blocks[0].retry.max_attempts: expected non-negative integer, found string"
            )

            let missing = try await api.send(.post, "/sequences", #"{"tenant_id": "acme"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.error == "unprocessable entity: id: missing field")

            let badID = try await api.send(.post, "/sequences", #"{"id": "nope"}"#)
            #expect(badID.status == .unprocessableContent)

            let notJSON = try await api.send(.post, "/sequences", "{}", headers: [.contentType: "text/plain"])
            #expect(notJSON.status == .unsupportedMediaType)
        }
    }

    @Test func duplicatesAre409() async throws {
        try await APIHarness().run { api in
            let id = try await api.createSequence(Self.noop, name: "twice")
            let sameID = try await api.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: id, name: "other", blocks: Self.noop)
            )
            #expect(sameID.status == .conflict)
            #expect(sameID.error?.hasPrefix("already exists: ") == true)
            let sameName = try await api.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: UUID(), name: "twice", blocks: Self.noop)
            )
            #expect(sameName.status == .conflict)
        }
    }

    @Test func aBodyForAnotherTenantIs403() async throws {
        try await APIHarness().run { api in
            var other = api
            other.tenant = "globex"
            let reply = try await other.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: UUID(), name: "x", blocks: Self.noop)
            )
            #expect(reply.status == .forbidden)
            #expect(reply.error == "forbidden: tenant_id in body does not match X-Tenant-Id header")
        }
    }

    @Test func unknownIDsAre404AndBadUUIDsAre400() async throws {
        try await APIHarness().run { api in
            let unknown = UUID()
            let missing = try await api.send(.get, "/sequences/\(unknown.wire)")
            #expect(missing.status == .notFound)
            #expect(missing.error == "not found: sequence \(unknown.wire)")
            let bad = try await api.send(.get, "/sequences/not-a-uuid")
            #expect(bad.status == .badRequest)
            #expect(bad.error == "invalid argument: invalid UUID in path: 'not-a-uuid'")
            #expect(try await api.send(.delete, "/sequences/\(unknown.wire)").status == .notFound)
            #expect(try await api.send(.post, "/sequences/\(unknown.wire)/deprecate").status == .notFound)
        }
    }

    @Test func listPagesWithHasMore() async throws {
        try await APIHarness().run { api in
            for index in 0..<3 { try await api.createSequence(Self.noop, name: "page-\(index)") }
            let first = try await api.send(.get, "/sequences?limit=2")
            #expect(first.status == .ok)
            #expect(first.json["items"]?.arrayValue?.count == 2)
            #expect(first.json["has_more"] == true)
            let rest = try await api.send(.get, "/sequences?limit=2&offset=2")
            #expect(rest.json["items"]?.arrayValue?.count == 1)
            #expect(rest.json["has_more"] == false)
            var other = api
            other.tenant = "globex"
            let theirs = try await other.send(.get, "/sequences?tenant_id=acme")
            #expect(theirs.json["items"] == [], "the tenant header overrides the query")
            let badLimit = try await api.send(.get, "/sequences?limit=lots")
            #expect(badLimit.status == .badRequest)
            #expect(
                badLimit.error
                    == "invalid argument: query parameter `limit`: expected a non-negative integer, found 'lots'"
            )
            let all = try await api.send(.get, "/sequences.json")
            #expect(all.json.arrayValue?.count == 3)
        }
    }

    @Test func byNameFindsTheLatestLiveVersionAndVersionsListsAll() async throws {
        try await APIHarness().run { api in
            let v1 = try await api.createSequence(Self.noop, name: "flow", version: 1)
            let v2 = try await api.createSequence(Self.noop, name: "flow", version: 2)
            let query = "tenant_id=acme&namespace=default&name=flow"
            #expect(try await api.send(.get, "/sequences/by-name?\(query)").json["id"] == .string(v2.wire))
            #expect(try await api.send(.post, "/sequences/\(v2.wire)/deprecate").status == .noContent)
            #expect(try await api.send(.get, "/sequences/by-name?\(query)").json["id"] == .string(v1.wire))
            #expect(try await api.send(.get, "/sequences/by-name?\(query)&version=2").json["id"] == .string(v2.wire))
            let versions = try await api.send(.get, "/sequences/versions?\(query)")
            #expect(versions.json.arrayValue?.compactMap { $0["version"]?.intValue } == [2, 1])
            let none = try await api.send(.get, "/sequences/by-name?tenant_id=acme&namespace=default&name=nope")
            #expect(none.status == .notFound)
            #expect(none.error == "not found: sequence nope")
            let incomplete = try await api.send(.get, "/sequences/by-name?namespace=default")
            #expect(incomplete.status == .badRequest)
        }
    }

    @Test func deleteRefusesWhileInstancesAreActive() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 60000}}]"#
            )
            let instance = try await api.createInstance(sequence)
            let refused = try await api.send(.delete, "/sequences/\(sequence.wire)")
            #expect(refused.status == .conflict)
            #expect(refused.error == "conflict: cannot delete sequence \(sequence.wire): 1 active instance(s)")
            _ = try await api.send(.post, "/instances/\(instance.wire)/signals", #"{"signal_type": "cancel"}"#)
            try await api.waitFor(instance, "cancelled")
            #expect(try await api.send(.delete, "/sequences/\(sequence.wire)").status == .noContent)
            #expect(try await api.send(.get, "/sequences/\(sequence.wire)").status == .notFound)
        }
    }
}
