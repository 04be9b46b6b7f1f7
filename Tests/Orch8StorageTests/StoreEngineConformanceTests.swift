import Foundation
import Orch8Core
import Testing

/// Claims, leases and the engine's batched commit.
@Suite struct StoreEngineConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func claimsTakeDueInstancesByPriorityThenTime(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let now = Fixtures.epoch
        let low = Fixtures.instance(priority: .low, nextFireAt: now.addingTimeInterval(-30))
        let early = Fixtures.instance(nextFireAt: now.addingTimeInterval(-20))
        let late = Fixtures.instance(nextFireAt: now.addingTimeInterval(-10))
        let urgent = Fixtures.instance(priority: .critical, nextFireAt: now)
        let future = Fixtures.instance(priority: .critical, nextFireAt: now.addingTimeInterval(10))
        let paused = Fixtures.instance(state: .paused, nextFireAt: now)
        _ = try await store.createInstances([low, early, late, urgent, future, paused])
        let claimed = try await store.claimDueInstances(
            now: now,
            limit: 3,
            owner: "n1",
            leaseUntil: now.addingTimeInterval(30)
        )
        #expect(claimed.map(\.instance.id) == [urgent.id, early.id, late.id])
        #expect(claimed.allSatisfy { $0.instance.state == .running })
        let rest = try await store.claimDueInstances(
            now: now,
            limit: 10,
            owner: "n1",
            leaseUntil: now.addingTimeInterval(30)
        )
        #expect(rest.map(\.instance.id) == [low.id], "never the same instance twice, never a future or paused one")
        #expect(try await store.nextDueTime() == future.nextFireAt)
    }

    @Test(arguments: StoreBackend.allCases)
    func racingClaimersEachGetDistinctInstances(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let instances = (0..<500).map { _ in Fixtures.instance() }
        _ = try await store.createInstances(instances)
        let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
            for claimer in 0..<4 {
                group.addTask {
                    var mine: [UUID] = []
                    while true {
                        let batch = try await store.claimDueInstances(
                            now: Fixtures.epoch,
                            limit: 7,
                            owner: "n\(claimer)",
                            leaseUntil: Fixtures.epoch.addingTimeInterval(30)
                        )
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.instance.id)
                    }
                }
            }
            return try await group.reduce(into: [UUID]()) { $0 += $1 }
        }
        #expect(claimed.count == 500)
        #expect(Set(claimed) == Set(instances.map(\.id)))
    }

    @Test(arguments: StoreBackend.allCases)
    func claimsCarryOutputsSignalsAndState(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let instance = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance])
        var update = InstanceUpdate(instanceID: instance.id, leaseOwner: nil, now: Fixtures.epoch)
        update.state = .scheduled
        update.setsNextFireAt = true
        update.nextFireAt = Fixtures.epoch
        update.outputs = [Fixtures.output(instance.id, "a", [1, 2])]
        update.stateWrites = ["k": "v"]
        #expect(try await store.commit([update]) == [true])
        let signal = Signal(
            id: UUID(),
            instanceID: instance.id,
            signalType: .custom("ping"),
            payload: ["p": 1],
            createdAt: Fixtures.epoch
        )
        #expect(try await store.enqueueSignal(signal, now: Fixtures.epoch) == .enqueued(.scheduled))
        let claimed = try #require(
            try await store.claimDueInstances(now: Fixtures.epoch, limit: 1, owner: "n", leaseUntil: Fixtures.epoch)
                .first
        )
        #expect(claimed.outputs.map(\.output) == [[1, 2]])
        #expect(claimed.pendingSignals == [signal])
        #expect(claimed.state == ["k": "v"])
    }

    @Test(arguments: StoreBackend.allCases)
    func aSkippedUpdateWritesNoneOfItsParts(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let owned = Fixtures.instance()
        let stolen = Fixtures.instance()
        _ = try await store.createInstances([owned, stolen])
        _ = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 2,
            owner: "me",
            leaseUntil: Fixtures.epoch.addingTimeInterval(30)
        )
        #expect(
            try await store.setInstanceState(
                id: stolen.id,
                from: .running,
                to: .paused,
                nextFireAt: nil,
                now: Fixtures.epoch
            )
        )
        let signal = Signal(id: UUID(), instanceID: stolen.id, signalType: .resume, createdAt: Fixtures.epoch)
        _ = try await store.enqueueSignal(signal, now: Fixtures.epoch)

        func update(_ id: UUID) -> InstanceUpdate {
            var update = InstanceUpdate(instanceID: id, leaseOwner: "me", now: Fixtures.epoch)
            update.outputs = [Fixtures.output(id, "a", ["done": true])]
            update.context = ExecutionContext(data: ["changed": true])
            update.stateWrites = ["k": 1]
            update.deliveredSignals = [signal.id]
            return update
        }
        #expect(try await store.commit([update(owned.id), update(stolen.id)]) == [true, false])
        #expect(try await store.outputs(instanceID: owned.id).count == 1)
        #expect(try await store.outputs(instanceID: stolen.id).isEmpty)
        #expect(try await store.stateValues(instanceID: stolen.id).isEmpty)
        #expect(try await store.instance(id: stolen.id)?.context.data["changed"] == nil)
        #expect(try await store.pendingSignals(instanceID: stolen.id) == [signal])
        var wrongOwner = update(owned.id)
        wrongOwner.leaseOwner = "someone-else"
        #expect(try await store.commit([wrongOwner]) == [false], "a lost lease refuses the write")
    }

    @Test(arguments: StoreBackend.allCases)
    func stateWritesSetDeleteAndClear(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let instance = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance])
        var first = InstanceUpdate(instanceID: instance.id, leaseOwner: nil, now: Date())
        first.stateWrites = ["a": 1, "b": ["x": nil], "c": "keep"]
        var second = InstanceUpdate(instanceID: instance.id, leaseOwner: nil, now: Date())
        second.stateWrites = ["a": Optional<JSON>.none, "b": 2]
        #expect(try await store.commit([first, second]) == [true, true])
        #expect(try await store.stateValues(instanceID: instance.id) == ["b": 2, "c": "keep"])
        var third = InstanceUpdate(instanceID: instance.id, leaseOwner: nil, now: Date())
        third.clearsState = true
        third.stateWrites = ["z": true]
        _ = try await store.commit([third])
        #expect(try await store.stateValues(instanceID: instance.id) == ["z": true])
    }

    @Test(arguments: StoreBackend.allCases)
    func leasesExpireOrAreReleasedByTheirOwner(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let now = Fixtures.epoch
        let a = Fixtures.instance()
        let b = Fixtures.instance()
        _ = try await store.createInstances([a])
        _ = try await store.claimDueInstances(now: now, limit: 1, owner: "dead", leaseUntil: now.addingTimeInterval(1))
        _ = try await store.createInstances([b])
        _ = try await store.claimDueInstances(
            now: now,
            limit: 1,
            owner: "alive",
            leaseUntil: now.addingTimeInterval(60)
        )
        #expect(try await store.releaseLeases(expiredBefore: now, orOwnedBy: nil) == 0)
        try await store.renewLeases(instanceIDs: [a.id], owner: "alive", until: now.addingTimeInterval(600))
        #expect(
            try await store.releaseLeases(expiredBefore: now.addingTimeInterval(2), orOwnedBy: nil) == 1,
            "renewal by another owner does nothing"
        )
        #expect(try await store.instance(id: a.id)?.state == .scheduled)
        #expect(try await store.releaseLeases(expiredBefore: now, orOwnedBy: "alive") == 1)
        #expect(try await store.instance(id: b.id)?.state == .scheduled)
    }
}
