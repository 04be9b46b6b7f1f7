import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
public import Orch8Core

/// `http_request` (ORCH8-SPEC §4): one HTTP call through a shared client. Output `{status, headers,
/// body}`, the body parsed as JSON when the response says it is JSON, text otherwise. 5xx and
/// transport errors are retryable; 4xx, bad params, blocked addresses and oversized answers are not.
public struct HTTPRequestHandler: StepHandler {
    /// The largest answer body read (10 MiB).
    public static let responseLimit = 10 << 20
    static let redirectLimit = 5
    private static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    /// One client for the process. Redirects are followed here, so that each hop is checked; a
    /// refused connection fails the call at once, so that the step's retry policy decides.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    let guardRail: InternalAddressGuard

    /// - Parameter allowInternalURLs: skip the SSRF guard (`ORCH8_ALLOW_INTERNAL_URLS=1`).
    public init(allowInternalURLs: Bool) {
        guardRail = InternalAddressGuard(allowInternal: allowInternalURLs)
    }

    public func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = invocation.params
        guard let text = params["url"]?.stringValue, var url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else {
            throw .permanent("http_request: params.url must be an http or https URL")
        }
        let method = (params["method"]?.stringValue ?? "GET").uppercased()
        guard Self.methods.contains(method) else {
            throw .permanent(
                "http_request: params.method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got \(method)"
            )
        }
        var headers = HTTPHeaders()
        if case .object(let fields)? = params["headers"] {
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                guard let value = value.stringValue else {
                    throw .permanent("http_request: params.headers.\(name) must be a string")
                }
                // Host is the URL's; control characters would split headers.
                if name.lowercased() == "host" || (name + value).contains(where: { $0.isNewline || $0 == "\0" }) {
                    continue
                }
                headers.add(name: name, value: value)
            }
        }
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
        let deadline = NIODeadline.now() + .milliseconds(timeout)

        var currentMethod = method
        for _ in 0...Self.redirectLimit {
            if let refusal = await guardRail.refusal(host: url.host ?? "") { throw .permanent(refusal) }
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = HTTPMethod(rawValue: currentMethod)
            request.headers = headers
            if let body { request.body = .bytes(body) }
            let response: HTTPClientResponse
            let bytes: ByteBuffer
            do {
                response = try await Self.client.execute(request, deadline: deadline)
                bytes = try await response.body.collect(upTo: Self.responseLimit)
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw .permanent("http_request: response larger than \(Self.responseLimit) bytes")
            } catch {
                throw .retryable("http_request: \(currentMethod) \(url.absoluteString) failed: \(error)")
            }
            let status = Int(response.status.code)
            if (300..<400).contains(status), status != 304, let location = response.headers.first(name: "location"),
                let next = URL(string: location, relativeTo: url)?.absoluteURL
            {
                url = next
                // 303, and 301/302 after a POST, continue as GET without the body.
                if status == 303 || ((status == 301 || status == 302) && currentMethod == "POST") {
                    currentMethod = "GET"
                    body = nil
                }
                continue
            }
            let output = Self.output(status: status, headers: response.headers, body: bytes)
            switch status {
            case 500..<600:
                throw .retryable("http_request: \(url.absoluteString) answered \(status)", details: output)
            case 400..<500:
                throw .permanent("http_request: \(url.absoluteString) answered \(status)", details: output)
            default:
                return StepResult(output: output)
            }
        }
        throw .permanent("http_request: more than \(Self.redirectLimit) redirects")
    }

    /// `{status, headers, body}`: headers by lowercased name (repeated ones joined with ", "), the
    /// body as JSON when the content type says JSON and it parses, else as text.
    static func output(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> JSON {
        var fields: [String: JSON] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if case .string(let earlier)? = fields[key] {
                fields[key] = .string(earlier + ", " + value)
            } else {
                fields[key] = .string(value)
            }
        }
        let text = String(buffer: body)
        let isJSON = headers.first(name: "content-type").map { $0.lowercased().contains("json") } ?? false
        let parsed = isJSON ? (try? JSON.parse(text)) : nil
        return ["status": .int(Int64(status)), "headers": .object(fields), "body": parsed ?? .string(text)]
    }
}
