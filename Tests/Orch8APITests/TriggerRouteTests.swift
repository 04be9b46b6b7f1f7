import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// The trigger routes of ORCH8-SPEC §1.10: the life of a trigger, bad bodies, tenant isolation, and
/// firing, which starts an instance of the trigger's sequence with the body as its data.
@Suite struct TriggerRouteTests {
    /// One step that echoes `context.data.x` and says which version ran.
    static func echoBlocks(version: Int = 1) -> String {
        #"[{"type": "step", "id": "echo", "handler": "transform", "params": {"echo": "{{context.data.x}}", "v": \#(version)}}]"#
    }

    @Test func aTriggerIsCreatedReadListedAndDeleted() async throws {
        try await APIHarness().run { api in
            let created = try await api.createTrigger(
                "orders",
                sequence: "fulfil",
                extra: #", "secret": "s3cret", "config": {"path": "/in"}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let trigger = created.json
            #expect(trigger["slug"] == "orders")
            #expect(trigger["sequence_name"] == "fulfil")
            #expect(trigger["version"] == .null, "not pinned")
            #expect(trigger["tenant_id"] == "acme", "the header's tenant owns it")
            #expect(trigger["namespace"] == "default")
            #expect(trigger["enabled"] == true)
            #expect(trigger["trigger_type"] == "webhook")
            #expect(trigger["config"] == ["path": "/in"])
            #expect(trigger["has_secret"] == true)
            #expect(trigger["secret"] == nil, "the secret is never sent back")
            #expect(!created.text.contains("s3cret"))
            #expect(trigger["created_at"]?.stringValue.flatMap(RFC3339.parse) != nil)
            #expect(trigger["created_at"] == trigger["updated_at"])

            let read = try await api.send(.get, "/triggers/orders")
            #expect(read.status == .ok)
            #expect(read.json == trigger, "the answer to POST is what GET reads back")

            let pinned = try await api.createTrigger(
                "billing",
                sequence: "invoice",
                extra: #", "version": 2, "namespace": "finance", "trigger_type": "event", "enabled": false"#
            )
            #expect(pinned.status == .created, "\(pinned.text)")
            #expect(pinned.json["version"] == 2)
            #expect(pinned.json["namespace"] == "finance")
            #expect(pinned.json["trigger_type"] == "event")
            #expect(pinned.json["enabled"] == false)
            #expect(pinned.json["has_secret"] == false)
            #expect(pinned.json["config"] == [:])
            #expect(try await api.send(.get, "/triggers").json == [pinned.json, trigger], "by slug")
            #expect(try await api.send(.get, "/triggers?limit=1").json == [pinned.json])

            let duplicate = try await api.createTrigger("orders", sequence: "other")
            #expect(duplicate.status == .conflict)
            #expect(duplicate.error == "already exists: trigger 'orders'")

            let deleted = try await api.send(.delete, "/triggers/orders")
            #expect(deleted.status == .noContent)
            #expect(deleted.text.isEmpty)
            let gone = try await api.send(.get, "/triggers/orders")
            #expect(gone.status == .notFound)
            #expect(gone.error == "not found: trigger 'orders'")
            #expect(try await api.send(.delete, "/triggers/orders").status == .notFound)
            #expect(try await api.send(.get, "/triggers").json == [pinned.json])
            // The bare mount serves the same routes.
            #expect(try await api.send(.get, "/triggers/billing", mount: "").json == pinned.json)
        }
    }

    @Test func badBodiesAreRefusedNamingTheField() async throws {
        try await APIHarness().run { api in
            let cases: [(body: String, status: HTTPResponse.Status, error: String)] = [
                (#"{"sequence_name": "s"}"#, .unprocessableContent, "unprocessable entity: slug: missing field"),
                (#"{"slug": "a"}"#, .unprocessableContent, "unprocessable entity: sequence_name: missing field"),
                (
                    #"{"slug": "a", "sequence_name": "s", "trigger_type": "cron"}"#, .unprocessableContent,
                    "unprocessable entity: trigger_type: unknown variant `cron`, expected one of `webhook`, `nats`, "
                        + "`file_watch`, `event`, `activepieces_poll`"
                ),
                (
                    #"{"slug": "a", "sequence_name": "s", "version": "2"}"#, .unprocessableContent,
                    "unprocessable entity: version: expected integer, found string"
                ),
                (
                    #"{"slug": "new orders", "sequence_name": "s"}"#, .badRequest,
                    "invalid argument: `slug` may contain only letters A-Z a-z, digits, '_' and '-': "
                        + "found ' ' in 'new orders'"
                ),
                (#"{"slug": "", "sequence_name": "s"}"#, .badRequest, "invalid argument: `slug` must not be empty"),
                (
                    #"{"slug": "\#(String(repeating: "a", count: 129))", "sequence_name": "s"}"#, .badRequest,
                    "invalid argument: `slug` is 129 characters long, more than 128"
                ),
                (
                    #"{"slug": "a", "sequence_name": " "}"#, .badRequest,
                    "invalid argument: `sequence_name` must not be empty"
                ),
                (
                    #"{"slug": "a", "sequence_name": "s", "namespace": ""}"#, .badRequest,
                    "invalid argument: `namespace` must not be empty"
                ),
                (
                    #"{"slug": "a", "sequence_name": "s", "version": 0}"#, .badRequest,
                    "invalid argument: `version` must be between 1 and 2147483647, found 0"
                ),
                (
                    #"{"slug": "a", "sequence_name": "s", "config": [1]}"#, .badRequest,
                    "invalid argument: `config` must be an object, found array"
                ),
                (
                    #"{"slug": "a", "sequence_name": "s", "secret": ""}"#, .badRequest,
                    "invalid argument: `secret` must not be empty when given"
                ),
            ]
            for (body, status, error) in cases {
                let reply = try await api.send(.post, "/triggers", body)
                #expect(reply.status == status, "\(body) → \(reply.text)")
                #expect(reply.error == error, "\(body)")
            }
            #expect(try await api.send(.get, "/triggers").json == [], "nothing was stored")
            // The longest slug is fine.
            let longest = String(repeating: "a", count: 128)
            #expect(try await api.createTrigger(longest, sequence: "s").status == .created)
        }
    }

    @Test func oneTenantNeitherSeesNorFiresAnothersTriggers() async throws {
        try await APIHarness().run { api in
            try await api.createSequence(Self.echoBlocks(), name: "echo")
            #expect(try await api.createTrigger("acme-hook", sequence: "echo").status == .created)
            var globex = api
            globex.tenant = "globex"
            #expect(try await globex.send(.get, "/triggers").json == [])
            #expect(try await globex.send(.get, "/triggers?tenant_id=acme").json == [], "the header wins")
            for (method, path) in [
                (HTTPRequest.Method.get, "/triggers/acme-hook"), (.post, "/triggers/acme-hook/fire"),
                (.delete, "/triggers/acme-hook"),
            ] {
                let reply = try await globex.send(method, path)
                #expect(reply.status == .notFound, "\(method) \(path)")
                #expect(reply.error == "not found: trigger 'acme-hook'")
            }
            let taken = try await globex.createTrigger("acme-hook", sequence: "theirs")
            #expect(taken.status == .conflict, "slugs are global")
            let forged = try await globex.createTrigger("forged", sequence: "echo", extra: #", "tenant_id": "acme""#)
            #expect(forged.status == .forbidden)
            #expect(forged.error == "forbidden: tenant_id in body does not match X-Tenant-Id header")

            #expect(try await api.send(.get, "/triggers/acme-hook").status == .ok, "still there")
            #expect(try await api.send(.get, "/instances").json["items"] == [], "nothing was fired")
        }
    }

    @Test func fireStartsAnInstanceWithTheBodyAsItsData() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(Self.echoBlocks(), name: "echo")
            #expect(try await api.createTrigger("greet", sequence: "echo").status == .created)
            let fired = try await api.send(.post, "/triggers/greet/fire", #"{"x": "hello", "n": [1, 2.5]}"#)
            #expect(fired.status == .created, "\(fired.text)")
            #expect(fired.json["trigger"] == "greet")
            #expect(fired.json["sequence_name"] == "echo")
            let id = try #require(fired.json["instance_id"]?.stringValue.flatMap(UUID.init(uuidString:)))

            let instance = try await api.waitFor(id, "completed")
            #expect(instance["sequence_id"] == .string(sequence.wire))
            #expect(instance["tenant_id"] == "acme")
            #expect(instance["namespace"] == "default")
            #expect(instance["context"]?["data"] == ["x": "hello", "n": [1, 2.5]])
            #expect(instance["metadata"] == ["source": "http_fire", "trigger": "greet"])
            #expect(try await api.outputs(id).last?["output"] == ["echo": "hello", "v": 1])

            // An empty body is `{}`, with or without a content type.
            for body: String? in [nil, ""] {
                let reply = try await api.send(.post, "/triggers/greet/fire", body)
                #expect(reply.status == .created, "\(reply.text)")
                let empty = try #require(reply.json["instance_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
                #expect(try await api.waitFor(empty, "completed")["context"]?["data"] == [:])
            }
        }
    }

    @Test func fireResolvesThePinnedOrTheLatestNonDeprecatedVersion() async throws {
        try await APIHarness().run { api in
            let v1 = try await api.createSequence(Self.echoBlocks(version: 1), name: "echo", version: 1)
            let v2 = try await api.createSequence(Self.echoBlocks(version: 2), name: "echo", version: 2)
            let v3 = try await api.createSequence(Self.echoBlocks(version: 3), name: "echo", version: 3)
            #expect(try await api.send(.post, "/sequences/\(v3.wire)/deprecate").status == .noContent)
            #expect(try await api.createTrigger("latest", sequence: "echo").status == .created)
            #expect(
                try await api.createTrigger("pinned", sequence: "echo", extra: #", "version": 1"#).status == .created
            )
            #expect(
                try await api.createTrigger("deprecated", sequence: "echo", extra: #", "version": 3"#).status
                    == .created
            )
            for (slug, expected) in [("latest", v2), ("pinned", v1), ("deprecated", v3)] {
                let fired = try await api.send(.post, "/triggers/\(slug)/fire", #"{"x": "\#(slug)"}"#)
                #expect(fired.status == .created, "\(fired.text)")
                let id = try #require(fired.json["instance_id"]?.stringValue.flatMap(UUID.init(uuidString:)))
                let instance = try await api.waitFor(id, "completed")
                #expect(instance["sequence_id"] == .string(expected.wire), "\(slug)")
            }
        }
    }

    @Test func aDisabledTriggerOrAMissingSequenceStartsNothing() async throws {
        try await APIHarness().run { api in
            try await api.createSequence(Self.echoBlocks(), name: "echo")
            _ = try await api.createTrigger("off", sequence: "echo", extra: #", "enabled": false"#)
            let disabled = try await api.send(.post, "/triggers/off/fire", #"{"x": 1}"#)
            #expect(disabled.status == .conflict)
            #expect(disabled.error == "conflict: trigger 'off' is disabled")

            _ = try await api.createTrigger("orphan", sequence: "nope")
            let missing = try await api.send(.post, "/triggers/orphan/fire", "{}")
            #expect(missing.status == .notFound)
            #expect(missing.error == "not found: sequence 'nope' in namespace 'default' of trigger 'orphan'")

            _ = try await api.createTrigger("elsewhere", sequence: "echo", extra: #", "namespace": "other""#)
            let otherNamespace = try await api.send(.post, "/triggers/elsewhere/fire", "{}")
            #expect(otherNamespace.error == "not found: sequence 'echo' in namespace 'other' of trigger 'elsewhere'")

            _ = try await api.createTrigger("future", sequence: "echo", extra: #", "version": 9"#)
            let noVersion = try await api.send(.post, "/triggers/future/fire", "{}")
            #expect(noVersion.status == .notFound)
            #expect(
                noVersion.error == "not found: sequence 'echo' (version 9) in namespace 'default' of trigger 'future'"
            )

            let unknown = try await api.send(.post, "/triggers/nobody/fire", "{}")
            #expect(unknown.status == .notFound)
            #expect(unknown.error == "not found: trigger 'nobody'")

            _ = try await api.createTrigger("on", sequence: "echo")
            for body in ["[1]", #""text""#, "3"] {
                let reply = try await api.send(.post, "/triggers/on/fire", body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.error?.contains("must be a JSON object") == true, "\(reply.text)")
            }
            #expect(try await api.send(.post, "/triggers/on/fire", "{").status == .badRequest)
            let untyped = try await api.send(.post, "/triggers/on/fire", "{}", headers: [.contentType: "text/plain"])
            #expect(untyped.status == .unsupportedMediaType)
            #expect(try await api.send(.get, "/instances").json["items"] == [], "nothing was started")
        }
    }
}

extension APIClient {
    /// `POST /triggers` of `slug` for `sequence`, plus `extra` members (JSON text starting with a comma).
    func createTrigger(_ slug: String, sequence: String, extra: String = "") async throws -> Reply {
        try await send(.post, "/triggers", #"{"slug": "\#(slug)", "sequence_name": "\#(sequence)"\#(extra)}"#)
    }
}
