import Foundation
import NIOCore
import NIOHTTP1
public import Orch8Core

/// `http_request` (ORCH8-SPEC §4): one HTTP call through a shared client. Output `{status, headers,
/// body}`, the body parsed as JSON when the response says it is JSON, text otherwise. 5xx and
/// transport errors are retryable; 4xx, bad params, blocked addresses and oversized answers are not.
public struct HTTPRequestHandler: StepHandler {
    /// The largest answer body read (10 MiB).
    public static let responseLimit = 10 << 20
    private static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

    let http: OutboundHTTP

    /// - Parameter allowInternalURLs: skip the SSRF guard (`ORCH8_ALLOW_INTERNAL_URLS=1`).
    public init(allowInternalURLs: Bool) {
        http = OutboundHTTP(allowInternalURLs: allowInternalURLs)
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = invocation.params
        let url = try OutboundHTTP.url(params["url"]?.stringValue, label: "http_request", field: "params.url")
        let method = (params["method"]?.stringValue ?? "GET").uppercased()
        guard Self.methods.contains(method) else {
            throw .permanent(
                "http_request: params.method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got \(method)"
            )
        }
        var headers = try Self.headers(params["headers"], label: "http_request", field: "params.headers")
        var body: ByteBuffer?
        switch params["body"] {
        case nil, .null?: body = nil
        case .string(let text)?: body = ByteBuffer(string: text)
        case let value?:
            body = ByteBuffer(string: value.serialized())
            if !headers.contains(name: "content-type") { headers.add(name: "content-type", value: "application/json") }
        }
        let timeout = params["timeout_ms"]?.intValue ?? 10_000
        guard timeout > 0 else { throw .permanent("http_request: params.timeout_ms must be positive") }
        let answer = try await http.send(
            method,
            url,
            headers: headers,
            body: body,
            deadline: .now() + .milliseconds(Int64(timeout)),
            limit: Self.responseLimit,
            label: "http_request"
        )
        let output = Self.output(answer)
        let status = answer.status
        switch status {
        case 500..<600, 429, 408:
            // Overload and timeouts are worth another try, 429 after the wait the server asks for.
            throw .retryable(
                "http_request: \(answer.url.absoluteString) answered \(status)",
                details: output,
                after: answer.retryAfter
            )
        case 400..<500:
            throw .permanent("http_request: \(answer.url.absoluteString) answered \(status)", details: output)
        default:
            return StepResult(output: output)
        }
    }

    /// An object of string values as request headers; `Host` and values with line breaks are dropped
    /// (the URL names the host; line breaks would split headers).
    static func headers(_ value: JSON?, label: String, field: String) throws(StepFailure) -> HTTPHeaders {
        var headers = HTTPHeaders()
        switch value {
        case nil, .null?: return headers
        case .object(let fields)?:
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                guard let value = value.stringValue else {
                    throw .permanent("\(label): \(field).\(name) must be a string")
                }
                if name.lowercased() == "host" || (name + value).contains(where: { $0.isNewline || $0 == "\0" }) {
                    continue
                }
                headers.add(name: name, value: value)
            }
            return headers
        default:
            throw .permanent("\(label): \(field) must be an object of strings")
        }
    }

    /// `{status, headers, body}`: headers by lowercased name (repeated ones joined with ", "), the
    /// body as JSON when the content type says JSON and it parses, else as text.
    static func output(_ answer: OutboundHTTP.Answer) -> JSON {
        var fields: [String: JSON] = [:]
        for (name, value) in answer.headers {
            let key = name.lowercased()
            if case .string(let earlier)? = fields[key] {
                fields[key] = .string(earlier + ", " + value)
            } else {
                fields[key] = .string(value)
            }
        }
        let text = answer.text
        let parsed = answer.isJSON ? (try? JSON.parse(text)) : nil
        return ["status": .int(Int64(answer.status)), "headers": .object(fields), "body": parsed ?? .string(text)]
    }
}
