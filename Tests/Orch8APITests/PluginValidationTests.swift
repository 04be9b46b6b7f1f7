import Foundation
import HTTPTypes
import Orch8Core
import Testing

@testable import Orch8API

/// What `POST` and `PATCH /plugins` refuse, and with which message (PLUGINS.md §2).
@Suite struct PluginValidationTests {
    static let endpoint = PluginRouteTests.endpoint

    @Test func badNamesAre400NamingTheField() async throws {
        try await APIHarness().run { api in
            let only = "invalid argument: `name` may contain only letters A-Z a-z, digits, '_', '.' and '-': found"
            let cases: [(String, String)] = [
                ("my plugin", "\(only) ' ' in 'my plugin'"),
                ("scoré", "\(only) 'é' in 'scoré'"),
                ("a/b", "\(only) '/' in 'a/b'"),
                ("", "invalid argument: `name` must not be empty"),
                (String(repeating: "n", count: 256), "invalid argument: `name` is 256 characters long, more than 255"),
                ("..", "invalid argument: `name` cannot be '..'"),
            ]
            for (name, message) in cases {
                let reply = try await api.registerPlugin(name, source: Self.endpoint)
                #expect(reply.status == .badRequest, "\(name)")
                #expect(reply.error == message)
            }
            let longest = String(repeating: "n", count: 255)
            #expect(try await api.registerPlugin(longest, source: Self.endpoint).status == .created)
            #expect(try await api.registerPlugin("Model_v2.1-beta", source: Self.endpoint).status == .created)
        }
    }

