import NIOHTTP1
import Orch8Core

/// The messages dialect: `system` apart, tools with `input_schema`, content as typed blocks.
enum AnthropicDialect {
    static let version = "2023-06-01"

    static func path(_ provider: LLMProvider) -> String { provider.baseURL + "/messages" }

    static func headers(_ provider: LLMProvider) -> HTTPHeaders {
        var headers = HTTPHeaders([("content-type", "application/json"), ("anthropic-version", version)])
        if let key = provider.apiKey { headers.add(name: "x-api-key", value: key) }
        return headers
    }

    static func body(_ request: LLMRequest, messages: [JSON], provider: LLMProvider) -> JSON {
        // System text travels apart; system messages in the list join it, in order.
        var system = request.system.map { [$0] } ?? []
        var turns: [JSON] = []
        for message in messages {
            if message["role"] == "system" {
                if let text = message["content"]?.stringValue { system.append(text) }
            } else {
                turns.append(message)
            }
        }
        if let schema = request.responseSchema {
            system.append(
                "Answer with one JSON value and nothing else. It must match this JSON Schema: \(schema.serialized())"
            )
        }
        var body: [String: JSON] = [
            "model": .string(provider.model),
            "messages": .array(turns),
            "max_tokens": .int(Int64(request.maxTokens)),
        ]
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        if let temperature = request.temperature { body["temperature"] = .double(min(temperature, 1)) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    [
                        "name": $0["name"] ?? "", "description": $0["description"] ?? "",
                        "input_schema": $0["parameters"] ?? [:],
                    ]
                }
            )
        }
        if let choice = request.toolChoice { body["tool_choice"] = toolChoice(choice) }
        if request.stream { body["stream"] = true }
        return .object(body)
    }

    /// OpenAI's spellings (`auto`, `none`, `required`, `{type: function, function: {name}}`) and our
    /// `{name}` mapped to Anthropic's.
    static func toolChoice(_ choice: JSON) -> JSON {
        switch choice {
        case "auto": return ["type": "auto"]
        case "none": return ["type": "none"]
        case "required", "any": return ["type": "any"]
        default:
            if let name = choice["function"]?["name"]?.stringValue
                ?? (choice["type"] == nil ? choice["name"]?.stringValue : nil)
            {
                return ["type": "tool", "name": .string(name)]
            }
            return choice
        }
    }

    static func finishReason(_ stop: String?) -> String? {
        switch stop {
        case "end_turn"?, "stop_sequence"?: "stop"
        case "max_tokens"?: "length"
        case "tool_use"?: "tool_calls"
        default: stop
        }
    }

    static func toolCall(id: String, name: String, arguments: String) -> JSON {
        ["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]
    }

    static func reply(_ answer: JSON, provider: LLMProvider) throws(StepFailure) -> LLMReply {
        guard let blocks = answer["content"]?.arrayValue else {
            throw .retryable("llm_call: \(provider.name) answered without content")
        }
        var text = ""
        var calls: [JSON] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "tool_use":
                calls.append(
                    toolCall(
                        id: block["id"]?.stringValue ?? "",
                        name: block["name"]?.stringValue ?? "",
                        arguments: (block["input"] ?? [:]).serialized()
                    )
                )
            default: continue
            }
        }
        return LLMReply(
            model: answer["model"]?.stringValue ?? provider.model,
            content: text,
            toolCalls: calls,
            finishReason: finishReason(answer["stop_reason"]?.stringValue),
            inputTokens: Int(answer["usage"]?["input_tokens"]?.intValue ?? 0),
            outputTokens: Int(answer["usage"]?["output_tokens"]?.intValue ?? 0)
        )
    }

    /// Replays a stream of `message_start`, `content_block_*`, `message_delta` events.
    static func streamedReply(_ text: String, provider: LLMProvider) throws(StepFailure) -> LLMReply {
        var reply = LLMReply(
            model: provider.model,
            content: "",
            toolCalls: [],
            finishReason: nil,
            inputTokens: 0,
            outputTokens: 0
        )
        var tools: [Int: (id: String, name: String, arguments: String)] = [:]
        var sawStart = false
        for event in ServerSentEvents.events(in: text) {
            guard let payload = try? JSON.parse(event.data) else {
                throw .retryable("llm_call: \(provider.name) streamed an event that is not JSON")
            }
            let index = Int(payload["index"]?.intValue ?? 0)
            switch payload["type"]?.stringValue ?? event.name {
            case "message_start":
                sawStart = true
                if let model = payload["message"]?["model"]?.stringValue { reply.model = model }
                reply.inputTokens = Int(payload["message"]?["usage"]?["input_tokens"]?.intValue ?? 0)
                reply.outputTokens = Int(payload["message"]?["usage"]?["output_tokens"]?.intValue ?? 0)
            case "content_block_start":
                let block = payload["content_block"]
                if block?["type"] == "tool_use" {
                    tools[index] = (block?["id"]?.stringValue ?? "", block?["name"]?.stringValue ?? "", "")
                } else if let start = block?["text"]?.stringValue {
                    reply.content += start
                }
            case "content_block_delta":
                let delta = payload["delta"]
                if let piece = delta?["text"]?.stringValue { reply.content += piece }
                if let json = delta?["partial_json"]?.stringValue { tools[index]?.arguments += json }
            case "message_delta":
                if let stop = payload["delta"]?["stop_reason"]?.stringValue { reply.finishReason = finishReason(stop) }
                if let output = payload["usage"]?["output_tokens"]?.intValue { reply.outputTokens = Int(output) }
            case "error":
                let error = payload["error"]
                throw .retryable(
                    "llm_call: \(provider.name) stream failed: \(error?["message"]?.stringValue ?? payload.serialized())"
                )
            default: continue
            }
        }
        guard sawStart else { throw .retryable("llm_call: \(provider.name) streamed no message_start") }
        reply.toolCalls = tools.sorted { $0.key < $1.key }.map { _, call in
            toolCall(id: call.id, name: call.name, arguments: call.arguments.isEmpty ? "{}" : call.arguments)
        }
        return reply
    }
}
