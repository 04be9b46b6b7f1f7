import NIOHTTP1
import Orch8Core

/// The chat completions dialect: request bodies and answers, whole or streamed.
enum OpenAIDialect {
    static func path(_ provider: LLMProvider) -> String { provider.baseURL + "/chat/completions" }

    static func headers(_ provider: LLMProvider) -> HTTPHeaders {
        var headers = HTTPHeaders([("content-type", "application/json")])
        if let key = provider.apiKey { headers.add(name: "authorization", value: "Bearer \(key)") }
        return headers
    }

    static func body(_ request: LLMRequest, messages: [JSON], provider: LLMProvider) -> JSON {
        var all = messages
        if let system = request.system { all.insert(["role": "system", "content": .string(system)], at: 0) }
        var body: [String: JSON] = [
            "model": .string(provider.model),
            "messages": .array(all),
            "max_tokens": .int(Int64(request.maxTokens)),
        ]
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { ["type": "function", "function": $0] })
        }
        if let choice = request.toolChoice {
            // `{"name": "x"}` is our short form for forcing one tool.
            if let name = choice["name"]?.stringValue, choice["type"] == nil {
                body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
            } else {
                body["tool_choice"] = choice
            }
        }
        if let schema = request.responseSchema {
            body["response_format"] = [
                "type": "json_schema", "json_schema": ["name": "response", "schema": schema],
            ]
        }
        if request.stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    static func reply(_ answer: JSON, provider: LLMProvider) throws(StepFailure) -> LLMReply {
        guard let choice = answer["choices"]?[0], let message = choice["message"] else {
            throw .retryable("llm_call: \(provider.name) answered without choices[0].message")
        }
        return LLMReply(
            model: answer["model"]?.stringValue ?? provider.model,
            content: message["content"]?.stringValue ?? "",
            toolCalls: message["tool_calls"]?.arrayValue ?? [],
            finishReason: choice["finish_reason"]?.stringValue,
            inputTokens: Int(answer["usage"]?["prompt_tokens"]?.intValue ?? 0),
            outputTokens: Int(answer["usage"]?["completion_tokens"]?.intValue ?? 0)
        )
    }

    /// Replays a stream: content deltas appended, tool call fragments joined by their `index`.
    static func streamedReply(_ text: String, provider: LLMProvider) throws(StepFailure) -> LLMReply {
        var reply = LLMReply(
            model: provider.model,
            content: "",
            toolCalls: [],
            finishReason: nil,
            inputTokens: 0,
            outputTokens: 0
        )
        var calls: [Int: (id: String, name: String, arguments: String)] = [:]
        var sawChunk = false
        for event in ServerSentEvents.events(in: text) where event.data != "[DONE]" {
            guard let chunk = try? JSON.parse(event.data) else {
                throw .retryable("llm_call: \(provider.name) streamed an event that is not JSON")
            }
            if let error = chunk["error"] {
                throw .retryable(
                    "llm_call: \(provider.name) stream failed: \(error["message"]?.stringValue ?? error.serialized())"
                )
            }
            sawChunk = true
            if let model = chunk["model"]?.stringValue { reply.model = model }
            if let usage = chunk["usage"], usage != .null {
                reply.inputTokens = Int(usage["prompt_tokens"]?.intValue ?? 0)
                reply.outputTokens = Int(usage["completion_tokens"]?.intValue ?? 0)
            }
            guard let choice = chunk["choices"]?[0] else { continue }
            if let finish = choice["finish_reason"]?.stringValue { reply.finishReason = finish }
            guard let delta = choice["delta"] else { continue }
            if let piece = delta["content"]?.stringValue { reply.content += piece }
            for fragment in delta["tool_calls"]?.arrayValue ?? [] {
                let index = Int(fragment["index"]?.intValue ?? 0)
                var call = calls[index] ?? ("", "", "")
                if let id = fragment["id"]?.stringValue { call.id = id }
                if let name = fragment["function"]?["name"]?.stringValue { call.name += name }
                if let arguments = fragment["function"]?["arguments"]?.stringValue { call.arguments += arguments }
                calls[index] = call
            }
        }
        guard sawChunk else { throw .retryable("llm_call: \(provider.name) streamed no events") }
        reply.toolCalls = calls.sorted { $0.key < $1.key }.map { _, call in
            [
                "id": .string(call.id), "type": "function",
                "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
            ]
        }
        return reply
    }
}