    @Test func sourcesMustBeNonEmptyAndAtMost2048Characters() async throws {
        try await APIHarness().run { api in
            let empty = try await api.registerPlugin("p", source: "")
            #expect(empty.status == .badRequest)
            #expect(empty.error == "invalid argument: `source` must not be empty")
            let long = "localhost:50051/" + String(repeating: "m", count: 2033)
            let tooLong = try await api.registerPlugin("p", source: long)
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.error == "invalid argument: `source` is 2049 characters long, more than 2048")
            #expect(try await api.registerPlugin("p", source: String(long.dropLast())).status == .created)
        }
    }

    @Test func wrongShapesAre422AndAConfigMustBeAnObject() async throws {
        try await APIHarness().run { api in
            let shapes = [
                #"{"name": "p", "plugin_type": "lua", "source": "x"}"#,
                #"{"name": "p", "source": "localhost:1/A.B"}"#,
                #"{"name": "p", "plugin_type": "grpc"}"#,
                #"{"name": 7, "plugin_type": "grpc", "source": "localhost:1/A.B"}"#,
                #"{"name": "p", "plugin_type": "grpc", "source": "localhost:1/A.B", "enabled": "yes"}"#,
                #"["p"]"#,
            ]
            for body in shapes {
                let reply = try await api.send(.post, "/plugins", body)
                #expect(reply.status == .unprocessableContent, "\(body)")
                #expect(reply.error?.hasPrefix("unprocessable entity: ") == true)
            }
            let wrongType = try await api.send(.post, "/plugins", shapes[0])
            #expect(wrongType.error?.contains("plugin_type") == true, "\(wrongType.text)")
            let array = try await api.registerPlugin("p", source: Self.endpoint, extra: #", "config": [1]"#)
            #expect(array.status == .badRequest)
            #expect(array.error == "invalid argument: `config` must be an object or null, found array")
            let null = try await api.registerPlugin("p", source: Self.endpoint, extra: #", "config": null"#)
            #expect(null.status == .created)
            #expect(null.json["config"] == .null)
        }
    }

    @Test func grpcSourcesMustParseAsHostPortPath() async throws {
        try await APIHarness().run { api in
            #expect(try await api.registerPlugin("ok", source: "localhost:50051/Svc.Method").status == .created)
            #expect(
                try await api.registerPlugin("tls", source: "grpcs://scoring.internal:443/Svc.Method").status
                    == .created
            )
            for source in ["not a url", "localhost/Svc.Method", "localhost:0/Svc.Method", "localhost:50051/"] {
                let reply = try await api.registerPlugin("bad", source: source)
                #expect(reply.status == .badRequest, "\(source)")
                #expect(reply.error?.hasPrefix("invalid argument: grpc source '\(source)'") == true, "\(reply.text)")
            }
        }
    }

    @Test func wasmSourcesMustBeValidPluginModules() async throws {
        let harness = try APIHarness()
        let directory = harness.directory
        try await harness.run { api in
            let missing = directory.appendingPathComponent("nowhere.wasm").path
            let absent = try await api.registerPlugin("p", type: "wasm", source: missing)
            #expect(absent.status == .badRequest)
            #expect(absent.error == "invalid argument: wasm module not found: \(missing)")

            let garbage = try PluginModules.write(Array("not wasm".utf8), to: directory, as: "garbage.wasm")
            let invalid = try await api.registerPlugin("p", type: "wasm", source: garbage)
            #expect(invalid.status == .badRequest)
            #expect(invalid.error?.hasPrefix("invalid argument: \(garbage) is not a valid wasm module") == true)

            let importing = try PluginModules.write(PluginModules.importsAbort, to: directory, as: "imports.wasm")
            let refused = try await api.registerPlugin("p", type: "wasm", source: importing)
            #expect(refused.status == .badRequest)
            #expect(
                refused.error == "invalid argument: module imports env.abort: plugins may not import host functions"
            )

            let good = try PluginModules.write(PluginModules.plugin(returning: "{}"), to: directory, as: "good.wasm")
            #expect(try await api.registerPlugin("p", type: "wasm", source: good).status == .created)
            // The config's limits are part of the check: one page is the module's initial memory.
            let small = try await api.registerPlugin(
                "q",
                type: "wasm",
                source: good,
                extra: #", "config": {"memory_pages": 1}"#
            )
            #expect(small.status == .created, "\(small.text)")
        }
    }

    @Test func patchChecksWhatItChangesAndKeepsTheRest() async throws {
        let harness = try APIHarness()
        let directory = harness.directory
        try await harness.run { api in
            let good = try PluginModules.write(PluginModules.plugin(returning: "{}"), to: directory, as: "good.wasm")
            let created = try await api.registerPlugin("p", type: "wasm", source: good)
            #expect(created.status == .created)

            let missing = directory.appendingPathComponent("moved.wasm").path
            let badSource = try await api.send(.patch, "/plugins/p", #"{"source": "\#(missing)"}"#)
            #expect(badSource.status == .badRequest)
            #expect(badSource.error == "invalid argument: wasm module not found: \(missing)")
            let empty = try await api.send(.patch, "/plugins/p", #"{"source": ""}"#)
            #expect(empty.error == "invalid argument: `source` must not be empty")
            let config = try await api.send(.patch, "/plugins/p", #"{"config": "fast"}"#)
            #expect(config.error == "invalid argument: `config` must be an object or null, found string")
            let immutable: [(String, String)] = [
                (#"{"name": "q"}"#, "invalid argument: `name` cannot be changed (it is 'p')"),
                (#"{"plugin_type": "grpc"}"#, "invalid argument: `plugin_type` cannot be changed (it is 'wasm')"),
                (#"{"tenant_id": "globex"}"#, "invalid argument: `tenant_id` cannot be changed (it is 'acme')"),
            ]
            for (body, message) in immutable {
                let reply = try await api.send(.patch, "/plugins/p", body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.error == message)
            }
            for body in [#"{"source": null}"#, #"{"enabled": "no"}"#, #"{"plugin_type": "lua"}"#, "[]"] {
                #expect(try await api.send(.patch, "/plugins/p", body).status == .unprocessableContent, "\(body)")
            }
            #expect(try await api.send(.get, "/plugins/p").json == created.json, "refused changes change nothing")

            let same = try await api.send(
                .patch,
                "/plugins/p",
                #"{"name": "p", "plugin_type": "wasm", "tenant_id": "acme", "config": {"fuel": 1000000}}"#
            )
            #expect(same.status == .ok, "immutable members equal to the stored ones are accepted")
            #expect(same.json["config"] == ["fuel": 1_000_000])
            let cleared = try await api.send(.patch, "/plugins/p", #"{"config": null}"#)
            #expect(cleared.json["config"] == .null)
        }
    }
}

/// Who may register and change global plugins (``Tenancy``'s plugin rules), for the callers that
/// HTTP cannot produce yet: per-tenant API keys, which are not admin.
@Suite struct TenancyPluginRuleTests {
    static func plugin(tenant: String) -> PluginDefinition {
        PluginDefinition(
            name: "classifier",
            pluginType: .grpc,
            source: "localhost:1/A.B",
            tenantID: tenant,
            createdAt: Date(),
            updatedAt: Date()
        )
    }

    @Test func onlyAdminsChangeGlobalPlugins() throws {
        let tenantKey = Tenancy(contextTenant: "acme", isAdmin: false)
        #expect(throws: Never.self) { try tenantKey.checkCanChange(Self.plugin(tenant: "acme")) }
        #expect(throws: APIError.forbidden("plugin 'classifier' is global; only the root API key may change it")) {
            try tenantKey.checkCanChange(Self.plugin(tenant: ""))
        }
        let root = Tenancy(contextTenant: "acme", isAdmin: true)
        #expect(throws: Never.self) { try root.checkCanChange(Self.plugin(tenant: "")) }
        #expect(throws: Never.self) {
            try Tenancy(contextTenant: nil, isAdmin: true).checkCanChange(Self.plugin(tenant: ""))
        }
    }

    @Test func theCreateTenantIsTheContextsElseTheBodysElseGlobal() throws {
        #expect(try Tenancy(contextTenant: "acme", isAdmin: true).tenantForPluginCreate(body: nil) == "acme")
        #expect(try Tenancy(contextTenant: "acme", isAdmin: true).tenantForPluginCreate(body: "") == "acme")
        #expect(try Tenancy(contextTenant: "acme", isAdmin: false).tenantForPluginCreate(body: "acme") == "acme")
        #expect(try Tenancy(contextTenant: nil, isAdmin: true).tenantForPluginCreate(body: "globex") == "globex")
        #expect(try Tenancy(contextTenant: nil, isAdmin: true).tenantForPluginCreate(body: nil) == "")
        #expect(throws: APIError.forbidden("tenant_id in body does not match X-Tenant-Id header")) {
            try Tenancy(contextTenant: "acme", isAdmin: true).tenantForPluginCreate(body: "globex")
        }
        #expect(throws: APIError.forbidden("only the root API key may register a global plugin")) {
            try Tenancy(contextTenant: nil, isAdmin: false).tenantForPluginCreate(body: nil)
        }
    }
}
