import Foundation
import Orch8Core
import Testing

/// The plugin registry's storage: unique per tenant, tenant plus global listings.
@Suite struct StorePluginConformanceTests {
    private func plugin(_ name: String, tenant: String = "", source: String = "/p.wasm") -> PluginDefinition {
        PluginDefinition(
            name: name,
            pluginType: .wasm,
            source: source,
            tenantID: tenant,
            config: ["fuel": 10],
            description: "d",
            createdAt: Fixtures.epoch,
            updatedAt: Fixtures.epoch
        )
    }

    @Test(arguments: StoreBackend.all)
    func namesAreUniquePerTenant(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.createPlugin(plugin("classifier"))
        try await store.createPlugin(plugin("classifier", tenant: "acme"))
        try await store.createPlugin(plugin("classifier", tenant: "globex"))
        await #expect(throws: StoreError.self) { try await store.createPlugin(plugin("classifier", tenant: "acme")) }
        #expect(try await store.plugin(named: "classifier", tenantID: "acme") == plugin("classifier", tenant: "acme"))
        #expect(try await store.plugin(named: "classifier", tenantID: "nobody") == nil)
    }

    @Test(arguments: StoreBackend.all)
    func listingsAreTheTenantsPlusGlobalByName(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        for (name, tenant) in [("b", ""), ("a", "acme"), ("c", "globex"), ("a", "")] {
            try await store.createPlugin(plugin(name, tenant: tenant))
        }
        let acme = try await store.plugins(tenantID: "acme")
        #expect(acme.map { "\($0.name)@\($0.tenantID)" } == ["a@", "a@acme", "b@"])
        #expect(try await store.plugins(tenantID: nil).count == 4)
    }

    @Test(arguments: StoreBackend.all)
    func updateAndDelete(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.createPlugin(plugin("p", tenant: "acme"))
        var changed = plugin("p", tenant: "acme", source: "/v2.wasm")
        changed.enabled = false
        changed.updatedAt = Fixtures.epoch.addingTimeInterval(5)
        #expect(try await store.updatePlugin(changed))
        #expect(try await store.plugin(named: "p", tenantID: "acme") == changed)
        #expect(try await !store.updatePlugin(plugin("p", tenant: "other")))
        #expect(try await store.deletePlugin(named: "p", tenantID: "acme"))
        #expect(try await !store.deletePlugin(named: "p", tenantID: "acme"))
    }
}
