import Foundation
import HTTPTypes
import Orch8Core
import Orch8Handlers
import Testing

/// The `http_request` built-in against a real HTTP server on loopback (ORCH8-SPEC §4).
@Suite struct HTTPRequestTests {
    let open: [String: any StepHandler] = ["http_request": HTTPRequestHandler(allowInternalURLs: true)]

    func run(_ api: APIClient, _ step: String) async throws -> UUID {
        let sequence = try await api.createSequence(
            #"[{"type": "step", "id": "call", "handler": "http_request", \#(step)}]"#
        )
        return try await api.createInstance(sequence)
    }

    func last(_ api: APIClient, _ id: UUID) async throws -> JSON {
        try await api.outputs(id).last?["output"] ?? .null
    }

    @Test func jsonAnswersAreParsedTextStaysTextAndBodiesAndHeadersGoOut() async throws {
        try await HTTPTestServer.with { server in
            try await APIHarness().run(extraHandlers: open) { api in
                let json = try await run(api, #""params": {"url": "\#(server.base)/json"}"#)
                let text = try await run(api, #""params": {"url": "\#(server.base)/text"}"#)
                let post = try await run(
                    api,
                    #""params": {"url": "\#(server.base)/echo", "method": "post", "body": {"n": 1}, "headers": {"x-token": "t0k"}}"#
                )
                let redirect = try await run(api, #""params": {"url": "\#(server.base)/redirect"}"#)
                for id in [json, text, post, redirect] { try await api.waitFor(id, "completed") }
                let first = try await last(api, json)
                #expect(first["status"] == 200)
                #expect(first["body"] == ["ok": true])
                #expect(first["headers"]?["content-type"] == "application/json")
                #expect(try await last(api, text)["body"] == "plain words")
                let echoed = try await last(api, post)["body"]
                #expect(echoed?["method"] == "POST")
                #expect(echoed?["type"] == "application/json")
                #expect(echoed?["token"] == "t0k")
                #expect(echoed?["body"]?.stringValue.flatMap { try? JSON.parse($0) } == ["n": 1])
                #expect(try await last(api, redirect)["body"] == ["ok": true])
            }
        }
    }

    @Test func fiveHundredsRetryFourHundredsAndHugeAnswersDoNot() async throws {
        try await HTTPTestServer.with { server in
            try await APIHarness().run(extraHandlers: open) { api in
                let retry = #""retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}"#
                let unavailable = try await run(api, #""params": {"url": "\#(server.base)/status/503"}, \#(retry)"#)
                let missing = try await run(api, #""params": {"url": "\#(server.base)/status/404"}, \#(retry)"#)
                let limited = try await run(api, #""params": {"url": "\#(server.base)/status/429"}, \#(retry)"#)
                let big = try await run(api, #""params": {"url": "\#(server.base)/big"}, \#(retry)"#)
                let badMethod = try await run(api, #""params": {"url": "\#(server.base)/json", "method": "BREW"}"#)
                let badURL = try await run(api, #""params": {"url": "ftp://example.com/x"}"#)
                for id in [unavailable, missing, limited, big, badMethod, badURL] {
                    try await api.waitFor(id, "failed")
                }
                #expect(try await api.outputs(unavailable).count { $0["output_ref"] == "__retry__" } == 1)
                #expect(try await api.outputs(missing).count { $0["output_ref"] == "__retry__" } == 0)
                #expect(try await api.outputs(limited).count { $0["output_ref"] == "__retry__" } == 1)
                #expect(try await last(api, missing)["details"]?["status"] == 404)
                #expect(
                    try await last(api, big)["message"]?.stringValue?.contains("larger than 10485760 bytes") == true
                )
                #expect(try await last(api, badMethod)["message"]?.stringValue?.contains("params.method") == true)
                #expect(try await last(api, badURL)["message"]?.stringValue?.contains("params.url") == true)
            }
        }
    }

    @Test func refusedConnectionsAreRetryable() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let port = try await HTTPTestServer.with { $0.port }
        try await APIHarness().run(extraHandlers: open) { api in
            let retry = #""retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}"#
            let id = try await run(api, #""params": {"url": "http://127.0.0.1:\#(port)/json"}, \#(retry)"#)
            try await api.waitFor(id, "failed")
            #expect(try await api.outputs(id).count { $0["output_ref"] == "__retry__" } == 1)
        }
    }

    @Test func theGuardRefusesInternalAddressesWithoutSendingAnything() async throws {
        try await HTTPTestServer.with { server in
            // The standard handlers, as `orch8 serve` has them without ORCH8_ALLOW_INTERNAL_URLS.
            try await APIHarness().run { api in
                let loopback = try await run(api, #""params": {"url": "\#(server.base)/json"}"#)
                let metadata = try await run(api, #""params": {"url": "http://169.254.169.254/latest/meta-data/"}"#)
                let named = try await run(api, #""params": {"url": "http://localhost:\#(server.port)/json"}"#)
                for id in [loopback, metadata, named] { try await api.waitFor(id, "failed") }
                #expect(
                    try await last(api, loopback)["message"]?.stringValue?.contains(
                        "blocked: URL targets a private/internal network address"
                    ) == true
                )
                #expect(try await last(api, metadata)["message"]?.stringValue?.contains("169.254.169.254") == true)
                #expect(try await last(api, named)["message"]?.stringValue?.contains("blocked") == true)
            }
            #expect(server.requests == 0)
        }
    }

    @Test func theGuardKnowsItsRanges() {
        for inside in [
            "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
            "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "224.0.0.1",
        ] {
            #expect(InternalAddressGuard.isInternal(inside), "\(inside)")
        }
        for outside in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "93.184.216.34"] {
            #expect(!InternalAddressGuard.isInternal(outside), "\(outside)")
        }
    }
}
