import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Orch8API
import Orch8Core
import Orch8Engine
import Orch8Storage
import Testing

/// Root-only public routes, the two mounts, request ids (ORCH8-SPEC §1.1, §1.4).
@Suite struct HealthAndMountTests {
    @Test func liveAndReadyAnswerWithEmptyBodies() async throws {
        try await APIHarness().run { api in
            let live = try await api.send(.get, "/health/live", mount: "")
            #expect(live.status == .ok)
            #expect(live.text.isEmpty)
            // The engine starts with the application; readiness follows it.
            var ready = try await api.send(.get, "/health/ready", mount: "")
            for _ in 0..<200 where ready.status != .ok {
                try await Task.sleep(for: .milliseconds(25))
                ready = try await api.send(.get, "/health/ready", mount: "")
            }
            #expect(ready.status == .ok)
            #expect(ready.text.isEmpty)
            // Root only: not under /api/v1.
            #expect(try await api.send(.get, "/health/live").status == .notFound)
        }
    }

    @Test func readinessIs503WhileTheEngineIsNotRunning() async throws {
        let store = try SQLiteStore.inMemory()
        let engine = Engine(store: store)
        // The engine is not among the application's services: it never starts.
        let app = buildApplication(
            configuration: APIConfiguration(),
            store: store,
            engine: engine,
            services: [],
            logger: Logger(label: "orch8.api.test")
        )
        try await app.test(.router) { client in
            let ready = try await client.executeRequest(uri: "/health/ready", method: .get, headers: [:], body: nil)
            #expect(ready.status == .serviceUnavailable)
            let live = try await client.executeRequest(uri: "/health/live", method: .get, headers: [:], body: nil)
            #expect(live.status == .ok, "alive, just not ready")
        }
    }

    @Test func theDefaultBodyLimitIsTenMebibytes() async throws {
        #expect(APIConfiguration().maxBodyBytes == 10 * 1024 * 1024)
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "a", "handler": "noop"}]"#)
            let padding = String(repeating: "x", count: 10 * 1024 * 1024)
            let big = APIClient.instanceJSON(sequence, data: #"{"pad": "\#(padding)"}"#)
            let reply = try await api.send(.post, "/instances", big)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.error?.hasPrefix("payload too large") == true, "\(reply.text)")
        }
    }

    @Test func infoIsPublicAndDescribesTheBuild() async throws {
        let configuration = APIConfiguration(apiKey: "secret", environmentLabel: "staging", environmentColor: "amber")
        try await APIHarness().run(configuration) { api in
            var anonymous = api
            anonymous.tenant = nil
            let info = try await anonymous.send(.get, "/info", mount: "")
            #expect(info.status == .ok)
            #expect(info.json["version"] == "0.1.0")
            #expect(info.json["storage_schema_version"] == 80)
            #expect(info.json["contract_schema_version"] == 1)
            #expect(info.json["env_label"] == "staging")
            #expect(info.json["env_color"] == "amber")
            #expect(try await anonymous.send(.get, "/health/live", mount: "").status == .ok)
        }
    }

    @Test func handlersListsTheBuiltins() async throws {
        try await APIHarness().run { api in
            let reply = try await api.send(.get, "/handlers")
            #expect(reply.status == .ok)
            let builtin = reply.json["builtin"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(
                builtin == [
                    "assert", "delete_state", "emit_event", "fail", "get_state", "http_request", "human_review",
                    "llm_call", "log", "merge_state", "noop", "query_instance", "send_signal", "set_state", "sleep",
                    "transform",
                ]
            )
            #expect(reply.json["external"] == [])
        }
    }

    @Test func bothMountsServeTheSameRoutesAndTheBareOneIsDeprecated() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "a", "handler": "noop"}]"#)
            let versioned = try await api.send(.get, "/sequences/\(sequence.wire)")
            let bare = try await api.send(.get, "/sequences/\(sequence.wire)?x=1", mount: "")
            #expect(versioned.status == .ok)
            #expect(bare.status == .ok)
            #expect(versioned.json == bare.json)
            #expect(versioned.headers[.deprecation] == nil)
            #expect(bare.headers[.deprecation] == "@1767225600")
            #expect(bare.headers[.sunset] == "Sat, 01 Jan 2028 00:00:00 GMT")
            #expect(bare.headers[.link] == "</api/v1/sequences/\(sequence.wire)?x=1>; rel=\"successor-version\"")
            // Errors of the bare mount carry the headers too.
            let missing = try await api.send(.get, "/sequences/\(UUID().wire)", mount: "")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.deprecation] == "@1767225600")
        }
    }

    @Test func requestIDsAreEchoedOrGenerated() async throws {
        try await APIHarness().run { api in
            let echoed = try await api.send(.get, "/health/live", headers: [.requestID: "req-42"], mount: "")
            #expect(echoed.headers[.requestID] == "req-42")
            let generated = try await api.send(.get, "/sequences")
            #expect(UUID(uuidString: generated.headers[.requestID] ?? "") != nil)
        }
    }

    @Test func unknownRoutesAre404() async throws {
        try await APIHarness().run { api in
            let reply = try await api.send(.get, "/nothing-here")
            #expect(reply.status == .notFound)
            #expect(reply.text.isEmpty)
        }
    }
}

extension HTTPField.Name {
    static let deprecation = HTTPField.Name("Deprecation")!
    static let sunset = HTTPField.Name("Sunset")!
    static let link = HTTPField.Name("Link")!
}
