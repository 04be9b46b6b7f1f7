import Foundation
import HTTPTypes
import Hummingbird
import Orch8Core
import Orch8Handlers
import Synchronization
import Testing

/// `human_review`: the review description, its notification, and the gate that waits after it.
@Suite struct HumanReviewTests {
    let open: [String: any StepHandler] = ["human_review": HumanReviewHandler(allowInternalURLs: true)]

    @Test func aReviewNotifiesTheReviewerAndAGateWaitsForTheDecision() async throws {
        let received = Mutex<[(HTTPFields, JSON)]>([])
        let routes: HTTPTestServer.Routes = { router, _ in
            router.post("/notify") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                received.withLock { $0.append((request.headers, (try? JSON.parse(String(buffer: body))) ?? .null)) }
                return Response(status: .accepted)
            }
        }
        try await HTTPTestServer.with(routes: routes) { server in
            try await APIHarness().run(extraHandlers: open) { api in
                let sequence = try await api.createSequence(
                    #"""
                    [{"type": "step", "id": "review", "handler": "human_review", "params": {
                        "review_data": {"invoice": "{{context.data.invoice}}"}, "instructions": "Check the total",
                        "reviewer": "ops@example.com", "notify_url": "\#(server.base)/notify",
                        "notify_headers": {"x-token": "s3cret"}}},
                     {"type": "step", "id": "decide", "handler": "noop",
                      "wait_for_input": {"prompt": "{{outputs.review.instructions}}", "store_as": "decision",
                                         "choices": [{"label": "Approve", "value": "approve"}, {"label": "Reject", "value": "reject"}]}}]
                    """#
                )
                let id = try await api.createInstance(sequence, data: #"{"invoice": "INV-7"}"#)
                try await api.waitFor(id, "waiting")
                let review = try await api.outputs(id).first { $0["block_id"] == "review" }?["output"]
                #expect(review?["type"] == "human_review")
                #expect(review?["status"] == "pending")
                #expect(review?["reviewer"] == "ops@example.com")
                #expect(review?["review_data"] == ["invoice": "INV-7"])
                #expect(review?["notified"] == true)
                #expect(review?["notify_status"] == 202)
                #expect(review?["instance_id"] == .string(id.wire))
                let notes = received.withLock { $0 }
                #expect(notes.count == 1)
                #expect(notes.first?.0[HTTPField.Name("x-token")!] == "s3cret")
                #expect(notes.first?.1["block_id"] == "review")
                #expect(notes.first?.1["instructions"] == "Check the total")

                let answer = #"{"signal_type": {"custom": "human_input:decide"}, "payload": {"value": "approve"}}"#
                #expect(try await api.send(.post, "/instances/\(id.wire)/signals", answer).status == .created)
                let done = try await api.waitFor(id, "completed")
                #expect(done["context"]?["data"]?["decision"] == "approve")
            }
        }
    }

    @Test func withoutANotificationItOnlyDescribesAndBadNotificationsFail() async throws {
        try await HTTPTestServer.with { server in
            try await APIHarness().run(extraHandlers: open) { api in
                func run(_ params: String, _ state: String) async throws -> JSON {
                    let sequence = try await api.createSequence(
                        #"[{"type": "step", "id": "r", "handler": "human_review", "params": \#(params), "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]"#
                    )
                    let id = try await api.createInstance(sequence)
                    try await api.waitFor(id, state)
                    return try await api.outputs(id).last?["output"] ?? .null
                }
                let plain = try await run(#"{"review_data": [1, 2]}"#, "completed")
                #expect(plain["reviewer"] == "unassigned")
                #expect(plain["notified"] == false)
                #expect(plain["choices"]?.arrayValue?.count == 2)
                let down = try await run(#"{"notify_url": "\#(server.base)/status/503"}"#, "failed")
                #expect(down["message"]?.stringValue?.contains("answered 503 (gave up after 2 attempts)") == true)
                let gone = try await run(#"{"notify_url": "\#(server.base)/status/404"}"#, "failed")
                #expect(gone["message"]?.stringValue?.hasSuffix("answered 404") == true)
                let bad = try await run(#"{"notify_url": "mailto:x@example.com"}"#, "failed")
                #expect(bad["message"]?.stringValue?.contains("params.notify_url must be an http or https URL") == true)
            }
        }
    }
}
