import Foundation
import HTTPTypes
import Orch8Core
import Orch8Handlers
import Testing

/// `llm_call` against mock OpenAI-compatible and Anthropic APIs on loopback (no network).
@Suite struct LLMCallTests {
    let handlers: [String: any StepHandler] = [
        "llm_call": LLMCallHandler(
            allowInternalURLs: true,
            environment: ["MOCK_KEY": "sk-test", "ANTHROPIC_API_KEY": "ak-env"]
        )
    ]

    /// Runs `body` with the mock provider on a test server and the engine.
    func withProvider(_ body: @Sendable (APIClient, LLMMockProvider, String) async throws -> Void) async throws {
        let mock = LLMMockProvider()
        let routes: HTTPTestServer.Routes = { router, _ in mock.routes(router) }
        try await HTTPTestServer.with(routes: routes) { server in
            try await APIHarness().run(extraHandlers: handlers) { api in try await body(api, mock, server.base) }
        }
    }

    func run(_ api: APIClient, _ params: String, extra: String = "", state: String = "completed") async throws -> JSON {
        let sequence = try await api.createSequence(
            #"[{"type": "step", "id": "ask", "handler": "llm_call", "params": \#(params)\#(extra)}]"#
        )
        let id = try await api.createInstance(sequence)
        try await api.waitFor(id, state)
        return try await api.outputs(id).last?["output"] ?? .null
    }

