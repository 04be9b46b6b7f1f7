import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// gRPC plugins (JSON over HTTP/2) through the REST API against a real h2c server on loopback
/// (PLUGINS.md §1, §4).
@Suite struct GRPCPluginTests {
    /// Registers `name` as a grpc plugin whose source is `method` on `server`.
    func register(_ api: APIClient, _ name: String, _ server: HTTP2TestServer, _ method: String) async throws {
        let reply = try await api.send(
            .post,
            "/plugins",
            #"{"name": "\#(name)", "plugin_type": "grpc", "source": "grpc://127.0.0.1:\#(server.port)/\#(method)"}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
    }

    func lastMessage(_ api: APIClient, _ id: UUID) async throws -> String {
        try await api.outputs(id).last?["output"]?["message"]?.stringValue ?? ""
    }

    @Test func aRegisteredPluginGetsTheEnvelopeAndItsAnswerIsTheOutput() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                try await register(api, "enrich", server, "Test.Echo")
                let sequence = try await api.createSequence(
                    """
                    [{"type": "step", "id": "lookup", "handler": "grpc://enrich",
                      "params": {"domain": "{{context.data.domain}}"}}]
                    """
                )
                let id = try await api.createInstance(sequence, data: #"{"domain": "example.com"}"#)
                try await api.waitFor(id, "completed")
                let row = try await api.outputs(id).first
                #expect(row?["output"] == ["echo": ["domain": "example.com"], "attempt": 1])
                // A gRPC call's cost is its duration only.
                #expect(row?["cost"]?.objectValue?.keys.sorted() == ["duration_us"], "\(String(describing: row))")
                #expect((row?["cost"]?["duration_us"]?.intValue ?? 0) > 0)
            }
        }
    }

    @Test func fiveHundredsAreRetriedAndFourHundredsAreNot() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                try await register(api, "svc", server, "Test.Echo")
                let retry = #""retry": {"max_attempts": 4, "initial_backoff": 10, "max_backoff": 10}"#
                let flaky = try await api.createSequence(
                    #"[{"type": "step", "id": "s", "handler": "grpc://127.0.0.1:\#(server.port)/Test.Flaky", \#(retry)}]"#
                )
                let reject = try await api.createSequence(
                    #"[{"type": "step", "id": "s", "handler": "grpc://127.0.0.1:\#(server.port)/Test.Reject", \#(retry)}]"#
                )
                let first = try await api.createInstance(flaky)
                let second = try await api.createInstance(reject)
                try await api.waitFor(first, "completed")
                #expect(server.calls(to: "/Test/Flaky") == 3)
                try await api.waitFor(second, "failed")
                #expect(server.calls(to: "/Test/Reject") == 1)
                #expect(try await lastMessage(api, second).contains("answered 400: bad lead"))
            }
        }
    }

    @Test func refusedSlowDroppedAndNonJSONCallsFailAsTheyShould() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                try await register(api, "svc", server, "Test.Echo")
                // A port nobody listens on any more: a server that was closed.
                let gone = try await HTTP2TestServer.with { $0 }
                try await register(api, "gone", gone, "Test.Echo")
                let sequences = [
                    #"[{"type": "step", "id": "s", "handler": "grpc://gone", "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]"#,
                    #"[{"type": "step", "id": "s", "handler": "grpc://127.0.0.1:\#(server.port)/Test.Slow", "timeout": 300}]"#,
                    #"[{"type": "step", "id": "s", "handler": "grpc://127.0.0.1:\#(server.port)/Test.Html"}]"#,
                ]
                var ids: [UUID] = []
                for blocks in sequences {
                    ids.append(try await api.createInstance(try await api.createSequence(blocks)))
                }
                for id in ids { try await api.waitFor(id, "failed") }
                #expect(try await lastMessage(api, ids[0]).contains("cannot connect"))
                #expect(
                    try await api.outputs(ids[0]).count { $0["output_ref"] == "__retry__" } == 1,
                    "refused is retried"
                )
                #expect(try await lastMessage(api, ids[1]).contains("no answer within 300 ms"))
                #expect(try await lastMessage(api, ids[2]).contains("not JSON: <html>hello</html>"))
            }
        }
    }

    @Test func aServerThatDiesMidCallIsRetriedOnAFreshConnection() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                try await register(api, "svc", server, "Test.Echo")
                let sequence = try await api.createSequence(
                    """
                    [{"type": "step", "id": "s", "handler": "grpc://127.0.0.1:\(server.port)/Test.Drop",
                      "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]
                    """
                )
                let id = try await api.createInstance(sequence)
                try await api.waitFor(id, "failed")
                #expect(try await lastMessage(api, id).contains("connection lost"))
                #expect(server.calls(to: "/Test/Drop") == 2, "retried")
                #expect(server.connections == 2, "the second attempt dialled again")
            }
        }
    }

    @Test func aPatchedEndpointIsUsedByTheNextCall() async throws {
        try await HTTP2TestServer.with { first in
            try await HTTP2TestServer.with { second in
                try await APIHarness().run { api in
                    try await register(api, "enrich", first, "Test.Echo")
                    let sequence = try await api.createSequence(
                        #"[{"type": "step", "id": "s", "handler": "grpc://enrich"}]"#
                    )
                    try await api.waitFor(try await api.createInstance(sequence), "completed")
                    let patch = try await api.send(
                        .patch,
                        "/plugins/enrich",
                        #"{"source": "grpc://127.0.0.1:\#(second.port)/Test.Echo"}"#
                    )
                    #expect(patch.status == .ok, "\(patch.text)")
                    try await api.waitFor(try await api.createInstance(sequence), "completed")
                    #expect(first.calls(to: "/Test/Echo") == 1)
                    #expect(second.calls(to: "/Test/Echo") == 1)
                    let bad = try await api.send(.patch, "/plugins/enrich", #"{"source": "grpc://no-port/Svc.M"}"#)
                    #expect(bad.status == .badRequest)
                    #expect(bad.error?.contains("must name host:port") == true)
                }
            }
        }
    }

    @Test func afterAGoAwayTheNextCallDialsANewConnection() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                try await register(api, "bye", server, "Test.GoAway")
                try await register(api, "echo", server, "Test.Echo")
                let first = try await api.createSequence(#"[{"type": "step", "id": "s", "handler": "grpc://bye"}]"#)
                let second = try await api.createSequence(#"[{"type": "step", "id": "s", "handler": "grpc://echo"}]"#)
                try await api.waitFor(try await api.createInstance(first), "completed")
                // Give the GOAWAY time to arrive before the next call.
                try await Task.sleep(for: .milliseconds(200))
                try await api.waitFor(try await api.createInstance(second), "completed")
                #expect(server.connections == 2)
            }
        }
    }

    @Test func aDirectEndpointMustBeRegisteredOrAllowed() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                let sequence = try await api.createSequence(
                    #"[{"type": "step", "id": "s", "handler": "grpc://127.0.0.1:\#(server.port)/Test.Echo"}]"#
                )
                let id = try await api.createInstance(sequence)
                try await api.waitFor(id, "failed")
                #expect(try await lastMessage(api, id).contains("is not allowed"))
                #expect(server.calls(to: "/Test/Echo") == 0)
            }
        }
    }

    @Test func aHundredInstancesShareOnePooledConnection() async throws {
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                try await register(api, "enrich", server, "Test.Echo")
                let sequence = try await api.createSequence(
                    #"[{"type": "step", "id": "s", "handler": "grpc://enrich", "params": {"n": 1}}]"#
                )
                let batch = Array(repeating: APIClient.instanceJSON(sequence), count: 100).joined(separator: ",")
                #expect(
                    try await api.send(.post, "/instances/batch", #"{"instances": [\#(batch)]}"#).status == .created
                )
                let deadline = ContinuousClock.now + .seconds(30)
                var done = 0
                while done < 100 && ContinuousClock.now < deadline {
                    done =
                        try await api.send(.get, "/instances?state=completed&limit=1000").json["items"]?.arrayValue?
                        .count ?? 0
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(done == 100)
                #expect(server.calls(to: "/Test/Echo") == 100)
                #expect(server.connections == 1)
                #expect(server.peakConcurrency > 1, "streams were multiplexed on the one connection")
            }
        }
    }

    @Test func wasmValidateThenGRPCEnrichThenWasmScore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-combined-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let validate = try PluginModules.write(
            PluginModules.plugin(returning: #"{"valid":true}"#),
            to: directory,
            as: "v.wasm"
        )
        let score = try PluginModules.write(
            PluginModules.plugin(returning: #"{"score":87}"#),
            to: directory,
            as: "s.wasm"
        )
        try await HTTP2TestServer.with { server in
            try await APIHarness().run { api in
                for (name, path) in [("validate", validate), ("score", score)] {
                    let reply = try await api.send(
                        .post,
                        "/plugins",
                        #"{"name": "\#(name)", "plugin_type": "wasm", "source": "\#(path)"}"#
                    )
                    #expect(reply.status == .created, "\(reply.text)")
                }
                try await register(api, "enrich", server, "Test.Echo")
                let sequence = try await api.createSequence(
                    """
                    [{"type": "step", "id": "check", "handler": "wasm://validate"},
                     {"type": "step", "id": "lookup", "handler": "grpc://enrich", "params": {"valid": "{{outputs.check.valid}}"}},
                     {"type": "step", "id": "rank", "handler": "wasm://score"}]
                    """
                )
                let id = try await api.createInstance(sequence)
                try await api.waitFor(id, "completed")
                let outputs = try await api.outputs(id)
                #expect(
                    outputs.map { $0["output"] ?? .null } == [
                        ["valid": true], ["echo": ["valid": true], "attempt": 1], ["score": 87],
                    ]
                )
            }
        }
    }
}
