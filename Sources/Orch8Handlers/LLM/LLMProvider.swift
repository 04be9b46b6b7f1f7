import Orch8Core

/// One entry of `llm_call`'s failover list, resolved: where to send, how to authenticate, which model.
struct LLMProvider: Sendable {
    enum Dialect: Sendable {
        /// `POST {base}/chat/completions` (OpenAI and every API that copies it).
        case openAI
        /// `POST {base}/messages` (Anthropic's messages API).
        case anthropic
    }

    var name: String
    var dialect: Dialect
    var baseURL: String
    var apiKey: String?
    var model: String

    /// The providers known by name: their dialect, API root and the variable holding their key.
    static let known: [String: (dialect: Dialect, baseURL: String, keyVariable: String)] = [
        "openai": (.openAI, "https://api.openai.com/v1", "OPENAI_API_KEY"),
        "anthropic": (.anthropic, "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
        "gemini": (.openAI, "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"),
        "deepseek": (.openAI, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
        "qwen": (.openAI, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY"),
        "perplexity": (.openAI, "https://api.perplexity.ai", "PERPLEXITY_API_KEY"),
        "groq": (.openAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        "together": (.openAI, "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
        "mistral": (.openAI, "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
        "openrouter": (.openAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    ]

    /// Models used when a step names none; `ORCH8_LLM_DEFAULT_MODEL_<PROVIDER>` overrides them.
    static let defaultModels = ["openai": "gpt-4o", "anthropic": "claude-sonnet-4-6"]

    /// Resolves one provider from `entry` (a member of `providers`, or the step's params), falling back
    /// to `defaults` (the step's params) for what the entry leaves out. `where` names the entry in
    /// messages.
    static func resolve(
        _ entry: JSON,
        defaults: JSON,
        environment: [String: String],
        where place: String
    ) throws(StepFailure) -> LLMProvider {
        func value(_ key: String) -> JSON? {
            if let own = entry[key], own != .null { return own }
            if let shared = defaults[key], shared != .null { return shared }
            return nil
        }
        func text(_ key: String) throws(StepFailure) -> String? {
            guard let found = value(key) else { return nil }
            guard let string = found.stringValue, !string.isEmpty else {
                throw .permanent("llm_call: \(place).\(key) must be a non-empty string")
            }
            return string
        }
        let name = try text("provider")?.lowercased() ?? "openai"
        let explicitBase = try text("base_url")
        let known = Self.known[name]
        guard known != nil || explicitBase != nil else {
            let names = Self.known.keys.sorted().joined(separator: ", ")
            throw .permanent("llm_call: \(place).provider `\(name)` is not one of \(names); give base_url for another")
        }
        // An unknown provider with a base_url speaks the OpenAI dialect unless it says otherwise.
        let dialect: Dialect = known?.dialect ?? .openAI
        let base = (explicitBase ?? known?.baseURL ?? "").trimmingSuffix("/")
        var key = try text("api_key")
        if key == nil, let variable = try text("api_key_env") {
            guard let found = environment[variable], !found.isEmpty else {
                throw .permanent("llm_call: \(place).api_key_env names `\(variable)`, which is not set")
            }
            key = found
        }
        if key == nil, let variable = known?.keyVariable {
            key = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        // A named provider at its own address needs a key; a base_url of one's own (a local server,
        // a proxy) may not.
        if key == nil, explicitBase == nil {
            throw .permanent(
                "llm_call: no API key for \(name): set \(place).api_key, \(place).api_key_env or \(known?.keyVariable ?? "")"
            )
        }
        let fallbackModel = environment["ORCH8_LLM_DEFAULT_MODEL_\(name.uppercased())"] ?? Self.defaultModels[name]
        guard let model = try text("model") ?? fallbackModel else {
            throw .permanent("llm_call: \(place).model is required for provider \(name)")
        }
        return LLMProvider(name: name, dialect: dialect, baseURL: base, apiKey: key, model: model)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> String {
        var text = self
        while text.last == suffix { text.removeLast() }
        return text
    }
}
