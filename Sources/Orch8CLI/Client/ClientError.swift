import AsyncHTTPClient
import Foundation

/// Why a request to the server did not succeed, in words for the person at the terminal.
enum ClientError: Error, CustomStringConvertible {
    /// The server answered with a status outside 2xx; `message` is its `error` field or body.
    case server(status: Int, reason: String, message: String?, hint: String?)
    /// Nothing answered at `url`.
    case unreachable(url: String, reason: String)
    /// The exchange broke off after it started (timeout, closed connection).
    case transport(url: String, reason: String)
    /// A 2xx answer that is not JSON.
    case invalidResponse(url: String, reason: String)
    /// The server's answer lacks something the command needs.
    case unexpected(String)

    /// Sorts an error thrown while sending to `url` into "nothing listens there" and the rest.
    init(transport error: any Error, url: String) {
        let text = String(describing: error)
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                self = .unreachable(url: url, reason: "the connection timed out")
            case .deadlineExceeded, .readTimeout:
                self = .transport(url: url, reason: "no answer in time")
            default:
                self = .transport(url: url, reason: text)
            }
        } else if text.localizedCaseInsensitiveContains("refused") {
            self = .unreachable(url: url, reason: "connection refused")
        } else if text.contains("NIOConnectionError") || text.localizedCaseInsensitiveContains("connect") {
            self = .unreachable(url: url, reason: text)
        } else {
            self = .transport(url: url, reason: text)
        }
    }

    var description: String {
        switch self {
        case .server(let status, let reason, let message, let hint):
            var text = "HTTP \(status) \(reason)"
            if let message { text += ": \(message)" }
            if let hint { text += " (\(hint))" }
            return text
        case .unreachable(let url, let reason):
            return "cannot connect to \(url): \(reason) (is `orch8 serve` running there? see --url / ORCH8_URL)"
        case .transport(let url, let reason):
            return "request to \(url) failed: \(reason)"
        case .invalidResponse(let url, let reason):
            return "the answer from \(url) is not JSON: \(reason)"
        case .unexpected(let what):
            return "unexpected answer from the server: \(what)"
        }
    }
}
