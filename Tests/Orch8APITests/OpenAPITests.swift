import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Orch8Core
import Orch8Engine
import Orch8Storage
import Testing

@testable import Orch8API

/// The OpenAPI document of `GET /api-docs/openapi.json` against what the application serves: the
/// same routes (read from the router itself, so that a route added to a controller without an entry
/// fails here), the same public and key-protected routes, and a document that a standard validator
/// accepts.
@Suite struct OpenAPITests {
    /// The operation keys of an OpenAPI path item.
    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// The document as the application serves it, parsed.
    static func servedDocument() async throws -> (reply: Reply, document: JSON) {
        try await APIHarness().run { api in
            let reply = try await api.send(.get, "/api-docs/openapi.json", mount: "")
            return (reply, try JSON.parse(reply.text))
        }
    }

    /// Every operation of the document as `METHOD /path`, with its operation object.
    static func operations(of document: JSON) -> [(route: String, operation: JSON)] {
        var found: [(String, JSON)] = []
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for method in methods {
                if let operation = item[method] { found.append(("\(method.uppercased()) \(path)", operation)) }
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Every route the router of `buildApplication` serves, as `METHOD /path` with `{name}` captures.
    static func servedRoutes() throws -> Set<String> {
        let store = try SQLiteStore.inMemory()
        let router = buildRouter(configuration: APIConfiguration(), store: store, engine: Engine(store: store))
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
    }

    @Test func everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        let served = try Self.servedRoutes()
        // The enumeration itself works: routes of several controllers and both mounts are there.
        #expect(served.contains("GET /api/v1/sequences/{id}"))
        #expect(served.contains("GET /sequences/{id}"))
        #expect(served.contains("GET /health/live"))
        #expect(served.count > 80, "\(served.sorted())")

        let versioned = served.filter { $0.split(separator: " ")[1].hasPrefix("/api/v1/") }
        // A bare route is the deprecated alias of the versioned route of the same method and path.
        func alias(_ route: String) -> String? {
            let parts = route.split(separator: " ", maxSplits: 1)
            let twin = "\(parts[0]) /api/v1\(parts[1])"
            return versioned.contains(twin) ? twin : nil
        }
        let rootOnly = served.subtracting(versioned).filter { alias($0) == nil }
        let aliases = served.subtracting(versioned).subtracting(rootOnly)
        #expect(rootOnly.isSuperset(of: ["GET /health/live", "GET /health/ready", "GET /info"]))

        let (_, document) = try await Self.servedDocument()
        let documented = Set(Self.operations(of: document).map(\.route))
        let expected = versioned.union(rootOnly)
        #expect(
            expected.subtracting(documented).isEmpty,
            "served but not in the document: \(expected.subtracting(documented).sorted())"
        )
        #expect(
            documented.subtracting(expected).isEmpty,
            "in the document but not served: \(documented.subtracting(expected).sorted())"
        )
        #expect(documented.isDisjoint(with: aliases), "the document lists only canonical paths")
        // The info description promises a bare alias for every /api/v1 route (ORCH8-SPEC §1.1).
        let withoutAlias = versioned.filter { route in
            let parts = route.split(separator: " ", maxSplits: 1)
            return !served.contains("\(parts[0]) \(parts[1].dropFirst("/api/v1".count))")
        }
        #expect(withoutAlias.isEmpty, "versioned routes without a bare alias: \(withoutAlias.sorted())")
    }

    @Test func theDocumentIsServedAtTheRootWithoutAKey() async throws {
        try await APIHarness().run(APIConfiguration(apiKey: "root-secret")) { api in
            let reply = try await api.send(.get, "/api-docs/openapi.json", mount: "")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/json")
            let document = try JSON.parse(reply.text)
            #expect(document["openapi"] == "3.1.0")
            #expect(document["info"]?["version"] == .string(HealthController.version))
            #expect(document["components"]?["securitySchemes"]?["apiKey"]?["name"] == "x-api-key")
            // Root only, and the key is really required elsewhere.
            #expect(try await api.send(.get, "/api-docs/openapi.json").status == .notFound)
            #expect(try await api.send(.get, "/sequences").status == .unauthorized)
        }
    }

    /// Each operation the document marks public (`security: []`) answers without a key, and each
    /// other one is refused without a key (401) and, with it, without `X-Tenant-Id` (400) — so the
    /// document's security and tenant header match the middleware the router really puts in front.
    @Test func theDocumentedSecurityAndTenantHeaderMatchTheMiddleware() async throws {
        let (_, document) = try await Self.servedDocument()
        let operations = Self.operations(of: document)
        try await APIHarness().run(APIConfiguration(apiKey: "root-secret")) { api in
            var anonymous = api
            anonymous.tenant = nil
            for (route, operation) in operations {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let method = HTTPRequest.Method(parts[0])!
                let path = Self.concrete(parts[1])
                let isPublic = operation["security"] == .array([])
                let withoutKey = try await anonymous.send(method, path, mount: "")
                if isPublic {
                    #expect(withoutKey.status != .unauthorized, "\(route) is documented as public")
                    continue
                }
                #expect(withoutKey.status == .unauthorized, "\(route) is documented as needing the key")
                let withoutTenant = try await anonymous.send(
                    method,
                    path,
                    headers: [.apiKey: "root-secret"],
                    mount: ""
                )
                #expect(withoutTenant.status == .badRequest, "\(route) without X-Tenant-Id: \(withoutTenant.status)")
                #expect(withoutTenant.text.isEmpty, "\(route): the tenant check answers with an empty body")
                let pathItem = document["paths"]?[parts[1]]
                let parameters =
                    (operation["parameters"]?.arrayValue ?? []) + (pathItem?["parameters"]?.arrayValue ?? [])
                #expect(
                    parameters.contains(["$ref": "#/components/parameters/TenantHeader"]),
                    "\(route) declares the X-Tenant-Id header"
                )
            }
        }
    }

    /// A path template with every `{capture}` replaced by a UUID, which every capture accepts.
    static func concrete(_ template: String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") ? UUID().uuidString.lowercased() : String(segment)
        }.joined(separator: "/")
    }

    @Test func theDocumentIsValidOpenAPI31() async throws {
        let (reply, document) = try await Self.servedDocument()
        let validator = try await PythonTool.installed(
            "openapi-spec-validator==0.9.0",
            module: "openapi_spec_validator"
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-openapi-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let file = directory.appendingPathComponent("openapi.json")
        try reply.text.write(to: file, atomically: true, encoding: .utf8)
        let valid = try await validator.run(["-m", "openapi_spec_validator", file.path])
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.output.contains("OK"), "\(valid.output)")

        // The validator can say no: the same document with a dangling reference is refused.
        var broken = document
        broken["paths"]?["/info"]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"] = [
            "$ref": "#/components/schemas/NoSuchSchema"
        ]
        #expect(broken != document)
        let brokenFile = directory.appendingPathComponent("broken.json")
        try broken.serialized().write(to: brokenFile, atomically: true, encoding: .utf8)
        let invalid = try await validator.run(["-m", "openapi_spec_validator", brokenFile.path])
        #expect(invalid.status != 0, "\(invalid.output)")
    }

    @Test func operationIdsAreUniqueAndEveryOperationHasATagAndResponses() async throws {
        let (_, document) = try await Self.servedDocument()
        let operations = Self.operations(of: document)
        let ids = operations.compactMap { $0.operation["operationId"]?.stringValue }
        #expect(ids.count == operations.count, "every operation has an operationId")
        #expect(Set(ids).count == ids.count, "operationIds are unique")
        let tags = Set((document["tags"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for (route, operation) in operations {
            let operationTags = operation["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!operationTags.isEmpty && Set(operationTags).isSubset(of: tags), "\(route): tags \(operationTags)")
            #expect(operation["responses"]?.objectValue?.isEmpty == false, "\(route) documents its responses")
        }
    }
}

/// A Python virtual environment with one PyPI package, made under the temporary directory on first
/// use and reused afterwards. The package is the point of the tests that use it: a failed install
/// fails them rather than skipping them.
struct PythonTool {
    /// The environment's directory.
    let directory: URL

    /// The environment with `requirement` (`name==version`) installed; `module` is imported to tell
    /// whether an earlier run installed it already.
    static func installed(_ requirement: String, module: String) async throws -> PythonTool {
        let name = requirement.replacingOccurrences(of: "==", with: "-")
        let tool = PythonTool(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("orch8-venv-\(name)")
        )
        if try await tool.run(["-c", "import \(module)"]).status == 0 { return tool }
        let venv = try await run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "venv", tool.directory.path])
        guard venv.status == 0 else { throw PythonToolError("python3 -m venv failed: \(venv.output)") }
        let install = try await tool.run([
            "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement,
        ])
        guard install.status == 0 else { throw PythonToolError("pip install \(requirement) failed: \(install.output)") }
        return tool
    }

    /// Runs the environment's python with `arguments`; its exit status and its standard error followed
    /// by its standard output (127 when there is no environment yet).
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let python = directory.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return (127, "no environment") }
        return try await Self.run(python, arguments)
    }

    private static func run(_ executable: URL, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let (stdout, stderr) = try await process.runCapturing()
        return (process.terminationStatus, stderr + stdout)
    }
}

struct PythonToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
