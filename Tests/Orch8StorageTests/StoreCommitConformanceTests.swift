import Foundation
import Orch8Core
import Testing

/// The engine's batched commit: each update whole or not at all, many in one call.
@Suite struct StoreCommitConformanceTests {
    @Test(arguments: StoreBackend.all)
    func anUpdateWritesEveryPart(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(metadata: ["keep": "no"])
        _ = try await store.createInstances([instance])
        let now = Fixtures.epoch
        _ = try await store.claimDueInstances(now: now, limit: 1, owner: "n", leaseUntil: now.addingTimeInterval(9))
        let signal = Fixtures.signal(instance.id, .resume)
        _ = try await store.enqueueSignal(signal, now: now)
        let later = now.addingTimeInterval(1.5)
        var update = Fixtures.update(instance.id, owner: "n", now: later)
        update.state = .scheduled
        update.setsNextFireAt = true
        update.nextFireAt = later.addingTimeInterval(60)
        update.context = ExecutionContext(data: ["step": 2])
        update.metadata = ["replaced": true]
        var costed = Fixtures.output(instance.id, "c", ["plugin": "answered"])
        costed.cost = ["duration_us": 46, "fuel": 1_234, "peak_memory_pages": 2, "module_hash": "3f2a"]
        update.outputs = [Fixtures.output(instance.id, "a", ["ok": true]), costed]
        update.stateWrites = ["k": 1]
        update.deliveredSignals = [signal.id]
        update.releasesLease = true
        #expect(try await store.commit([update]) == [true])
        let stored = try #require(try await store.instance(id: instance.id))
        #expect(stored.state == .scheduled)
        #expect(stored.nextFireAt == later.addingTimeInterval(60))
        #expect(stored.context == ExecutionContext(data: ["step": 2]))
        #expect(stored.metadata == ["replaced": true])
        #expect(stored.updatedAt == later)
        let outputs = try await store.outputs(instanceID: instance.id)
        #expect(outputs == update.outputs)
        #expect(outputs.first?.cost == nil && outputs.last?.cost?["fuel"] == 1_234)
        #expect(try await store.stateValues(instanceID: instance.id) == ["k": 1])
        #expect(try await store.pendingSignals(instanceID: instance.id).isEmpty)
        #expect(try await store.releaseLeases(expiredBefore: later, orOwnedBy: "n") == 0, "lease released")
    }

