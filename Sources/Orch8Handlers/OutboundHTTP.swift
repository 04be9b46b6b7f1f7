import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Orch8Core

/// The one HTTP client of the built-ins that call out (`http_request`, `llm_call`, `human_review`'s
/// notification): every hop checked by the SSRF guard, redirects followed by hand, answers capped.
struct OutboundHTTP: Sendable {
    /// One client for the process. Redirects are followed here, so that each hop is checked; a
    /// refused connection fails the call at once, so that the step's retry policy decides.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
    static let redirectLimit = 5
    /// The longest `retry-after` honoured; a server asking for more gets this.
    static let retryAfterCap: Duration = .seconds(3600)

    let guardRail: InternalAddressGuard

    init(allowInternalURLs: Bool) {
        guardRail = InternalAddressGuard(allowInternal: allowInternalURLs)
    }

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        /// The URL that answered, after redirects.
        var url: URL

        var text: String { String(buffer: body) }
        var isJSON: Bool { headers.first(name: "content-type")?.lowercased().contains("json") ?? false }
        /// `retry-after` in seconds or as an HTTP date, capped.
        var retryAfter: Duration? {
            guard let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else {
                return nil
            }
            if let seconds = Double(value), seconds >= 0 {
                return min(.milliseconds(Int64(min(seconds, 1e7) * 1000)), OutboundHTTP.retryAfterCap)
            }
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.timeZone = TimeZone(identifier: "GMT")
            format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            guard let date = format.date(from: value) else { return nil }
            let wait = max(0, date.timeIntervalSinceNow)
            return min(.milliseconds(Int64(wait * 1000)), OutboundHTTP.retryAfterCap)
        }
    }

    /// Checks `text` as an http(s) URL; the message names `field`.
    static func url(_ text: String?, label: String, field: String) throws(StepFailure) -> URL {
        guard let text, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host?.isEmpty == false
        else {
            throw .permanent("\(label): \(field) must be an http or https URL")
        }
        return url
    }

    /// Sends one request and follows redirects (303, and 301/302 after a POST, continue as GET without
    /// the body). A blocked address or an answer over `limit` bytes is permanent; transport errors
    /// and the deadline are retryable. Any status comes back as an answer.
    func send(
        _ method: String,
        _ start: URL,
        headers: HTTPHeaders,
        body: ByteBuffer?,
        deadline: NIODeadline,
        limit: Int,
        label: String
    ) async throws(StepFailure) -> Answer {
        var url = start
        var method = method
        var body = body
        for _ in 0...Self.redirectLimit {
            if let refusal = await guardRail.refusal(host: url.host ?? "") { throw .permanent(refusal) }
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = HTTPMethod(rawValue: method)
            request.headers = headers
            if let body { request.body = .bytes(body) }
            let response: HTTPClientResponse
            let bytes: ByteBuffer
            do {
                response = try await Self.client.execute(request, deadline: deadline)
                bytes = try await response.body.collect(upTo: limit)
            } catch is NIOTooManyBytesError {
                throw .permanent("\(label): response larger than \(limit) bytes")
            } catch {
                throw .retryable("\(label): \(method) \(url.absoluteString) failed: \(error)")
            }
            let status = Int(response.status.code)
            if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location"),
                let next = URL(string: location, relativeTo: url)?.absoluteURL
            {
                guard next.scheme == "http" || next.scheme == "https" else {
                    throw .permanent("\(label): redirected to \(next.absoluteString), which is not http or https")
                }
                url = next
                if status == 303 || ((status == 301 || status == 302) && method == "POST") {
                    method = "GET"
                    body = nil
                }
                continue
            }
            return Answer(status: status, headers: response.headers, body: bytes, url: url)
        }
        throw .permanent("\(label): more than \(Self.redirectLimit) redirects")
    }
}
