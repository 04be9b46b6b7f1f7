import Foundation
import Orch8Core
import Testing

/// Claims and leases: how engine nodes take due work and give it back.
@Suite struct StoreClaimConformanceTests {
    @Test(arguments: StoreBackend.all)
    func claimsTakeDueInstancesByPriorityThenTime(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let now = Fixtures.epoch
        let low = Fixtures.instance(priority: .low, nextFireAt: now.addingTimeInterval(-30))
        let early = Fixtures.instance(nextFireAt: now.addingTimeInterval(-20))
        let late = Fixtures.instance(nextFireAt: now.addingTimeInterval(-10))
        let urgent = Fixtures.instance(priority: .critical, nextFireAt: now)
        let future = Fixtures.instance(priority: .critical, nextFireAt: now.addingTimeInterval(10))
        let paused = Fixtures.instance(state: .paused, nextFireAt: now)
        let waiting = Fixtures.instance(state: .waiting, nextFireAt: now)
        _ = try await store.createInstances([low, early, late, urgent, future, paused, waiting])
        let claimed = try await store.claimDueInstances(
            now: now,
            limit: 3,
            owner: "n1",
            leaseUntil: now.addingTimeInterval(30)
        )
        #expect(claimed.map(\.instance.id) == [urgent.id, early.id, late.id])
        #expect(claimed.allSatisfy { $0.instance.state == .running && $0.instance.updatedAt == now })
        let rest = try await store.claimDueInstances(
            now: now,
            limit: 10,
            owner: "n1",
            leaseUntil: now.addingTimeInterval(30)
        )
        #expect(rest.map(\.instance.id) == [low.id], "never the same instance twice, never a future or paused one")
        #expect(try await store.nextDueTime() == future.nextFireAt)
        #expect(try await store.instance(id: urgent.id)?.state == .running, "the claim is stored")
        #expect(try await store.claimDueInstances(now: now, limit: 0, owner: "n1", leaseUntil: now).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func anInstanceWithoutATimeIsDueFirst(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let timed = Fixtures.instance(nextFireAt: Fixtures.epoch.addingTimeInterval(-60))
        let untimed = Fixtures.instance(nextFireAt: nil)
        _ = try await store.createInstances([timed, untimed])
        #expect(try await store.nextDueTime().map { $0 <= Fixtures.epoch } == true)
        let claimed = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 5,
            owner: "n",
            leaseUntil: Fixtures.epoch
        )
        #expect(claimed.map(\.instance.id) == [untimed.id, timed.id])
        #expect(claimed.first?.instance.nextFireAt == nil, "claiming does not invent a time")
        #expect(try await store.nextDueTime() == nil, "nothing scheduled")
    }

    @Test(arguments: StoreBackend.all)
    func racingClaimersEachGetDistinctInstances(_ backend: StoreBackend) async throws {
        // Two handles on one database (two engine nodes), two claimers on each.
        let (first, second) = try await backend.makePair()
        let instances = (0..<400).map { i in
            Fixtures.instance(
                priority: i.isMultiple(of: 3) ? .high : .normal,
                nextFireAt: Fixtures.epoch.addingTimeInterval(-Double(i))
            )
        }
        _ = try await first.createInstances(instances)
        let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
            for claimer in 0..<4 {
                let store = claimer.isMultiple(of: 2) ? first : second
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
        #expect(claimed.count == 400, "every instance claimed exactly once")
        #expect(Set(claimed) == Set(instances.map(\.id)))
    }

    @Test(arguments: StoreBackend.all)
    func claimsCarryOutputsPendingSignalsAndState(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running)
        let other = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance, other])
        let delivered = Fixtures.signal(instance.id, .custom("old"))
        #expect(try await store.enqueueSignal(delivered, now: Fixtures.epoch) == .enqueued(.running))
        var update = Fixtures.update(instance.id)
        update.state = .scheduled
        update.setsNextFireAt = true
        update.nextFireAt = Fixtures.epoch
        update.outputs = [Fixtures.output(instance.id, "a", [1, 2]), Fixtures.output(instance.id, "b", "x")]
        update.stateWrites = ["k": "v", "n": ["deep": [1.5]]]
        update.deliveredSignals = [delivered.id]
        var otherUpdate = Fixtures.update(other.id)
        otherUpdate.outputs = [Fixtures.output(other.id, "a", "other")]
        otherUpdate.stateWrites = ["k": "other"]
        #expect(try await store.commit([update, otherUpdate]) == [true, true])
        let signal = Fixtures.signal(instance.id, .custom("ping"), payload: ["p": 1])
        #expect(try await store.enqueueSignal(signal, now: Fixtures.epoch) == .enqueued(.scheduled))
        let claimed = try #require(
            try await store.claimDueInstances(now: Fixtures.epoch, limit: 5, owner: "n", leaseUntil: Fixtures.epoch)
                .first
        )
        #expect(claimed.instance.id == instance.id)
        #expect(claimed.outputs == update.outputs, "every row, in write order, and only this instance's")
        #expect(claimed.pendingSignals == [signal], "delivered signals stay out")
        #expect(claimed.state == ["k": "v", "n": ["deep": [1.5]]])
    }

    @Test(arguments: StoreBackend.all)
    func leasesExpireOrAreReleasedByTheirOwner(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
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
        let later = now.addingTimeInterval(2)
        #expect(
            try await store.releaseLeases(expiredBefore: later, orOwnedBy: nil) == 1,
            "renewal by another owner does nothing"
        )
        let released = try #require(try await store.instance(id: a.id))
        #expect(released.state == .scheduled)
        #expect(released.nextFireAt == later, "due at once")
        #expect(released.updatedAt == later)
        var stale = Fixtures.update(a.id, owner: "dead", now: later)
        stale.expectedState = .running
        #expect(try await store.commit([stale]) == [false], "the dead owner's late write is refused")
        #expect(try await store.releaseLeases(expiredBefore: now, orOwnedBy: "alive") == 1)
        #expect(try await store.instance(id: b.id)?.state == .scheduled)
        #expect(try await store.releaseLeases(expiredBefore: later, orOwnedBy: "alive") == 0, "nothing left")
    }

    @Test(arguments: StoreBackend.all)
    func renewedLeasesOutliveTheirFirstExpiry(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let now = Fixtures.epoch
        let instances = (0..<3).map { _ in Fixtures.instance() }
        _ = try await store.createInstances(instances)
        _ = try await store.claimDueInstances(now: now, limit: 3, owner: "n", leaseUntil: now.addingTimeInterval(5))
        try await store.renewLeases(
            instanceIDs: instances.prefix(2).map(\.id),
            owner: "n",
            until: now.addingTimeInterval(60)
        )
        try await store.renewLeases(instanceIDs: [], owner: "n", until: now)
        #expect(try await store.releaseLeases(expiredBefore: now.addingTimeInterval(10), orOwnedBy: nil) == 1)
        #expect(try await store.instance(id: instances[2].id)?.state == .scheduled)
        #expect(try await store.instance(id: instances[0].id)?.state == .running)
        var update = Fixtures.update(instances[0].id, owner: "n", now: now.addingTimeInterval(30))
        update.stateWrites = ["still": "mine"]
        #expect(try await store.commit([update]) == [true], "the renewed owner still writes")
    }

    @Test(arguments: StoreBackend.all)
    func leavingRunningGivesTheLeaseUp(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let now = Fixtures.epoch
        let committed = Fixtures.instance()
        let patched = Fixtures.instance()
        _ = try await store.createInstances([committed, patched])
        _ = try await store.claimDueInstances(now: now, limit: 2, owner: "n", leaseUntil: now.addingTimeInterval(60))
        var update = Fixtures.update(committed.id, owner: "n")
        update.state = .waiting
        update.releasesLease = true
        #expect(try await store.commit([update]) == [true])
        #expect(
            try await store.setInstanceState(id: patched.id, from: .running, to: .paused, nextFireAt: nil, now: now)
        )
        #expect(try await store.releaseLeases(expiredBefore: now, orOwnedBy: "n") == 0, "nothing running is held")
        #expect(try await store.instance(id: committed.id)?.state == .waiting)
        #expect(try await store.instance(id: patched.id)?.state == .paused)
    }

    @Test(arguments: StoreBackend.all)
    func nextDueTimeIsTheEarliestScheduledTime(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.nextDueTime() == nil)
        let soon = Fixtures.epoch.addingTimeInterval(5.25)
        _ = try await store.createInstances([
            Fixtures.instance(priority: .low, nextFireAt: soon),
            Fixtures.instance(priority: .critical, nextFireAt: soon.addingTimeInterval(1)),
            Fixtures.instance(state: .paused, nextFireAt: Fixtures.epoch),
        ])
        #expect(try await store.nextDueTime() == soon, "any priority; paused instances are not due")
    }
}