    @Test(arguments: StoreBackend.all)
    func updatesOfOneInstanceInOneCommitApplyInTheirOrder(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running)
        let other = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance, other])
        var first = Fixtures.update(instance.id, now: Fixtures.epoch.addingTimeInterval(1))
        first.context = ExecutionContext(data: ["step": 1])
        first.outputs = [Fixtures.output(instance.id, "a", ["n": 1]), Fixtures.output(instance.id, "b", ["n": 2])]
        var second = Fixtures.update(instance.id, now: Fixtures.epoch.addingTimeInterval(2))
        second.state = .completed
        second.context = ExecutionContext(data: ["step": 2])
        second.outputs = [Fixtures.output(instance.id, "c", ["n": 3])]
        var third = Fixtures.update(instance.id, now: Fixtures.epoch.addingTimeInterval(3))
        third.outputs = [Fixtures.output(instance.id, "d", ["n": 4])]
        var stale = Fixtures.update(other.id)
        stale.expectedState = .waiting
        stale.outputs = [Fixtures.output(other.id, "x", ["n": 0])]
        let results = try await store.commit([first, stale, second, third])
        #expect(results == [true, false, true, false], "the third expects running, which the second ended")
        let stored = try #require(try await store.instance(id: instance.id))
        #expect(stored.state == .completed)
        #expect(stored.context == ExecutionContext(data: ["step": 2]))
        #expect(try await store.outputs(instanceID: instance.id).map(\.blockID) == ["a", "b", "c"])
        #expect(try await store.outputs(instanceID: other.id).isEmpty, "a refused update writes no output")
        #expect(try await store.instance(id: other.id) == other)
    }

    /// PostgreSQL takes at most 65,535 bind parameters in a statement: a wave of many updates with
    /// outputs, and one update with thousands of outputs, are still committed whole and in order.
    @Test(arguments: StoreBackend.all)
    func aCommitPastOneStatementsBindLimitKeepsEveryOutputInOrder(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let wide = Fixtures.instance(state: .running)
        let many = (0..<700).map { _ in Fixtures.instance(state: .running) }
        _ = try await store.createInstances([wide] + many)
        var big = Fixtures.update(wide.id)
        big.outputs = (0..<6_000).map { Fixtures.output(wide.id, "b\($0)", ["n": .int(Int64($0))]) }
        var updates = many.map { instance in
            var update = Fixtures.update(instance.id)
            update.state = .completed
            update.outputs = (0..<8).map { Fixtures.output(instance.id, "s\($0)", ["n": .int(Int64($0))]) }
            return update
        }
        var refused = Fixtures.update(many[0].id)
        refused.outputs = [Fixtures.output(many[0].id, "late", ["n": 0])]
        updates.append(refused)
        let results = try await store.commit([big] + updates)
        #expect(results == [Bool](repeating: true, count: 701) + [false], "the last expects running, which ended")
        #expect(try await store.outputs(instanceID: wide.id).map(\.blockID) == big.outputs.map(\.blockID))
        for instance in [many[0], many[350], many[699]] {
            #expect(try await store.instance(id: instance.id)?.state == .completed)
            #expect(try await store.outputs(instanceID: instance.id).map(\.blockID) == (0..<8).map { "s\($0)" })
        }
    }

    @Test(arguments: StoreBackend.all)
    func absentPartsAreKeptAndNilTimeClears(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running, metadata: ["m": "1"])
        _ = try await store.createInstances([instance])
        let touch = Fixtures.update(instance.id, now: Fixtures.epoch.addingTimeInterval(1))
        #expect(try await store.commit([touch]) == [true])
        var touched = instance
        touched.updatedAt = Fixtures.epoch.addingTimeInterval(1)
        #expect(try await store.instance(id: instance.id) == touched, "only updated_at changes")
        var clear = Fixtures.update(instance.id)
        clear.setsNextFireAt = true
        #expect(try await store.commit([clear]) == [true])
        #expect(try await store.instance(id: instance.id)?.nextFireAt == nil)
        #expect(try await store.commit([]) == [])
        #expect(try await store.commit([Fixtures.update(UUID())]) == [false], "a missing instance is skipped")
    }

    @Test(arguments: StoreBackend.all)
    func aSkippedUpdateWritesNoneOfItsParts(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
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
        let signal = Fixtures.signal(stolen.id, .resume)
        _ = try await store.enqueueSignal(signal, now: Fixtures.epoch)
        var seeded = Fixtures.update(stolen.id)
        seeded.expectedState = .paused
        seeded.stateWrites = ["kept": true]
        _ = try await store.commit([seeded])
        let before = try #require(try await store.instance(id: stolen.id))

        func update(_ id: UUID) -> InstanceUpdate {
            var update = Fixtures.update(id, owner: "me", now: Fixtures.epoch.addingTimeInterval(5))
            update.state = .completed
            update.metadata = ["changed": true]
            update.outputs = [Fixtures.output(id, "a", ["done": true])]
            update.context = ExecutionContext(data: ["changed": true])
            update.stateWrites = ["k": 1]
            update.clearsState = true
            update.deliveredSignals = [signal.id]
            update.releasesLease = true
            return update
        }
        #expect(try await store.commit([update(owned.id), update(stolen.id)]) == [true, false])
        #expect(try await store.outputs(instanceID: owned.id).count == 1)
        #expect(try await store.outputs(instanceID: stolen.id).isEmpty)
        #expect(try await store.stateValues(instanceID: stolen.id) == ["kept": true], "not cleared, not written")
        #expect(try await store.instance(id: stolen.id) == before, "state, context, metadata, updated_at untouched")
        #expect(try await store.pendingSignals(instanceID: stolen.id) == [signal], "not delivered")
    }

    @Test(arguments: StoreBackend.all)
    func theLeaseOwnerMustStillHoldIt(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        _ = try await store.createInstances([instance])
        _ = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 1,
            owner: "me",
            leaseUntil: Fixtures.epoch.addingTimeInterval(30)
        )
        var wrongOwner = Fixtures.update(instance.id, owner: "someone-else")
        wrongOwner.outputs = [Fixtures.output(instance.id, "a", 1)]
        var noCheck = Fixtures.update(instance.id)
        noCheck.outputs = [Fixtures.output(instance.id, "b", 2)]
        var wrongState = Fixtures.update(instance.id, owner: "me")
        wrongState.expectedState = .waiting
        #expect(try await store.commit([wrongOwner, noCheck, wrongState]) == [false, true, false])
        #expect(try await store.outputs(instanceID: instance.id).map(\.blockID) == ["b"])
    }

    @Test(arguments: StoreBackend.all)
    func updatesInOneBatchApplyInOrder(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance])
        var first = Fixtures.update(instance.id)
        first.state = .waiting
        var second = Fixtures.update(instance.id)
        second.outputs = [Fixtures.output(instance.id, "x", 1)]
        var third = Fixtures.update(instance.id)
        third.expectedState = .waiting
        third.state = .completed
        #expect(try await store.commit([first, second, third]) == [true, false, true], "each CAS sees the one before")
        #expect(try await store.instance(id: instance.id)?.state == .completed)
        #expect(try await store.outputs(instanceID: instance.id).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func stateWritesSetDeleteAndClear(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running)
        let neighbour = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance, neighbour])
        var first = Fixtures.update(instance.id)
        first.stateWrites = ["a": 1, "b": ["x": nil], "c": "keep"]
        var second = Fixtures.update(instance.id)
        second.stateWrites = ["a": Optional<JSON>.none, "b": 2, "missing": Optional<JSON>.none]
        var neighbours = Fixtures.update(neighbour.id)
        neighbours.stateWrites = ["a": "theirs"]
        #expect(try await store.commit([first, second, neighbours]) == [true, true, true])
        #expect(try await store.stateValues(instanceID: instance.id) == ["b": 2, "c": "keep"])
        var third = Fixtures.update(instance.id)
        third.clearsState = true
        third.stateWrites = ["z": true]
        _ = try await store.commit([third])
        #expect(try await store.stateValues(instanceID: instance.id) == ["z": true], "cleared first, then written")
        #expect(try await store.stateValues(instanceID: neighbour.id) == ["a": "theirs"], "per instance")
        #expect(try await store.stateValues(instanceID: UUID()).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func manyUpdatesInOneCall(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instances = (0..<300).map { _ in Fixtures.instance() }
        _ = try await store.createInstances(instances)
        let claimed = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 300,
            owner: "n",
            leaseUntil: Fixtures.epoch.addingTimeInterval(60)
        )
        #expect(claimed.count == 300)
        let updates = instances.map { instance in
            var update = Fixtures.update(instance.id, owner: "n")
            update.state = .completed
            update.releasesLease = true
            update.outputs = [Fixtures.output(instance.id, "a", ["n": 1])]
            return update
        }
        #expect(try await store.commit(updates) == Array(repeating: true, count: 300))
        #expect(try await store.instances(InstanceQuery(states: [.completed], limit: 1000)).count == 300)
    }
}
