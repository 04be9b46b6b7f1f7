import Foundation
import HTTPTypes
import HummingbirdTesting
import Orch8API
import Orch8Core
import Testing

/// The same application over a real socket: what the router tests cannot see (the server's own error
/// handling, bodies arriving in parts, headers on the wire).
@Suite struct LiveServerTests {
    @Test func aWorkflowOverHTTP() async throws {
        let configuration = APIConfiguration(port: 0, maxBodyBytes: 64 * 1024)
        try await APIHarness().run(configuration, setup: .live) { api in
            #expect(try await api.send(.get, "/health/live", mount: "").status == .ok)
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "hello", "handler": "log", "params": {"message": "hi {{context.data.who}}"}},
                 {"type": "step", "id": "echo", "handler": "transform", "params": {"said": "{{outputs.hello.message}}"}}]
                """
            )
            let id = try await api.createInstance(sequence, data: #"{"who": "there"}"#)
            try await api.waitFor(id, "completed")
            let outputs = try await api.outputs(id)
            #expect(outputs.last?["output"] == ["said": "hi there"])

            let bare = try await api.send(.get, "/instances/\(id.wire)", mount: "")
            #expect(bare.status == .ok)
            #expect(bare.headers[.deprecation] == "@1767225600")
            #expect(bare.headers[.requestID] != nil)
        }
    }

    @Test func badInputOverHTTPIsNeverA500() async throws {
        let configuration = APIConfiguration(port: 0, maxBodyBytes: 1024)
        try await APIHarness().run(configuration, setup: .live) { api in
            let malformed = try await api.send(.post, "/sequences", "{nope")
            #expect(malformed.status == .badRequest)
            #expect(malformed.error?.hasPrefix("invalid argument: malformed JSON body") == true)
            let large = try await api.send(.post, "/sequences", "[" + String(repeating: "1,", count: 1000) + "1]")
            #expect(large.status == .contentTooLarge)
            #expect(large.error == "payload too large: request body exceeds the limit of 1024 bytes")
            let unknown = try await api.send(.get, "/no/such/route")
            #expect(unknown.status == .notFound)
            let badID = try await api.send(.get, "/instances/not-a-uuid")
            #expect(badID.status == .badRequest)
        }
    }
}
