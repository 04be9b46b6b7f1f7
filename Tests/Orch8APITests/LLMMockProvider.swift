import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orch8Core
import Synchronization

/// An OpenAI-compatible (`/openai/chat/completions`) and an Anthropic (`/anthropic/messages`) API on
/// the test server. The model name chooses the behaviour: `echo` repeats the last user message,
/// `tools` calls the first tool, `json-late` answers prose first and JSON once asked again, `prose`
/// never answers JSON, `limited` answers 429 with `retry-after: 1` once, `down` 503, `denied` 401.
/// Every request is recorded.
final class LLMMockProvider: Sendable {
    struct Seen: Sendable {
        var path: String
        var headers: HTTPFields
        var body: JSON
        var at: ContinuousClock.Instant
    }

    private let seen = Mutex<[Seen]>([])
    var requests: [Seen] { seen.withLock { $0 } }
    func requests(model: String) -> [Seen] { requests.filter { $0.body["model"]?.stringValue == model } }

    func routes(_ router: Router<BasicRequestContext>) {
        router.post("/openai/chat/completions") { request, _ in
            try await self.answer(request, anthropic: false)
        }
        router.post("/anthropic/messages") { request, _ in
            try await self.answer(request, anthropic: true)
        }
    }

    private func answer(_ request: Request, anthropic: Bool) async throws -> Response {
        let bytes = try await request.body.collect(upTo: 1 << 20)
        let body = (try? JSON.parse(String(buffer: bytes))) ?? .null
        let model = body["model"]?.stringValue ?? ""
        let earlier = seen.withLock { list in
            list.append(Seen(path: request.uri.path, headers: request.headers, body: body, at: .now))
            return list.filter { $0.body["model"]?.stringValue == model }.count - 1
        }
        let messages = body["messages"]?.arrayValue ?? []
        let lastUser = messages.last { $0["role"] == "user" }?["content"]?.stringValue ?? ""
        let text: String
        var toolCall: (name: String, arguments: JSON)?
        switch model {
        case "limited" where earlier == 0:
            return HTTPTestServer.json(
                #"{"error": {"message": "slow down"}}"#,
                status: .tooManyRequests,
                extra: [.retryAfter: "1"]
            )
        case "down":
            return HTTPTestServer.json(#"{"error": {"message": "overloaded"}}"#, status: .serviceUnavailable)
        case "denied":
            return HTTPTestServer.json(#"{"error": {"type": "auth", "message": "bad key"}}"#, status: .unauthorized)
        case "tools":
            let tools = body["tools"]?.arrayValue ?? []
            let name = (tools.first?["function"]?["name"] ?? tools.first?["name"])?.stringValue ?? "?"
            toolCall = (name, ["city": "Oslo"])
            text = ""
        case "json-late":
            text = earlier == 0 ? "Sure! The answer is 42." : "```json\n{\"answer\": 42}\n```"
        case "prose":
            text = "I would rather not."
        default:
            text = "you said: \(lastUser)"
        }
        if body["stream"] == true {
            let events =
                anthropic ? Self.anthropicEvents(model, text, toolCall) : Self.openAIEvents(model, text, toolCall)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    for event in events { try await writer.write(ByteBuffer(string: event)) }
                    try await writer.finish(nil)
                }
            )
        }
        let reply: JSON
        if anthropic {
            var content: [JSON] = text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
            if let toolCall {
                content.append([
                    "type": "tool_use", "id": "toolu_1", "name": .string(toolCall.name), "input": toolCall.arguments,
                ])
            }
            reply = [
                "id": "msg_1", "type": "message", "role": "assistant", "model": .string(model),
                "content": .array(content),
                "stop_reason": toolCall == nil ? "end_turn" : "tool_use",
                "usage": ["input_tokens": 12, "output_tokens": 7],
            ]
        } else {
            var message: JSON = ["role": "assistant", "content": toolCall == nil ? .string(text) : .null]
            if let toolCall {
                message["tool_calls"] = [
                    [
                        "id": "call_1", "type": "function",
                        "function": [
                            "name": .string(toolCall.name), "arguments": .string(toolCall.arguments.serialized()),
                        ],
                    ]
                ]
            }
            reply = [
                "id": "chatcmpl-1", "object": "chat.completion", "model": .string(model),
                "choices": [
                    ["index": 0, "message": message, "finish_reason": toolCall == nil ? "stop" : "tool_calls"]
                ],
                "usage": ["prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19],
            ]
        }
        return HTTPTestServer.json(reply.serialized())
    }

    static func openAIEvents(_ model: String, _ text: String, _ tool: (name: String, arguments: JSON)?) -> [String] {
        func event(_ json: JSON) -> String { "data: \(json.serialized())\n\n" }
        var events = [event(["model": .string(model), "choices": [["index": 0, "delta": ["role": "assistant"]]]])]
        // The text in pieces of at most 4 characters.
        var rest = Substring(text)
        while !rest.isEmpty {
            events.append(
                event([
                    "model": .string(model),
                    "choices": [["index": 0, "delta": ["content": .string(String(rest.prefix(4)))]]],
                ])
            )
            rest = rest.dropFirst(4)
        }
        if let tool {
            let arguments = tool.arguments.serialized()
            let half = arguments.index(arguments.startIndex, offsetBy: arguments.count / 2)
            events.append(
                event([
                    "choices": [
                        [
                            "index": 0,
                            "delta": [
                                "tool_calls": [
                                    [
                                        "index": 0, "id": "call_9", "type": "function",
                                        "function": [
                                            "name": .string(tool.name),
                                            "arguments": .string(String(arguments[..<half])),
                                        ],
                                    ]
                                ]
                            ],
                        ]
                    ]
                ])
            )
            events.append(
                event([
                    "choices": [
                        [
                            "index": 0,
                            "delta": [
                                "tool_calls": [
                                    ["index": 0, "function": ["arguments": .string(String(arguments[half...]))]]
                                ]
                            ],
                        ]
                    ]
                ])
            )
        }
        events.append(
            event(["choices": [["index": 0, "delta": [:], "finish_reason": tool == nil ? "stop" : "tool_calls"]]])
        )
        events.append(
            event(["choices": [], "usage": ["prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19]])
        )
        events.append(": keep-alive comment\n\ndata: [DONE]\n\n")
        return events
    }

    static func anthropicEvents(_ model: String, _ text: String, _ tool: (name: String, arguments: JSON)?) -> [String] {
        func event(_ name: String, _ json: JSON) -> String { "event: \(name)\ndata: \(json.serialized())\n\n" }
        var events = [
            event(
                "message_start",
                [
                    "type": "message_start",
                    "message": ["model": .string(model), "usage": ["input_tokens": 12, "output_tokens": 1]],
                ]
            ),
            event(
                "content_block_start",
                ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]
            ),
        ]
        var rest = Substring(text)
        while !rest.isEmpty {
            events.append(
                event(
                    "content_block_delta",
                    [
                        "type": "content_block_delta", "index": 0,
                        "delta": ["type": "text_delta", "text": .string(String(rest.prefix(4)))],
                    ]
                )
            )
            rest = rest.dropFirst(4)
        }
        events.append(event("content_block_stop", ["type": "content_block_stop", "index": 0]))
        if let tool {
            events.append(
                event(
                    "content_block_start",
                    [
                        "type": "content_block_start", "index": 1,
                        "content_block": [
                            "type": "tool_use", "id": "toolu_9", "name": .string(tool.name), "input": [:],
                        ],
                    ]
                )
            )
            events.append(
                event(
                    "content_block_delta",
                    [
                        "type": "content_block_delta", "index": 1,
                        "delta": ["type": "input_json_delta", "partial_json": .string(tool.arguments.serialized())],
                    ]
                )
            )
        }
        events.append(
            event(
                "message_delta",
                [
                    "type": "message_delta", "delta": ["stop_reason": tool == nil ? "end_turn" : "tool_use"],
                    "usage": ["output_tokens": 7],
                ]
            )
        )
        events.append(event("message_stop", ["type": "message_stop"]))
        return events
    }
}
