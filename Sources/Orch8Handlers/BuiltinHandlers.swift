public import Orch8Core

/// The in-process handlers, by the name a step's `handler` uses (ORCH8-SPEC §4).
public enum BuiltinHandlers {
    /// Handled by the engine itself rather than a `StepHandler`: a sleep is a durable timer, so a
    /// sleeping instance holds no memory and survives a restart.
    public static let engineHandled: Set<String> = ["sleep"]

    /// The built-ins that need nothing but their params. The engine adds those that act on other
    /// instances (`send_signal`, `query_instance`, `emit_event`). `allowInternalURLs` turns off the
    /// guard of `http_request`, `llm_call` and `human_review` against loopback, private and metadata
    /// addresses.
    public static func standard(allowInternalURLs: Bool = false) -> [String: any StepHandler] {
        [
            "http_request": HTTPRequestHandler(allowInternalURLs: allowInternalURLs),
            "llm_call": LLMCallHandler(allowInternalURLs: allowInternalURLs),
            "human_review": HumanReviewHandler(allowInternalURLs: allowInternalURLs),
            "noop": NoopHandler(),
            "log": LogHandler(),
            "fail": FailHandler(),
            "transform": TransformHandler(),
            "assert": AssertHandler(),
            "set_state": SetStateHandler(),
            "get_state": GetStateHandler(),
            "delete_state": DeleteStateHandler(),
            "merge_state": MergeStateHandler(),
        ]
    }
}

/// Reads params with errors that name the handler and the field.
struct Params {
    let handler: String
    let value: JSON

    init(_ invocation: StepInvocation) {
        handler = invocation.handler
        value = invocation.params
    }

    subscript(key: String) -> JSON? {
        guard let field = value[key], !field.isNull else { return nil }
        return field
    }

    func requiredString(_ key: String) throws(StepFailure) -> String {
        guard case .string(let text)? = self[key], !text.isEmpty else {
            throw .permanent("\(handler): params.\(key) must be a non-empty string, got \(describe(self[key]))")
        }
        return text
    }

    func string(_ key: String, default fallback: String) throws(StepFailure) -> String {
        guard let field = self[key] else { return fallback }
        guard case .string(let text) = field else {
            throw .permanent("\(handler): params.\(key) must be a string, got \(field.typeName)")
        }
        return text
    }

    func bool(_ key: String, default fallback: Bool) throws(StepFailure) -> Bool {
        guard let field = self[key] else { return fallback }
        guard case .bool(let flag) = field else {
            throw .permanent("\(handler): params.\(key) must be a boolean, got \(field.typeName)")
        }
        return flag
    }

    private func describe(_ field: JSON?) -> String {
        guard let field else { return "nothing" }
        if case .string = field { return "an empty string" }
        return field.typeName
    }
}
