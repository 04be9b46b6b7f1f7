import Foundation
import Orch8Core
import Testing

/// Triggers (global slugs, per-tenant listings) and the `emit_event` dedupe of instance creation.
@Suite struct StoreTriggerConformanceTests {
    private func trigger(
        _ slug: String,
        tenant: String = "acme",
        type: TriggerType = .event,
        secret: String? = nil
    ) -> TriggerDefinition {
        TriggerDefinition(
            slug: slug,
            sequenceName: "flow",
            tenantID: tenant,
            secret: secret,
            triggerType: type,
            config: ["subject": "orders.*", "n": 1.5],
            createdAt: Fixtures.epoch,
            updatedAt: Fixtures.epoch(plus: 7)
        )
    }

    @Test(arguments: StoreBackend.all)
    func triggersAreCreatedReadListedAndDeleted(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var pinned = trigger("b-pinned", secret: "s3cret")
        pinned.version = 3
        pinned.namespace = "billing"
        pinned.enabled = false
        try await store.createTrigger(pinned)
        try await store.createTrigger(trigger("a-hook", type: .webhook))
        try await store.createTrigger(trigger("c-other", tenant: "globex"))

        #expect(try await store.trigger(slug: "b-pinned") == pinned, "every field, the secret too")
        #expect(try await store.trigger(slug: "a-hook") == trigger("a-hook", type: .webhook))
        #expect(try await store.trigger(slug: "missing") == nil)
        #expect(try await store.triggers(tenantID: "acme", limit: 100).map(\.slug) == ["a-hook", "b-pinned"])
        #expect(try await store.triggers(tenantID: "globex", limit: 100).map(\.slug) == ["c-other"])
        #expect(try await store.triggers(tenantID: nil, limit: 100).map(\.slug) == ["a-hook", "b-pinned", "c-other"])
        #expect(try await store.triggers(tenantID: nil, limit: 2).map(\.slug) == ["a-hook", "b-pinned"])

        #expect(try await store.deleteTrigger(slug: "b-pinned"))
        #expect(try await !store.deleteTrigger(slug: "b-pinned"))
        #expect(try await store.trigger(slug: "b-pinned") == nil)
        #expect(try await store.triggers(tenantID: "acme", limit: 100).map(\.slug) == ["a-hook"])
    }

