import Foundation
public import Orch8Core
import Synchronization

/// The registry as the engine reads it: lookups cached in memory, dropped on every change made
/// through this process (``invalidate()``) and after a second at most, so that changes made by
/// another node sharing the database are seen soon (PLUGINS.md §1, §2).
public final class PluginRegistry: Sendable {
    private struct Entry {
        var plugin: PluginDefinition?
        var fetched: ContinuousClock.Instant
    }

    private let store: any Store
    private let entries = Mutex<[String: Entry]>([:])
    private let freshness: Duration

    public init(store: any Store, freshness: Duration = .seconds(1)) {
        self.store = store
        self.freshness = freshness
    }

    /// The plugin `name` resolves to for `tenantID`: the tenant's own, else the global one.
    public func resolve(name: String, tenantID: String) async throws -> PluginDefinition? {
        if !tenantID.isEmpty, let own = try await lookup(name: name, tenantID: tenantID) { return own }
        return try await lookup(name: name, tenantID: "")
    }

    /// The plugins `tenantID` can see: its own and the global ones (read from the store).
    public func visible(to tenantID: String) async throws -> [PluginDefinition] {
        try await store.plugins(tenantID: tenantID)
    }

    /// Forgets every cached lookup: the next resolution reads the store.
    public func invalidate() {
        entries.withLock { $0.removeAll() }
    }

    private func lookup(name: String, tenantID: String) async throws -> PluginDefinition? {
        let key = tenantID + "\u{0}" + name
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.fetched < freshness { return entry.plugin }
        let plugin = try await store.plugin(named: name, tenantID: tenantID)
        entries.withLock { $0[key] = Entry(plugin: plugin, fetched: now) }
        return plugin
    }
}
