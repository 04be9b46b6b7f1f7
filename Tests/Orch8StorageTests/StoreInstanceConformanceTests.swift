import Foundation
import Orch8Core
import Testing

/// Instances: creation, queries, compare-and-set, retries.
@Suite struct StoreInstanceConformanceTests {
    @Test(arguments: StoreBackend.all)
    func instancesRoundTripExactly(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var instance = Fixtures.instance(metadata: ["k": "v"])
        instance.budget = Budget()
        instance.nextFireAt = Date(timeIntervalSince1970: 1_800_000_000.123)
        #expect(try await store.createInstances([instance]) == [.created(instance.id)])
        let loaded = try #require(try await store.instance(id: instance.id))
        #expect(loaded == instance, "every field, timestamps to the millisecond, 1.5 stays a float")
        #expect(try await store.instance(id: UUID()) == nil)
    }

    @Test(arguments: StoreBackend.all)
    func idempotencyKeysDeduplicateAcrossAndWithinBatches(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let first = Fixtures.instance(idempotencyKey: "order-1")
        #expect(try await store.createInstances([first]) == [.created(first.id)])
        let again = Fixtures.instance(idempotencyKey: "order-1")
        let twin = Fixtures.instance(idempotencyKey: "order-2")
        let twinAgain = Fixtures.instance(idempotencyKey: "order-2")
        let otherTenant = Fixtures.instance(tenant: "other", idempotencyKey: "order-1")
        let results = try await store.createInstances([again, twin, twinAgain, otherTenant])
        #expect(
            results == [.deduplicated(first.id), .created(twin.id), .deduplicated(twin.id), .created(otherTenant.id)]
        )
    }

    @Test(arguments: StoreBackend.all)
    func listFiltersByEveryField(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let sequence = UUID()
        let a = Fixtures.instance(sequence: sequence, metadata: ["region": "eu", "n": 1], updatedAt: Fixtures.epoch)
        let b = Fixtures.instance(
            sequence: sequence,
            state: .failed,
            metadata: ["region": "us"],
            updatedAt: Fixtures.epoch.addingTimeInterval(1)
        )
        let c = Fixtures.instance(
            tenant: "other",
            metadata: ["region": "eu"],
            updatedAt: Fixtures.epoch.addingTimeInterval(2)
        )
        _ = try await store.createInstances([a, b, c])
        #expect(try await store.instances(InstanceQuery()).map(\.id) == [c.id, b.id, a.id], "newest update first")
        #expect(try await store.instances(InstanceQuery(tenantID: "acme")).map(\.id) == [b.id, a.id])
        #expect(try await store.instances(InstanceQuery(sequenceID: sequence, states: [.failed])).map(\.id) == [b.id])
        #expect(try await store.instances(InstanceQuery(metadata: ["region": "eu"])).map(\.id) == [c.id, a.id])
        #expect(try await store.instances(InstanceQuery(metadata: ["region": "eu", "n": "1"])).isEmpty, "strings only")
        #expect(try await store.instances(InstanceQuery(limit: 1, offset: 1)).map(\.id) == [b.id])
        #expect(try await store.instances(InstanceQuery(states: [])).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func aTakenIDFailsTheWholeBatch(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let first = Fixtures.instance()
        _ = try await store.createInstances([first])
        let fresh = Fixtures.instance(idempotencyKey: "k")
        await #expect {
            _ = try await store.createInstances([fresh, Fixtures.instance(id: first.id)])
        } throws: { error in
            guard case StoreError.alreadyExists = error else { return false }
            return true
        }
        #expect(try await store.instance(id: fresh.id) == nil, "one transaction: nothing of the batch is stored")
        #expect(try await store.createInstances([]) == [])
    }

    @Test(arguments: StoreBackend.all)
    func metadataFiltersMatchAnyKeyExactly(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let odd = Fixtures.instance(metadata: ["a.b": "dot", "q\"uote": "yes", "$": "root", "n": 1, "t": true])
        let nested = Fixtures.instance(metadata: ["a": ["b": "dot"]])
        let array = Fixtures.instance(metadata: ["dot"])
        let none = Fixtures.instance()
        _ = try await store.createInstances([odd, nested, array, none])
        #expect(try await store.instances(InstanceQuery(metadata: ["a.b": "dot"])).map(\.id) == [odd.id])
        #expect(
            try await store.instances(InstanceQuery(metadata: ["q\"uote": "yes", "$": "root"])).map(\.id) == [odd.id]
        )
        #expect(try await store.instances(InstanceQuery(metadata: ["t": "true"])).isEmpty, "strings only")
        #expect(try await store.instances(InstanceQuery(metadata: ["0": "dot"])).isEmpty, "top-level object keys only")
    }

    @Test(arguments: StoreBackend.all)
    func listsFilterByNamespaceAndSeveralStates(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let t0 = Fixtures.epoch
        let a = Fixtures.instance(namespace: "billing", state: .paused, updatedAt: t0)
        let b = Fixtures.instance(namespace: "billing", state: .waiting, updatedAt: t0.addingTimeInterval(1))
        let c = Fixtures.instance(namespace: "billing", state: .completed, updatedAt: t0.addingTimeInterval(2))
        let d = Fixtures.instance(namespace: "other", state: .paused, updatedAt: t0.addingTimeInterval(3))
        _ = try await store.createInstances([a, b, c, d])
        let query = InstanceQuery(tenantID: "acme", namespace: "billing", states: [.paused, .waiting])
        #expect(try await store.instances(query).map(\.id) == [b.id, a.id])
        #expect(try await store.instances(InstanceQuery(tenantID: "nobody")).isEmpty)
        #expect(try await store.instances(InstanceQuery(sequenceID: UUID())).isEmpty)
        #expect(try await store.instances(InstanceQuery(limit: 2)).map(\.id) == [d.id, c.id])
        #expect(try await store.instances(InstanceQuery(limit: 2, offset: 2)).map(\.id) == [b.id, a.id])
        #expect(try await store.instances(InstanceQuery(limit: 2, offset: 4)).isEmpty)
        #expect(
            try await store.setInstanceState(id: a.id, from: .paused, to: .scheduled, nextFireAt: nil, now: t0 + 9)
        )
        #expect(try await store.instances(InstanceQuery(limit: 1)).map(\.id) == [a.id], "a write moves it first")
    }

    @Test(arguments: StoreBackend.all)
    func stateChangesAreCompareAndSet(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        _ = try await store.createInstances([instance])
        let later = Fixtures.epoch.addingTimeInterval(60)
        #expect(
            try await store.setInstanceState(
                id: instance.id,
                from: .scheduled,
                to: .paused,
                nextFireAt: later,
                now: later
            )
        )
        #expect(
            try await !store.setInstanceState(
                id: instance.id,
                from: .scheduled,
                to: .cancelled,
                nextFireAt: nil,
                now: later
            )
        )
        #expect(
            try await !store.setInstanceState(id: UUID(), from: .scheduled, to: .paused, nextFireAt: nil, now: later)
        )
        let loaded = try #require(try await store.instance(id: instance.id))
        #expect(loaded.state == .paused)
        #expect(loaded.nextFireAt == later)
        #expect(loaded.updatedAt == later)
    }

    @Test(arguments: StoreBackend.all)
    func contextIsReplacedWhole(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        _ = try await store.createInstances([instance])
        let context = ExecutionContext(data: ["only": "this"])
        #expect(try await store.replaceContext(id: instance.id, context: context, now: Date()))
        #expect(try await store.instance(id: instance.id)?.context == context)
        #expect(try await !store.replaceContext(id: UUID(), context: context, now: Date()))
    }

    @Test(arguments: StoreBackend.all)
    func replacingTheContextOfARunningInstanceRevokesItsLease(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        _ = try await store.createInstances([instance])
        let now = Fixtures.epoch
        _ = try await store.claimDueInstances(
            now: now,
            limit: 1,
            owner: "engine",
            leaseUntil: now.addingTimeInterval(60)
        )
        let patched = ExecutionContext(data: ["patched": true])
        #expect(try await store.replaceContext(id: instance.id, context: patched, now: now))
        var stale = InstanceUpdate(instanceID: instance.id, leaseOwner: "engine", now: now)
        stale.context = ExecutionContext(data: ["stale": true])
        #expect(try await store.commit([stale]) == [false], "the engine cannot overwrite the new context")
        #expect(try await store.releaseLeases(expiredBefore: now, orOwnedBy: nil) == 1)
        let released = try #require(try await store.instance(id: instance.id))
        #expect(released.state == .scheduled)
        #expect(released.context == patched)
    }

    @Test(arguments: StoreBackend.all)
    func retryDeletesOnlyMarkerRowsAndOnlyFromFailed(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance])
        var update = Fixtures.update(instance.id)
        update.state = .failed
        update.outputs = [
            Fixtures.output(instance.id, "a", ["ok": true]),
            Fixtures.output(instance.id, "big", ["_externalized": true], ref: "ext:big"),
            Fixtures.output(instance.id, "b", ["message": "x"], ref: OutputMarker.retry),
            Fixtures.output(instance.id, "c", .null, ref: OutputMarker.inProgress, attempt: 1),
            Fixtures.output(instance.id, "b", ["__error__": true], ref: OutputMarker.error, attempt: 1),
        ]
        #expect(try await store.commit([update]) == [true])
        let run = UUID()
        let now = Fixtures.epoch.addingTimeInterval(100)
        #expect(try await store.retryInstance(id: instance.id, runID: run, now: now))
        #expect(try await store.outputs(instanceID: instance.id).map(\.blockID) == ["a", "big"])
        let retried = try #require(try await store.instance(id: instance.id))
        #expect(retried.state == .scheduled)
        #expect(retried.nextFireAt == now)
        #expect(retried.updatedAt == now)
        #expect(retried.context.runtime.runID == run)
        #expect(retried.context.data == instance.context.data, "the rest of the context is kept")
        #expect(try await !store.retryInstance(id: instance.id, runID: UUID(), now: now), "only failed instances")
        #expect(try await !store.retryInstance(id: UUID(), runID: UUID(), now: now))
        let claimed = try await store.claimDueInstances(now: now, limit: 1, owner: "n", leaseUntil: now)
        #expect(claimed.map(\.instance.id) == [instance.id], "due again at once")
    }
}
