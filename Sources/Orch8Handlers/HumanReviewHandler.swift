import Foundation
import NIOCore
import NIOHTTP1
public import Orch8Core

/// `human_review` (ORCH8-SPEC §4): describes a review for a person and, with `notify_url`, tells
/// them. It does not wait: a `wait_for_input` gate after it does (docs/handlers.md). Output
/// `{type: "human_review", status: "pending", reviewer, instructions, review_data, choices,
/// instance_id, block_id, notified}`.
public struct HumanReviewHandler: StepHandler {
    static let defaultChoices: JSON = [
        ["label": "Approve", "value": "approve"], ["label": "Reject", "value": "reject"],
    ]

    let http: OutboundHTTP

    /// - Parameter allowInternalURLs: let `notify_url` point at loopback and private addresses.
    public init(allowInternalURLs: Bool) {
        http = OutboundHTTP(allowInternalURLs: allowInternalURLs)
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = invocation.params
        func text(_ key: String, default fallback: String?) throws(StepFailure) -> JSON {
            switch params[key] {
            case nil, .null?: return fallback.map(JSON.string) ?? .null
            case .string(let value)?: return .string(value)
            default: throw .permanent("human_review: params.\(key) must be a string")
            }
        }
        let choices = params["choices"] ?? Self.defaultChoices
        guard let list = choices.arrayValue, !list.isEmpty, list.allSatisfy({ $0["value"] != nil }) else {
            throw .permanent("human_review: params.choices must be a non-empty array of {label, value}")
        }
        var review: [String: JSON] = [
            "type": "human_review",
            "status": "pending",
            "reviewer": try text("reviewer", default: "unassigned"),
            "instructions": try text("instructions", default: nil),
            "review_data": params["review_data"] ?? .null,
            "choices": choices,
            "instance_id": .string(invocation.instanceID.lowercasedText),
            "block_id": .string(invocation.blockID),
            "tenant_id": .string(invocation.tenantID),
        ]
        guard let target = params["notify_url"], target != .null else {
            review["notified"] = false
            return StepResult(output: .object(review))
        }
        let url = try OutboundHTTP.url(target.stringValue, label: "human_review", field: "params.notify_url")
        var headers = try HTTPRequestHandler.headers(
            params["notify_headers"],
            label: "human_review",
            field: "params.notify_headers"
        )
        if !headers.contains(name: "content-type") { headers.add(name: "content-type", value: "application/json") }
        let answer = try await http.send(
            "POST",
            url,
            headers: headers,
            body: ByteBuffer(string: JSON.object(review).serialized()),
            deadline: .now() + .seconds(10),
            limit: 1 << 20,
            label: "human_review"
        )
        switch answer.status {
        case 200..<300:
            review["notified"] = true
            review["notify_status"] = .int(Int64(answer.status))
            return StepResult(output: .object(review))
        case 500..<600, 429, 408:
            throw .retryable(
                "human_review: notification to \(url.absoluteString) answered \(answer.status)",
                details: ["status": .int(Int64(answer.status)), "body": .string(String(answer.text.prefix(1000)))],
                after: answer.retryAfter
            )
        default:
            throw .permanent(
                "human_review: notification to \(url.absoluteString) answered \(answer.status)",
                details: ["status": .int(Int64(answer.status)), "body": .string(String(answer.text.prefix(1000)))]
            )
        }
    }
}