    @Test(arguments: StoreBackend.all)
    func slugsAreGloballyUnique(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        try await store.createTrigger(trigger("orders"))
        for duplicate in [trigger("orders"), trigger("orders", tenant: "globex")] {
            await #expect {
                try await store.createTrigger(duplicate)
            } throws: { error in
                guard case StoreError.alreadyExists = error else { return false }
                return true
            }
        }
        #expect(try await store.trigger(slug: "orders")?.tenantID == "acme", "the first one is kept")
    }

    @Test(arguments: StoreBackend.all)
    func anInstanceWithoutDedupeIsStoredLikeCreateInstancesStoresIt(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var instance = Fixtures.instance(metadata: ["source": "emit_event"])
        instance.nextFireAt = Fixtures.epoch(plus: 123)
        let created = try await store.createInstance(instance, dedupe: nil, now: Fixtures.epoch)
        #expect(created == EventInstanceCreation(instanceID: instance.id, deduplicated: false))
        #expect(try await store.instance(id: instance.id) == instance, "the same row createInstances writes")
        let again = try await store.createInstance(Fixtures.instance(), dedupe: nil, now: Fixtures.epoch)
        #expect(!again.deduplicated, "no key, no dedupe")
        #expect(try await store.instances(InstanceQuery()).count == 2)
    }

    @Test(arguments: StoreBackend.all)
    func aDedupeKeyAnswersTheFirstInstanceAndCreatesNoSecond(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let parent = UUID()
        let first = Fixtures.instance()
        let key = EventDedupe.parent(parent, key: "order-1")
        #expect(key.scope == "parent:\(parent.uuidString.lowercased())")
        let created = try await store.createInstance(first, dedupe: key, now: Fixtures.epoch)
        #expect(created == EventInstanceCreation(instanceID: first.id, deduplicated: false))

        let second = Fixtures.instance()
        let deduped = try await store.createInstance(second, dedupe: key, now: Fixtures.epoch(plus: 60_000))
        #expect(deduped == EventInstanceCreation(instanceID: first.id, deduplicated: true))
        #expect(try await store.instance(id: second.id) == nil)
        #expect(try await store.instances(InstanceQuery()).map(\.id) == [first.id])
    }

    @Test(arguments: StoreBackend.all)
    func anotherScopeOrKeyCreatesAnInstance(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let parent = UUID()
        let keys = [
            EventDedupe.parent(parent, key: "k"),
            EventDedupe.parent(UUID(), key: "k"),
            EventDedupe.parent(parent, key: "other"),
            EventDedupe.tenant("acme", key: "k"),
            EventDedupe.tenant("globex", key: "k"),
        ]
        var ids: [UUID] = []
        for key in keys {
            let instance = Fixtures.instance()
            let created = try await store.createInstance(instance, dedupe: key, now: Fixtures.epoch)
            #expect(created == EventInstanceCreation(instanceID: instance.id, deduplicated: false), "\(key)")
            ids.append(instance.id)
        }
        #expect(Set(try await store.instances(InstanceQuery()).map(\.id)) == Set(ids))
        // Each key now answers its own instance.
        for (key, id) in zip(keys, ids) {
            let again = try await store.createInstance(Fixtures.instance(), dedupe: key, now: Fixtures.epoch)
            #expect(again == EventInstanceCreation(instanceID: id, deduplicated: true), "\(key)")
        }
    }

    @Test(arguments: StoreBackend.all)
    func anExpiredKeyCreatesAnewAndThenAnswersTheNewInstance(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let key = EventDedupe.tenant("acme", key: "daily")
        let first = Fixtures.instance()
        _ = try await store.createInstance(first, dedupe: key, now: Fixtures.epoch)
        let day: Int64 = 24 * 60 * 60 * 1000
        // Exactly 30 days later the key still holds; a millisecond after, it has expired.
        let atTTL = try await store.createInstance(
            Fixtures.instance(),
            dedupe: key,
            now: Fixtures.epoch(plus: 30 * day)
        )
        #expect(atTTL == EventInstanceCreation(instanceID: first.id, deduplicated: true))

        let later = Fixtures.epoch(plus: 30 * day + 1)
        let second = Fixtures.instance()
        let created = try await store.createInstance(second, dedupe: key, now: later)
        #expect(created == EventInstanceCreation(instanceID: second.id, deduplicated: false))
        #expect(try await store.instance(id: second.id) != nil)

        let third = try await store.createInstance(Fixtures.instance(), dedupe: key, now: later.addingTimeInterval(1))
        #expect(
            third == EventInstanceCreation(instanceID: second.id, deduplicated: true),
            "the key now names the new one"
        )
        #expect(try await store.instances(InstanceQuery()).count == 2)
    }

    @Test(arguments: StoreBackend.all)
    func aTakenIdempotencyKeyAnswersTheExistingInstance(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let existing = Fixtures.instance(idempotencyKey: "once")
        _ = try await store.createInstances([existing])
        let key = EventDedupe.tenant("acme", key: "k")
        let result = try await store.createInstance(
            Fixtures.instance(idempotencyKey: "once"),
            dedupe: key,
            now: Fixtures.epoch
        )
        #expect(result == EventInstanceCreation(instanceID: existing.id, deduplicated: true))
        let again = try await store.createInstance(Fixtures.instance(), dedupe: key, now: Fixtures.epoch)
        #expect(again == EventInstanceCreation(instanceID: existing.id, deduplicated: true), "the key remembers it")
    }

    @Test(arguments: StoreBackend.all)
    func racingEmissionsWithOneKeyCreateOneInstance(_ backend: StoreBackend) async throws {
        let (one, two) = try await backend.makePair()
        let key = EventDedupe.parent(UUID(), key: "race")
        let results = try await withThrowingTaskGroup(of: EventInstanceCreation.self) { group in
            for index in 0..<8 {
                let store = index.isMultiple(of: 2) ? one : two
                group.addTask { try await store.createInstance(Fixtures.instance(), dedupe: key, now: Fixtures.epoch) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count { !$0.deduplicated } == 1)
        #expect(Set(results.map(\.instanceID)).count == 1, "every emission names the same instance")
        #expect(try await one.instances(InstanceQuery()).count == 1)
    }
}