    @Test func openAIChatCompletionsWithSystemTemperatureAndAKeyFromTheEnvironment() async throws {
        try await withProvider { api, mock, base in
            let output = try await run(
                api,
                #"""
                {"base_url": "\#(base)/openai", "api_key_env": "MOCK_KEY", "model": "echo", "system": "Be brief.",
                 "temperature": 0.2, "messages": [{"role": "user", "content": "hello"}]}
                """#
            )
            #expect(output["provider"] == "openai")
            #expect(output["model"] == "echo")
            #expect(output["message"] == ["role": "assistant", "content": "you said: hello"])
            #expect(output["content"] == "you said: hello")
            #expect(output["finish_reason"] == "stop")
            #expect(output["usage"] == ["input_tokens": 12, "output_tokens": 7, "total_tokens": 19])
            let sent = try #require(mock.requests.first)
            #expect(sent.path == "/openai/chat/completions")
            #expect(sent.headers[.authorization] == "Bearer sk-test")
            #expect(sent.body["messages"]?[0] == ["role": "system", "content": "Be brief."])
            #expect(sent.body["max_tokens"] == 4096)
            #expect(sent.body["temperature"] == 0.2)
        }
    }

    @Test func anthropicMessagesWithToolsAndTheSystemApart() async throws {
        try await withProvider { api, mock, base in
            let output = try await run(
                api,
                #"""
                {"provider": "anthropic", "base_url": "\#(base)/anthropic", "model": "tools", "max_tokens": 100,
                 "messages": [{"role": "system", "content": "You are a weather bot."}, {"role": "user", "content": "Weather?"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Looks it up",
                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
                 "tool_choice": "required"}
                """#
            )
            #expect(output["provider"] == "anthropic")
            #expect(output["finish_reason"] == "tool_calls")
            let call = output["message"]?["tool_calls"]?[0]
            #expect(call?["id"] == "toolu_1")
            #expect(call?["function"]?["name"] == "get_weather")
            #expect(call?["function"]?["arguments"]?.stringValue.flatMap { try? JSON.parse($0) } == ["city": "Oslo"])
            let sent = try #require(mock.requests.first)
            #expect(sent.headers[HTTPField.Name("x-api-key")!] == "ak-env")
            #expect(sent.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01")
            #expect(sent.body["system"] == "You are a weather bot.")
            #expect(sent.body["messages"]?.arrayValue?.count == 1)
            #expect(sent.body["tools"]?[0]?["input_schema"]?["properties"]?["city"] == ["type": "string"])
            #expect(sent.body["tool_choice"] == ["type": "any"])
            #expect(sent.body["max_tokens"] == 100)
        }
    }

    @Test func streamedAnswersAreCollectedInBothDialects() async throws {
        try await withProvider { api, _, base in
            for dialect in ["openai", "anthropic"] {
                let text = try await run(
                    api,
                    #"{"provider": "\#(dialect)", "base_url": "\#(base)/\#(dialect)", "model": "echo", "stream": true, "prompt": "a longer sentence"}"#
                )
                #expect(text["content"] == "you said: a longer sentence", "\(dialect)")
                #expect(text["finish_reason"] == "stop", "\(dialect)")
                #expect(text["usage"]?["output_tokens"] == 7, "\(dialect)")
                #expect(text["usage"]?["input_tokens"] == 12, "\(dialect)")

                let tools = try await run(
                    api,
                    #"{"provider": "\#(dialect)", "base_url": "\#(base)/\#(dialect)", "model": "tools", "stream": true, "prompt": "go", "tools": [{"name": "lookup", "parameters": {"type": "object"}}]}"#
                )
                let call = tools["message"]?["tool_calls"]?[0]
                #expect(call?["function"]?["name"] == "lookup", "\(dialect)")
                #expect(
                    call?["function"]?["arguments"]?.stringValue.flatMap { try? JSON.parse($0) } == ["city": "Oslo"],
                    "\(dialect)"
                )
                #expect(tools["finish_reason"] == "tool_calls", "\(dialect)")
            }
        }
    }

    @Test func aResponseSchemaIsCheckedAndRepairedByAskingAgain() async throws {
        try await withProvider { api, mock, base in
            let schema = #"{"type": "object", "required": ["answer"], "properties": {"answer": {"type": "integer"}}}"#
            let output = try await run(
                api,
                #"{"base_url": "\#(base)/openai", "model": "json-late", "prompt": "6 x 7?", "response_schema": \#(schema)}"#
            )
            #expect(output["parsed"] == ["answer": 42])
            #expect(output["repair_attempts"] == 1)
            #expect(output["usage"]?["total_tokens"] == 38)
            let asked = mock.requests(model: "json-late")
            #expect(asked.count == 2)
            #expect(asked[0].body["response_format"]?["json_schema"]?["schema"]?["required"] == ["answer"])
            let repair = asked[1].body["messages"]?.arrayValue ?? []
            #expect(repair.count == 3)
            #expect(repair[1]["role"] == "assistant")
            #expect(repair[2]["content"]?.stringValue?.contains("does not match the required JSON Schema") == true)

            let refused = try await run(
                api,
                #"{"provider": "anthropic", "base_url": "\#(base)/anthropic", "model": "prose", "prompt": "6 x 7?", "response_schema": \#(schema)}"#,
                extra: #", "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}"#,
                state: "failed"
            )
            #expect(
                refused["message"]?.stringValue?.contains(
                    "does not match params.response_schema after 2 repair attempts"
                ) == true
            )
            // Three calls, no step retry: a provider that will not follow the schema is not retried.
            #expect(mock.requests(model: "prose").count == 3)
            #expect(mock.requests(model: "prose")[0].body["system"]?.stringValue?.contains("JSON Schema") == true)
        }
    }

    @Test func failoverMovesToTheNextProviderAndRateLimitsWaitAsAsked() async throws {
        try await withProvider { api, mock, base in
            let output = try await run(
                api,
                #"""
                {"prompt": "hi", "providers": [
                    {"base_url": "\#(base)/openai", "model": "down"},
                    {"provider": "anthropic", "base_url": "\#(base)/anthropic", "model": "echo"}]}
                """#
            )
            #expect(output["provider"] == "anthropic")
            #expect(output["content"] == "you said: hi")
            #expect(mock.requests(model: "down").count == 1)

            let denied = try await run(
                api,
                #"{"prompt": "hi", "providers": [{"base_url": "\#(base)/openai", "model": "denied"}, {"provider": "anthropic", "base_url": "\#(base)/anthropic", "model": "denied"}]}"#,
                extra: #", "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}"#,
                state: "failed"
            )
            #expect(
                denied["message"]?.stringValue?.contains(
                    "llm_call: every provider failed: openai answered 401: bad key; anthropic answered 401: bad key"
                ) == true
            )
            #expect(denied["details"]?["failures"]?.arrayValue?.count == 2)
            #expect(mock.requests(model: "denied").count == 2)

            // 429 with `retry-after: 1`: the retry waits a second although the back-off is 10 ms.
            let limited = try await run(
                api,
                #"{"base_url": "\#(base)/openai", "model": "limited", "prompt": "hi"}"#,
                extra: #", "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}"#
            )
            #expect(limited["content"] == "you said: hi")
            let calls = mock.requests(model: "limited")
            #expect(calls.count == 2)
            if calls.count == 2 { #expect(calls[0].at.duration(to: calls[1].at) >= .milliseconds(950)) }
        }
    }

    @Test func badParamsFailTheStepNamingTheParam() async throws {
        let bare: [String: any StepHandler] = ["llm_call": LLMCallHandler(allowInternalURLs: true, environment: [:])]
        try await APIHarness().run(extraHandlers: bare) { api in
            let cases: [(String, String)] = [
                (#"{"model": "m"}"#, "params.messages needs at least one user message"),
                (
                    #"{"prompt": "hi"}"#,
                    "no API key for openai: set params.api_key, params.api_key_env or OPENAI_API_KEY"
                ),
                (#"{"prompt": "hi", "provider": "skynet"}"#, "params.provider `skynet` is not one of"),
                (#"{"prompt": "hi", "api_key_env": "NOPE"}"#, "params.api_key_env names `NOPE`, which is not set"),
                (
                    #"{"prompt": "hi", "api_key": "k", "provider": "groq"}"#,
                    "params.model is required for provider groq"
                ),
                (
                    #"{"prompt": "hi", "api_key": "k", "temperature": 7}"#,
                    "params.temperature must be a number from 0 to 2"
                ),
                (
                    #"{"prompt": "hi", "api_key": "k", "messages": [{"role": "robot", "content": "x"}]}"#,
                    "params.messages[0].role"
                ),
                (#"{"prompt": "hi", "api_key": "k", "response_schema": {"type": "thing"}}"#, "params.response_schema"),
                (#"{"prompt": "hi", "api_key": "k", "providers": []}"#, "params.providers must be a non-empty array"),
            ]
            for (params, message) in cases {
                let sequence = try await api.createSequence(
                    #"[{"type": "step", "id": "ask", "handler": "llm_call", "params": \#(params)}]"#
                )
                let id = try await api.createInstance(sequence)
                try await api.waitFor(id, "failed")
                let got = try await api.outputs(id).last?["output"]?["message"]?.stringValue ?? ""
                #expect(got.contains(message), "\(params) → \(got)")
            }
        }
    }
}
