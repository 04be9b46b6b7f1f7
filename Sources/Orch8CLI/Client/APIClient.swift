import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Orch8Core

/// A small REST client for the orch8 API: JSON in, JSON out, every failure a ``ClientError``.
struct APIClient: Sendable {
    /// The API's base URL, e.g. `http://127.0.0.1:8080/api/v1`, without a trailing slash.
    let baseURL: String
    /// Sent as `x-api-key` when set.
    let apiKey: String?
    /// Sent as `X-Tenant-Id` when set.
    let tenant: String?
    private let http: HTTPClient

    /// Longest wait for one answer: the routes the CLI calls answer at once.
    static let requestTimeout: TimeAmount = .seconds(60)

    init(baseURL: String, apiKey: String?, tenant: String?) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.tenant = tenant
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(10)
        // Without this a refused connection is retried until the deadline; a CLI should say at once
        // that nothing listens there.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connections; the client is not used afterwards.
    func shutdown() async throws { try await http.shutdown() }

    /// `GET path?query`.
    func get(_ path: String, query: [(String, String)] = []) async throws(ClientError) -> JSON {
        try await send(.GET, path, query: query)
    }

    /// Sends one request and returns the parsed body (null when empty).
    /// - Parameter path: below the base URL, starting with `/`; segments must already be escaped
    ///   (``segment(_:)``).
    /// - Throws: ``ClientError``: the server's error for a status outside 2xx, or why no answer came.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: JSON? = nil
    ) async throws(ClientError) -> JSON {
        let url = Self.url(baseURL + path, query: query)
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "accept", value: "application/json")
        if let apiKey { request.headers.add(name: "x-api-key", value: apiKey) }
        if let tenant { request.headers.add(name: "x-tenant-id", value: tenant) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
        }
        let status: HTTPResponseStatus
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: Self.requestTimeout)
            status = response.status
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ClientError(transport: error, url: url)
        }
        let data = Array(bytes.readableBytesView)
        guard (200..<300).contains(status.code) else {
            throw ClientError.server(
                status: Int(status.code),
                reason: status.reasonPhrase,
                message: Self.errorMessage(in: data),
                hint: hint(for: Int(status.code))
            )
        }
        if data.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return .null }
        do {
            return try JSON.parse(data)
        } catch {
            throw .invalidResponse(url: url, reason: "\(error)")
        }
    }

    /// `text` escaped as one path segment (a plugin name may hold characters a path may not).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func url(_ base: String, query: [(String, String)]) -> String {
        guard !query.isEmpty, var components = URLComponents(string: base) else { return base }
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves `+` alone, which servers read as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? base
    }

    /// The `error` field of a JSON error body; else the body's text (framework errors are plain
    /// text); nil for an empty body.
    private static func errorMessage(in data: [UInt8]) -> String? {
        if let json = try? JSON.parse(data), let message = json["error"]?.stringValue { return message }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// What to try next, for the statuses the middlewares answer with an empty body (ORCH8-SPEC §1.2).
    private func hint(for status: Int) -> String? {
        switch status {
        case 401:
            return apiKey == nil
                ? "the server requires an API key: pass --api-key or set ORCH8_API_KEY"
                : "the server did not accept the API key"
        case 403:
            return tenant == nil
                ? "the API key may not do this"
                : "the API key may not do this, or its tenant is not '\(tenant ?? "")'"
        case 400 where tenant == nil:
            return "the server may require a tenant: pass --tenant or set ORCH8_TENANT_ID"
        default:
            return nil
        }
    }
}
