import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Orch8API
import Orch8Core
import Orch8Engine
import Orch8Handlers
import Orch8Plugins
import Orch8Storage
import Testing

/// The application as `orch8 serve` builds it, on a real SQLite file with a real engine running as
/// one of the application's services, driven through HummingbirdTesting's router client.
struct APIHarness {
    let store: SQLiteStore
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("orch8.db").path)
    }

    /// Runs `body` against the application (and its engine) built with `configuration`, through the
    /// router (`.router`, no sockets) or a real server (`.live`, which needs port 0 in `configuration`).
    func run<T: Sendable>(
        _ configuration: APIConfiguration = APIConfiguration(),
        extraHandlers: [String: any StepHandler] = [:],
        setup: TestingSetup = .router,
        grpcPool: HTTP2ConnectionPool = HTTP2ConnectionPool(),
        engine adjust: (inout EngineConfiguration) -> Void = { _ in },
        _ body: @Sendable (APIClient) async throws -> T
    ) async throws -> T {
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.tickInterval = .milliseconds(20)
        engineConfiguration.shutdownGracePeriod = .seconds(2)
        adjust(&engineConfiguration)
        let handlers = BuiltinHandlers.standard().merging(extraHandlers) { _, extra in extra }
        // As `orch8 serve` wires it: the engine runs plugins from the host whose registry the API
        // changes. One guest thread is plenty here.
        var wasm = WasmConfiguration()
        wasm.threads = 1
        let plugins = PluginHost(store: store, wasm: WasmRuntime(configuration: wasm), grpcPool: grpcPool)
        let engine = Engine(store: store, configuration: engineConfiguration, handlers: handlers, plugins: plugins)
        let app = buildApplication(
            configuration: configuration,
            store: store,
            engine: engine,
            services: [engine],
            logger: Logger(label: "orch8.api.test")
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await app.test(setup) { client in
            try await body(APIClient(client: client, store: store))
        }
    }
}

/// Sends requests with the headers most tests need (`x-tenant-id: acme`, a JSON content type) and
/// reads the answers as JSON.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let store: SQLiteStore
    var prefix = "/api/v1"
    var tenant: String? = "acme"

    /// The answer to `method path` with `body` (JSON text), plus `headers`.
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        _ body: String? = nil,
        headers: HTTPFields = [:],
        mount: String? = nil
    ) async throws -> Reply {
        var fields = headers
        if let tenant, fields[.tenantID] == nil { fields[.tenantID] = tenant }
        if body != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let response = try await client.executeRequest(
            uri: (mount ?? prefix) + path,
            method: method,
            headers: fields,
            body: body.map { ByteBuffer(string: $0) }
        )
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// `POST /sequences` of a definition with these `blocks` (JSON text); returns its id.
    @discardableResult
    func createSequence(
        _ blocks: String,
        name: String = "seq-\(UUID().uuidString.prefix(8))",
        version: Int = 1,
        extra: String = ""
    ) async throws -> UUID {
        let id = UUID()
        let reply = try await send(
            .post,
            "/sequences",
            Self.sequenceJSON(id: id, name: name, version: version, blocks: blocks, extra: extra)
        )
        #expect(reply.status == .created, "\(reply.text)")
        return id
    }

    static func sequenceJSON(id: UUID, name: String, version: Int = 1, blocks: String, extra: String = "") -> String {
        """
        {"id": "\(id.uuidString.lowercased())", "tenant_id": "acme", "namespace": "default", "name": "\(name)",
         "version": \(version), "created_at": "2026-11-25T00:00:00Z", "blocks": \(blocks)\(extra)}
        """
    }

    /// `POST /instances` of `sequence` with `data`; returns the new id.
    func createInstance(_ sequence: UUID, data: String = "{}", extra: String = "") async throws -> UUID {
        let reply = try await send(.post, "/instances", Self.instanceJSON(sequence, data: data, extra: extra))
        #expect(reply.status == .created, "\(reply.text)")
        return try #require(UUID(uuidString: reply.json["id"]?.stringValue ?? ""))
    }

    static func instanceJSON(_ sequence: UUID, data: String = "{}", extra: String = "") -> String {
        """
        {"sequence_id": "\(sequence.uuidString.lowercased())", "tenant_id": "acme", "namespace": "default",
         "context": {"data": \(data)}\(extra)}
        """
    }

    /// Polls `GET /instances/{id}` until the instance is in `state` (10 s at most); returns it.
    @discardableResult
    func waitFor(_ id: UUID, _ state: String, timeout: Duration = .seconds(10)) async throws -> JSON {
        let deadline = ContinuousClock.now + timeout
        while true {
            let instance = try await send(.get, "/instances/\(id.wire)").json
            if instance["state"]?.stringValue == state { return instance }
            if ContinuousClock.now > deadline {
                let outputs = try await send(.get, "/instances/\(id.wire)/outputs").text
                Issue.record("instance is \(instance["state"] ?? .null), expected \(state); outputs: \(outputs)")
                return instance
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// `GET /instances/{id}/outputs`.
    func outputs(_ id: UUID) async throws -> [JSON] {
        try await send(.get, "/instances/\(id.wire)/outputs").json.arrayValue ?? []
    }
}

/// A response, its body as text and as JSON.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var text: String

    /// The body parsed as JSON (`null` when it is empty or not JSON).
    var json: JSON { (try? JSON.parse(text)) ?? .null }

    /// The `error` member of a JSON error body.
    var error: String? { json["error"]?.stringValue }
}

extension HTTPField.Name {
    static let tenantID = HTTPField.Name("x-tenant-id")!
    static let apiKey = HTTPField.Name("x-api-key")!
    static let requestID = HTTPField.Name("x-request-id")!
}

extension UUID {
    var wire: String { uuidString.lowercased() }
}
