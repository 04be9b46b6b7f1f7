import Orch8Core

/// What `llm_call` asks, independent of the provider's dialect.
struct LLMRequest: Sendable {
    /// `{role, content}` objects; `system` messages among them are kept in order.
    var messages: [JSON]
    var system: String?
    var temperature: Double?
    var maxTokens: Int
    /// Each `{name, description, parameters}` (a JSON Schema).
    var tools: [JSON]
    /// `auto`, `none`, `required`, or a tool's name as `{"name": …}` / OpenAI's object form.
    var toolChoice: JSON?
    var responseSchema: JSON?
    var stream: Bool

    /// Reads the step's params; every problem names the param.
    init(params: JSON) throws(StepFailure) {
        var messages: [JSON] = []
        switch params["messages"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard let role = item["role"]?.stringValue, ["system", "user", "assistant", "tool"].contains(role)
                else {
                    throw .permanent("llm_call: params.messages[\(index)].role must be system, user, assistant or tool")
                }
                guard let content = item["content"], content != .null || role == "assistant" else {
                    throw .permanent("llm_call: params.messages[\(index)].content is required")
                }
                _ = content
                messages.append(item)
            }
        default:
            throw .permanent("llm_call: params.messages must be an array of {role, content}")
        }
        if let prompt = params["prompt"]?.stringValue { messages.append(["role": "user", "content": .string(prompt)]) }
        guard messages.contains(where: { $0["role"]?.stringValue != "system" }) else {
            throw .permanent("llm_call: params.messages needs at least one user message (or give params.prompt)")
        }
        self.messages = messages
        switch params["system"] {
        case nil, .null?: system = nil
        case .string(let text)?: system = text
        default: throw .permanent("llm_call: params.system must be a string")
        }
        switch params["temperature"] {
        case nil, .null?: temperature = nil
        case let value?:
            guard let number = value.doubleValue, number >= 0, number <= 2 else {
                throw .permanent("llm_call: params.temperature must be a number from 0 to 2")
            }
            temperature = number
        }
        switch params["max_tokens"] {
        case nil, .null?: maxTokens = 4096
        case let value?:
            guard let count = value.intValue, count > 0 else {
                throw .permanent("llm_call: params.max_tokens must be a positive integer")
            }
            maxTokens = Int(count)
        }
        var tools: [JSON] = []
        switch params["tools"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                // OpenAI's `{type: function, function: {…}}` or the bare `{name, description, parameters}`.
                let tool = item["function"] ?? item
                guard let name = tool["name"]?.stringValue, !name.isEmpty else {
                    throw .permanent("llm_call: params.tools[\(index)] needs a name")
                }
                let schema = tool["parameters"] ?? tool["input_schema"] ?? ["type": "object", "properties": [:]]
                guard case .object = schema else {
                    throw .permanent("llm_call: params.tools[\(index)].parameters must be a JSON Schema object")
                }
                tools.append([
                    "name": .string(name), "description": tool["description"] ?? "", "parameters": schema,
                ])
            }
        default:
            throw .permanent("llm_call: params.tools must be an array")
        }
        self.tools = tools
        toolChoice = params["tool_choice"].flatMap { $0 == .null ? nil : $0 }
        switch params["response_schema"] {
        case nil, .null?: responseSchema = nil
        case let schema?:
            let problems = JSONSchema(schema).problems()
            guard problems.isEmpty else {
                throw .permanent("llm_call: params.response_schema: \(problems.joined(separator: "; "))")
            }
            responseSchema = schema
        }
        switch params["stream"] {
        case nil, .null?: stream = false
        case .bool(let flag)?: stream = flag
        default: throw .permanent("llm_call: params.stream must be a boolean")
        }
    }
}

/// A provider's answer, in one shape for both dialects.
struct LLMReply: Sendable {
    var model: String
    var content: String
    /// OpenAI's shape: `{id, type: "function", function: {name, arguments}}`, arguments as JSON text.
    var toolCalls: [JSON]
    var finishReason: String?
    var inputTokens: Int
    var outputTokens: Int
}
