import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// The plugin registry routes of PLUGINS.md §2: the life of a plugin, names unique per tenant,
/// resolution of a name for a tenant (its own, else the global one), both mounts.
@Suite struct PluginRouteTests {
    static let endpoint = "localhost:50051/Scoring.Score"

    @Test func aPluginIsCreatedReadUpdatedAndDeleted() async throws {
        let harness = try APIHarness()
        let directory = harness.directory
        try await harness.run { api in
            let path = try PluginModules.write(PluginModules.plugin(returning: "{}"), to: directory, as: "p.wasm")
            let created = try await api.registerPlugin(
                "classifier",
                type: "wasm",
                source: path,
                extra: #", "config": {"threshold": 0.5}, "description": "spam or ham""#
            )
            #expect(created.status == .created, "\(created.text)")
            let plugin = created.json
            #expect(plugin["name"] == "classifier")
            #expect(plugin["plugin_type"] == "wasm")
            #expect(plugin["source"] == .string(path))
            #expect(plugin["tenant_id"] == "acme", "the header's tenant owns it")
            #expect(plugin["enabled"] == true)
            #expect(plugin["config"] == ["threshold": 0.5])
            #expect(plugin["description"] == "spam or ham")
            #expect(plugin["created_at"]?.stringValue != nil)
            #expect(plugin["created_at"] == plugin["updated_at"])

            let read = try await api.send(.get, "/plugins/classifier")
            #expect(read.status == .ok)
            #expect(read.json == plugin, "the answer to POST is what GET reads back")
            #expect(try await api.send(.get, "/plugins").json == [plugin])

            try await Task.sleep(for: .milliseconds(5))
            let patched = try await api.send(.patch, "/plugins/classifier", #"{"enabled": false, "description": null}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["enabled"] == false)
            #expect(patched.json["description"] == nil, "null clears the description")
            #expect(patched.json["config"] == ["threshold": 0.5], "absent members are kept")
            #expect(patched.json["created_at"] == plugin["created_at"])
            let updatedAt = try #require(patched.json["updated_at"]?.stringValue)
            let createdAt = try #require(plugin["created_at"]?.stringValue)
            #expect(updatedAt > createdAt)
            #expect(try await api.send(.get, "/plugins/classifier").json == patched.json)

            let deleted = try await api.send(.delete, "/plugins/classifier")
            #expect(deleted.status == .noContent)
            #expect(deleted.text.isEmpty)
            let gone = try await api.send(.get, "/plugins/classifier")
            #expect(gone.status == .notFound)
            #expect(gone.error == "not found: plugin 'classifier'")
            let again = try await api.send(.delete, "/plugins/classifier")
            #expect(again.status == .notFound)
            #expect(again.error == "not found: plugin 'classifier'")
            #expect(try await api.send(.patch, "/plugins/classifier", #"{"enabled": true}"#).status == .notFound)
            #expect(try await api.send(.get, "/plugins").json == [])
        }
    }

    @Test func namesAreUniquePerTenant() async throws {
        try await APIHarness().run { api in
            var globex = api
            globex.tenant = "globex"
            #expect(try await api.registerPlugin("classifier", source: Self.endpoint).status == .created)
            let other = try await globex.registerPlugin("classifier", source: "scoring:9000/Other.Score")
            #expect(other.status == .created, "another tenant may use the same name")
            let duplicate = try await api.registerPlugin("classifier", source: "elsewhere:1/A.B")
            #expect(duplicate.status == .conflict)
            #expect(duplicate.error == "already exists: plugin 'classifier'")
            // Each tenant reads its own.
            #expect(try await api.send(.get, "/plugins/classifier").json["source"] == .string(Self.endpoint))
            #expect(try await globex.send(.get, "/plugins/classifier").json["source"] == "scoring:9000/Other.Score")
            #expect(try await api.send(.get, "/plugins").json.arrayValue?.count == 1)
        }
    }

    @Test func aNameResolvesToTheTenantsOwnElseTheGlobalPlugin() async throws {
        try await APIHarness().run(APIConfiguration(requireTenantHeader: false)) { api in
            var admin = api
            admin.tenant = nil
            var globex = api
            globex.tenant = "globex"
            // Without a tenant context, the plugin is global.
            let global = try await admin.registerPlugin("classifier", source: "global:1/Default.Classify")
            #expect(global.status == .created, "\(global.text)")
            #expect(global.json["tenant_id"] == "")
            #expect(try await admin.registerPlugin("classifier", source: "global:2/A.B").status == .conflict)
            #expect(try await api.registerPlugin("classifier", source: "acme:1/Acme.Classify").status == .created)
            #expect(try await api.registerPlugin("scorer", source: Self.endpoint).status == .created)
            #expect(try await admin.registerPlugin("zeta", source: "global:3/Z.Z").status == .created)

            #expect(try await api.send(.get, "/plugins/classifier").json["tenant_id"] == "acme", "own beats global")
            #expect(try await globex.send(.get, "/plugins/classifier").json["tenant_id"] == "", "else the global one")
            #expect(try await admin.send(.get, "/plugins/classifier").json["tenant_id"] == "")
            #expect(try await admin.send(.get, "/plugins/classifier?tenant_id=acme").json["tenant_id"] == "acme")
            let hidden = try await globex.send(.get, "/plugins/scorer")
            #expect(hidden.status == .notFound, "another tenant's plugin is not there")
            #expect(hidden.error == "not found: plugin 'scorer'")
            // The context overrides the query.
            #expect(try await globex.send(.get, "/plugins/scorer?tenant_id=acme").status == .notFound)

            func listed(_ client: APIClient, _ query: String = "") async throws -> [String] {
                let items = try await client.send(.get, "/plugins\(query)").json.arrayValue ?? []
                return items.map { "\($0["tenant_id"]?.stringValue ?? "?")/\($0["name"]?.stringValue ?? "?")" }
            }
            #expect(try await listed(api) == ["/classifier", "acme/classifier", "acme/scorer", "/zeta"])
            #expect(try await listed(globex) == ["/classifier", "/zeta"])
            #expect(try await listed(globex, "?tenant_id=acme") == ["/classifier", "/zeta"])
            #expect(try await listed(admin) == ["/classifier", "acme/classifier", "acme/scorer", "/zeta"])
            #expect(try await listed(admin, "?tenant_id=globex") == ["/classifier", "/zeta"])
        }
    }

    @Test func aBodyTenantMustMatchTheHeader() async throws {
        try await APIHarness().run(APIConfiguration(requireTenantHeader: false)) { api in
            let refused = try await api.registerPlugin("p", source: Self.endpoint, extra: #", "tenant_id": "globex""#)
            #expect(refused.status == .forbidden)
            #expect(refused.error == "forbidden: tenant_id in body does not match X-Tenant-Id header")
            let same = try await api.registerPlugin("p", source: Self.endpoint, extra: #", "tenant_id": "acme""#)
            #expect(same.json["tenant_id"] == "acme")
            var admin = api
            admin.tenant = nil
            let forGlobex = try await admin.registerPlugin(
                "p",
                source: Self.endpoint,
                extra: #", "tenant_id": "globex""#
            )
            #expect(forGlobex.json["tenant_id"] == "globex", "without a header the body names the tenant")
        }
    }

    /// Today every caller is admin (the root key, or no key at all), so a request with a tenant
    /// header may change the global plugin its tenant resolves to; per-tenant keys may not (see
    /// ``TenancyPluginRuleTests``).
    @Test func anAdminWithATenantHeaderChangesTheGlobalPluginItResolvesTo() async throws {
        try await APIHarness().run(APIConfiguration(requireTenantHeader: false)) { api in
            var admin = api
            admin.tenant = nil
            #expect(try await admin.registerPlugin("shared", source: Self.endpoint).status == .created)
            let patched = try await api.send(.patch, "/plugins/shared", #"{"enabled": false}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["tenant_id"] == "")
            #expect(try await admin.send(.get, "/plugins/shared").json["enabled"] == false)
            #expect(try await api.send(.delete, "/plugins/shared").status == .noContent)
            #expect(try await admin.send(.get, "/plugins/shared").status == .notFound)
        }
    }

    @Test func bothMountsServeTheRegistry() async throws {
        try await APIHarness().run { api in
            let created = try await api.send(
                .post,
                "/plugins",
                #"{"name": "bare.one", "plugin_type": "grpc", "source": "localhost:50051/Svc.Method"}"#,
                mount: ""
            )
            #expect(created.status == .created)
            #expect(created.headers[HTTPField.Name("Deprecation")!] != nil)
            let versioned = try await api.send(.get, "/plugins/bare.one")
            #expect(versioned.status == .ok)
            #expect(versioned.json == created.json)
            #expect(try await api.send(.get, "/plugins", mount: "").json == [created.json])
            let patched = try await api.send(.patch, "/plugins/bare.one", #"{"enabled": false}"#, mount: "")
            #expect(patched.json["enabled"] == false)
            #expect(try await api.send(.delete, "/plugins/bare.one", mount: "").status == .noContent)
            #expect(try await api.send(.get, "/plugins/bare.one").status == .notFound)
        }
    }
}

extension APIClient {
    /// `POST /plugins` of a plugin; `extra` is appended to the body's members (`, "config": …`).
    func registerPlugin(
        _ name: String,
        type: String = "grpc",
        source: String,
        extra: String = ""
    ) async throws -> Reply {
        try await send(
            .post,
            "/plugins",
            #"{"name": "\#(name)", "plugin_type": "\#(type)", "source": "\#(source)"\#(extra)}"#
        )
    }
}

/// Sequence creation warns about `wasm://` plugins the tenant cannot resolve yet.
@Suite struct PluginWarningTests {
    @Test func aSequenceNamingAnUnregisteredPluginGetsAWarning() async throws {
        let harness = try APIHarness()
        let directory = harness.directory
        try await harness.run { api in
            let blocks = #"[{"type": "step", "id": "score", "handler": "wasm://scorer"}]"#
            let first = try await api.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: UUID(), name: "a", blocks: blocks)
            )
            #expect(first.status == .created)
            #expect(
                first.json["warnings"]
                    == [
                        "block `score`: no WASM plugin 'scorer' is registered for tenant 'acme' yet; the step fails until one is"
                    ]
            )
            let path = try PluginModules.write(PluginModules.plugin(returning: "{}"), to: directory, as: "s.wasm")
            #expect(try await api.registerPlugin("scorer", type: "wasm", source: path).status == .created)
            let second = try await api.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: UUID(), name: "b", blocks: blocks)
            )
            #expect(second.status == .created)
            #expect(second.json["warnings"] == nil, "a registered plugin is not worth a warning")
        }
    }
}
