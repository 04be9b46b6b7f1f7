import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// `POST /instances/{id}/signals` and what the engine does with the signals (ORCH8-SPEC §1.7, §7.6).
@Suite struct SignalRouteTests {
    @Test func pauseResumeUpdateAndCancelASleepingInstance() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                """
                [{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 60000}},
                 {"type": "step", "id": "after", "handler": "noop"}]
                """
            )
            let id = try await api.createInstance(sequence)
            // Let the engine reach the sleep: the instance is then scheduled for when the sleep ends.
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let instance = try await api.send(.get, "/instances/\(id.wire)").json
                let due = instance["next_fire_at"]?.stringValue.flatMap(RFC3339.parse)
                if instance["state"] == "scheduled", let due, due > Date().addingTimeInterval(30) { break }
                try await Task.sleep(for: .milliseconds(25))
            }

            let pause = try await api.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "pause"}"#)
            #expect(pause.status == .created)
            #expect(UUID(uuidString: pause.json["signal_id"]?.stringValue ?? "") != nil)
            try await api.waitFor(id, "paused")

            let update = #"{"signal_type": "update_context", "payload": {"data": {"note": "edited"}}}"#
            #expect(try await api.send(.post, "/instances/\(id.wire)/signals", update).status == .created)
            #expect(
                try await api.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "resume"}"#).status
                    == .created
            )
            try await api.waitFor(id, "scheduled")

            #expect(
                try await api.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "cancel"}"#).status
                    == .created
            )
            let cancelled = try await api.waitFor(id, "cancelled")
            #expect(cancelled["context"]?["data"]?["note"] == "edited")
            #expect(try await api.outputs(id).contains { $0["block_id"] == "after" } == false)

            let late = try await api.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "resume"}"#)
            #expect(late.status == .badRequest)
            #expect(
                late.error
                    == "invalid argument: cannot send signal to instance \(id.wire): target is in a terminal state"
            )
        }
    }

    @Test func badSignalsAreRefused() async throws {
        try await APIHarness().run { api in
            let sequence = try await api.createSequence(
                #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 60000}}]"#
            )
            let id = try await api.createInstance(sequence)
            let unknownType = try await api.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "explode"}"#)
            #expect(unknownType.status == .unprocessableContent)
            let stringCustom = try await api.send(
                .post,
                "/instances/\(id.wire)/signals",
                #"{"signal_type": "custom:x"}"#
            )
            #expect(stringCustom.status == .unprocessableContent, "custom signals use the object form")
            let custom = try await api.send(
                .post,
                "/instances/\(id.wire)/signals",
                #"{"signal_type": {"custom": "ping"}}"#
            )
            #expect(custom.status == .created)
            let missing = UUID()
            let notFound = try await api.send(.post, "/instances/\(missing.wire)/signals", #"{"signal_type": "pause"}"#)
            #expect(notFound.status == .notFound)
            #expect(notFound.error == "not found: instance \(missing.wire)")
            var other = api
            other.tenant = "globex"
            #expect(
                try await other.send(.post, "/instances/\(id.wire)/signals", #"{"signal_type": "pause"}"#).status
                    == .notFound
            )
        }
    }
}
