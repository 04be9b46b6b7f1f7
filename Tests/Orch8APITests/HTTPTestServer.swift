import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A Hummingbird HTTP/1.1 server on loopback for the tests of the built-ins that call out
/// (`http_request`, `llm_call`). The standard routes: `/json`, `/text`, `/echo` (method, body and two
/// headers back as JSON), `/status/{n}`, `/redirect` (to `/json`), `/big` (11 MiB); tests add more
/// through `routes`.
final class HTTPTestServer: Sendable {
    let port: Int
    private let counter: Counter

    private init(port: Int, counter: Counter) {
        self.port = port
        self.counter = counter
    }

    var base: String { "http://127.0.0.1:\(port)" }
    /// Requests the server has answered.
    var requests: Int { counter.count.load(ordering: .relaxed) }

    /// Adds a test's own routes.
    typealias Routes = @Sendable (Router<BasicRequestContext>, Counter) -> Void

    /// Serves until `body` returns.
    static func with<T: Sendable>(
        routes: Routes = { _, _ in },
        _ body: @Sendable (HTTPTestServer) async throws -> T
    ) async throws -> T {
        let counter = Counter()
        let router = Router()
        router.middlewares.add(counter)
        router.get("/json") { _, _ in json(#"{"ok": true}"#) }
        router.get("/text") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "plain words"))
            )
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("/echo", method: method) { request, _ in
                let bytes = try await request.body.collect(upTo: 1 << 20)
                let fields: [String: Any] = [
                    "method": request.method.rawValue,
                    "body": String(buffer: bytes),
                    "type": request.headers[.contentType] ?? NSNull(),
                    "token": request.headers[HTTPField.Name("x-token")!] ?? NSNull(),
                ]
                let data = try JSONSerialization.data(withJSONObject: fields)
                return json(String(decoding: data, as: UTF8.self))
            }
        }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/status/{code}", method: method) { _, context in
                let code = Int(context.parameters.get("code") ?? "") ?? 500
                return Response(
                    status: HTTPResponse.Status(code: code),
                    headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "status page"))
                )
            }
        }
        router.get("/redirect") { _, _ in Response(status: .found, headers: [.location: "/json"]) }
        router.get("/big") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 11 << 20))
            )
        }
        routes(router, counter)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body(HTTPTestServer(port: client.port ?? 0, counter: counter))
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Counts the requests that reach a route handler.
    final class Counter: RouterMiddleware, Sendable {
        let count = Atomic<Int>(0)
        func handle(
            _ request: Request,
            context: BasicRequestContext,
            next: (Request, BasicRequestContext) async throws -> Response
        ) async throws -> Response {
            count.add(1, ordering: .relaxed)
            return try await next(request, context)
        }
    }
}
