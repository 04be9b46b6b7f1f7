import Foundation
import NIOCore
import NIOHTTP1
public import Orch8Core

/// `llm_call` (ORCH8-SPEC §4): one chat turn against an OpenAI-compatible or Anthropic API, with a
/// failover list of providers, streamed answers read whole, and `response_schema` answers checked
/// and repaired by asking again. Output `{provider, model, message: {role, content, tool_calls?},
/// content, finish_reason, usage, parsed?}`.
public struct LLMCallHandler: StepHandler {
    /// The largest answer read from a provider.
    static let responseLimit = 10 << 20

    let http: OutboundHTTP
    let environment: [String: String]

    /// - Parameters:
    ///   - allowInternalURLs: let `base_url` point at loopback and private addresses.
    ///   - environment: where `api_key_env`, the providers' key variables and
    ///     `ORCH8_LLM_DEFAULT_MODEL_<PROVIDER>` are read; the process's by default.
    public init(allowInternalURLs: Bool, environment: [String: String]? = nil) {
        http = OutboundHTTP(allowInternalURLs: allowInternalURLs)
        self.environment = environment ?? ProcessInfo.processInfo.environment
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = invocation.params
        let request = try LLMRequest(params: params)
        let providers = try resolveProviders(params)
        let repairs = try Self.count(params["max_repair_attempts"], "max_repair_attempts", default: 2, range: 0...5)
        let total = try Self.count(params["total_timeout_secs"], "total_timeout_secs", default: 120, range: 1...3600)
        let each = try Self.count(
            params["per_provider_timeout_secs"],
            "per_provider_timeout_secs",
            default: 60,
            range: 1...3600
        )
        var remaining = Duration.seconds(total)
        if let deadline = invocation.deadline { remaining = min(remaining, ContinuousClock.now.duration(to: deadline)) }
        let end = NIODeadline.now() + TimeAmount.nanoseconds(Int64(remaining.components.seconds) * 1_000_000_000)

        var failures: [(provider: String, failure: StepFailure)] = []
        for provider in providers {
            let deadline = min(end, NIODeadline.now() + .seconds(Int64(each)))
            do {
                return StepResult(output: try await converse(request, provider, deadline: deadline, repairs: repairs))
            } catch {
                failures.append((provider.name, error))
            }
            if NIODeadline.now() >= end { break }
        }
        if failures.count == 1, let only = failures.first { throw only.failure }
        // Worth retrying if any provider may answer next time.
        let retryable = failures.contains { $0.failure.retryable }
        throw StepFailure(
            "llm_call: every provider failed: "
                + failures.map { Self.unlabelled($0.failure.message) }.joined(separator: "; "),
            retryable: retryable,
            details: [
                "failures": .array(
                    failures.map {
                        [
                            "provider": .string($0.provider), "message": .string($0.failure.message),
                            "details": $0.failure.details ?? .null,
                        ]
                    }
                )
            ],
            retryAfter: failures.compactMap(\.failure.retryAfter).min()
        )
    }

    private func resolveProviders(_ params: JSON) throws(StepFailure) -> [LLMProvider] {
        switch params["providers"] {
        case nil, .null?:
            return [try LLMProvider.resolve(params, defaults: [:], environment: environment, where: "params")]
        case .array(let entries)? where !entries.isEmpty:
            var providers: [LLMProvider] = []
            for (index, entry) in entries.enumerated() {
                // A bare name stands for `{"provider": name}`.
                let object: JSON = entry.stringValue.map { ["provider": .string($0)] } ?? entry
                guard case .object = object else {
                    throw .permanent("llm_call: params.providers[\(index)] must be a provider name or an object")
                }
                var shared = params
                shared["providers"] = nil
                providers.append(
                    try LLMProvider.resolve(
                        object,
                        defaults: shared,
                        environment: environment,
                        where: "params.providers[\(index)]"
                    )
                )
            }
            return providers
        default:
            throw .permanent("llm_call: params.providers must be a non-empty array")
        }
    }

    /// One provider's turn, asking again (up to `repairs` times) while the answer does not match the
    /// response schema. Usage adds up over the attempts.
    private func converse(
        _ request: LLMRequest,
        _ provider: LLMProvider,
        deadline: NIODeadline,
        repairs: Int
    ) async throws(StepFailure) -> JSON {
        var messages = request.messages
        var input = 0
        var output = 0
        var attempt = 0
        while true {
            let reply = try await call(request, messages: messages, provider, deadline: deadline)
            input += reply.inputTokens
            output += reply.outputTokens
            var parsed: JSON?
            if let schema = request.responseSchema {
                switch Self.check(reply.content, against: schema) {
                case .success(let value): parsed = value
                case .failure(let problem):
                    guard attempt < repairs else {
                        throw .permanent(
                            "llm_call: \(provider.name)'s answer does not match params.response_schema after \(attempt) repair attempt\(attempt == 1 ? "" : "s"): \(problem.text)",
                            details: ["content": .string(reply.content)]
                        )
                    }
                    attempt += 1
                    messages.append(["role": "assistant", "content": .string(reply.content)])
                    messages.append([
                        "role": "user",
                        "content": .string(
                            "That answer does not match the required JSON Schema (\(problem.text)). Reply again with only the corrected JSON value."
                        ),
                    ])
                    continue
                }
            }
            var message: [String: JSON] = ["role": "assistant", "content": .string(reply.content)]
            if !reply.toolCalls.isEmpty { message["tool_calls"] = .array(reply.toolCalls) }
            var result: [String: JSON] = [
                "provider": .string(provider.name),
                "model": .string(reply.model),
                "message": .object(message),
                "content": .string(reply.content),
                "finish_reason": reply.finishReason.map(JSON.string) ?? .null,
                "usage": [
                    "input_tokens": .int(Int64(input)), "output_tokens": .int(Int64(output)),
                    "total_tokens": .int(Int64(input + output)),
                ],
            ]
            if let parsed {
                result["parsed"] = parsed
                result["repair_attempts"] = .int(Int64(attempt))
            }
            return .object(result)
        }
    }

    private func call(
        _ request: LLMRequest,
        messages: [JSON],
        _ provider: LLMProvider,
        deadline: NIODeadline
    ) async throws(StepFailure) -> LLMReply {
        let body: JSON
        let target: String
        let headers: HTTPHeaders
        switch provider.dialect {
        case .openAI:
            body = OpenAIDialect.body(request, messages: messages, provider: provider)
            target = OpenAIDialect.path(provider)
            headers = OpenAIDialect.headers(provider)
        case .anthropic:
            body = AnthropicDialect.body(request, messages: messages, provider: provider)
            target = AnthropicDialect.path(provider)
            headers = AnthropicDialect.headers(provider)
        }
        let url = try OutboundHTTP.url(target, label: "llm_call", field: "base_url")
        let answer = try await http.send(
            "POST",
            url,
            headers: headers,
            body: ByteBuffer(string: body.serialized()),
            deadline: deadline,
            limit: Self.responseLimit,
            label: "llm_call"
        )
        let text = answer.text
        switch answer.status {
        case 200..<300:
            let streamed = answer.headers.first(name: "content-type")?.contains("event-stream") ?? false
            switch (provider.dialect, streamed) {
            case (.openAI, true): return try OpenAIDialect.streamedReply(text, provider: provider)
            case (.anthropic, true): return try AnthropicDialect.streamedReply(text, provider: provider)
            default: break
            }
            guard let json = try? JSON.parse(text) else {
                throw .retryable(
                    "llm_call: \(provider.name) answered \(answer.status) with a body that is not JSON: \(text.prefix(200))"
                )
            }
            return provider.dialect == .openAI
                ? try OpenAIDialect.reply(json, provider: provider)
                : try AnthropicDialect.reply(json, provider: provider)
        default:
            let reason =
                (try? JSON.parse(text))?["error"].flatMap { $0["message"]?.stringValue ?? $0.stringValue }
                ?? String(text.prefix(200))
            let message = "llm_call: \(provider.name) answered \(answer.status): \(reason)"
            let details: JSON = [
                "status": .int(Int64(answer.status)), "body": (try? JSON.parse(text)) ?? .string(text),
            ]
            // Rate limits, timeouts, overload (Anthropic's 529) and server errors pass; the rest is the request's fault.
            if answer.status == 429 || answer.status == 408 || answer.status >= 500 {
                throw .retryable(message, details: details, after: answer.retryAfter)
            }
            throw .permanent(message, details: details)
        }
    }

    enum SchemaProblem: Error {
        case problem(String)
        var text: String {
            switch self {
            case .problem(let text): text
            }
        }
    }

    /// The answer as JSON (fences of a Markdown code block tolerated) checked against `schema`.
    static func check(_ content: String, against schema: JSON) -> Result<JSON, SchemaProblem> {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            text = String(text.drop { $0 != "\n" }.dropFirst())
            if text.hasSuffix("```") { text = String(text.dropLast(3)) }
        }
        guard let value = try? JSON.parse(text) else { return .failure(.problem("the answer is not JSON")) }
        let violations = JSONSchema(schema).violations(of: value)
        guard violations.isEmpty else { return .failure(.problem(violations.joined(separator: "; "))) }
        return .success(value)
    }

    /// A provider's message without the handler's name, which the summary already starts with.
    static func unlabelled(_ message: String) -> String {
        message.hasPrefix("llm_call: ") ? String(message.dropFirst("llm_call: ".count)) : message
    }

    static func count(
        _ value: JSON?,
        _ name: String,
        default fallback: Int,
        range: ClosedRange<Int>
    ) throws(StepFailure) -> Int {
        guard let value, value != .null else { return fallback }
        guard let number = value.intValue, range.contains(Int(number)) else {
            throw .permanent(
                "llm_call: params.\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return Int(number)
    }
}
