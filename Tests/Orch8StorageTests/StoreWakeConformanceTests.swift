import Foundation
import Orch8Core
import Testing

/// Wakes that must not be lost (a report while the instance runs), sub-sequence children, and the
/// commit's per-step worker-task changes.
@Suite struct StoreWakeConformanceTests {
    private func claim(_ store: any Store, _ instance: TaskInstance, at time: Date = Fixtures.epoch) async throws {
        _ = try await store.createInstances([instance])
        let claimed = try await store.claimDueInstances(
            now: time,
            limit: 10,
            owner: "n",
            leaseUntil: time.addingTimeInterval(30)
        )
        #expect(claimed.contains { $0.instance.id == instance.id })
    }

    private func task(_ instance: UUID, _ block: String, attempt: UInt32 = 0) -> WorkerTask {
        WorkerTask(
            id: UUID(),
            instanceID: instance,
            blockID: block,
            handlerName: "h",
            params: [:],
            context: ExecutionContext(),
            attempt: attempt,
            createdAt: Fixtures.epoch
        )
    }

    @Test(arguments: StoreBackend.all)
    func aReportWhileTheInstanceRunsMakesItsParkToWaitingDue(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        try await claim(store, instance)
        // Two worker steps (a parallel): the first task goes out while the run goes on.
        var first = Fixtures.update(instance.id, owner: "n")
        first.workerTasks = [task(instance.id, "a"), task(instance.id, "b")]
        #expect(try await store.commit([first]) == [true])
        let leased = try await store.pollWorkerTasks(
            WorkerPoll(handlerName: "h", workerID: "w", limit: 1, now: Fixtures.epoch(plus: 1))
        )
        let report = try await store.completeWorkerTask(
            id: try #require(leased.first).id,
            fence: WorkerFence(workerID: "w", claimEpoch: 1),
            output: 1,
            now: Fixtures.epoch(plus: 2)
        )
        #expect(report == .applied)
        #expect(try await store.instance(id: instance.id)?.state == .running)

        var park = Fixtures.update(instance.id, owner: "n", now: Fixtures.epoch(plus: 3))
        park.state = .waiting
        park.setsNextFireAt = true
        park.releasesLease = true
        #expect(try await store.commit([park]) == [true])
        let parked = try #require(try await store.instance(id: instance.id))
        #expect(parked.state == .scheduled, "the report is not lost")
        #expect(parked.nextFireAt == Fixtures.epoch(plus: 3))

        // The wake is spent: the next claim and park to waiting waits.
        try await claim(store, Fixtures.instance(), at: Fixtures.epoch(plus: 4))
        var again = Fixtures.update(instance.id, owner: "n", now: Fixtures.epoch(plus: 5))
        again.state = .waiting
        again.setsNextFireAt = true
        again.releasesLease = true
        #expect(try await store.commit([again]) == [true])
        #expect(try await store.instance(id: instance.id)?.state == .waiting)
    }

    @Test(arguments: StoreBackend.all)
    func childrenAreCreatedByTheCommitListedAndWakeTheirParentWhenTheyEnd(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let parent = Fixtures.instance()
        try await claim(store, parent)
        var child = Fixtures.instance(nextFireAt: Fixtures.epoch(plus: 1))
        child.parentInstanceID = parent.id
        var spawn = Fixtures.update(parent.id, owner: "n", now: Fixtures.epoch(plus: 1))
        spawn.childInstances = [child]
        spawn.state = .waiting
        spawn.releasesLease = true
        #expect(try await store.commit([spawn]) == [true])
        #expect(try await store.childInstances(parentID: parent.id).map(\.id) == [child.id])
        #expect(try await store.childInstances(parentID: child.id).isEmpty)
        #expect(try await store.instance(id: parent.id)?.state == .waiting)

        let claimed = try await store.claimDueInstances(
            now: Fixtures.epoch(plus: 2),
            limit: 10,
            owner: "n",
            leaseUntil: Fixtures.epoch(plus: 30_000)
        )
        #expect(claimed.map(\.instance.id) == [child.id])
        var done = Fixtures.update(child.id, owner: "n", now: Fixtures.epoch(plus: 3))
        done.state = .completed
        done.releasesLease = true
        #expect(try await store.commit([done]) == [true])
        let woken = try #require(try await store.instance(id: parent.id))
        #expect(woken.state == .scheduled)
        #expect(woken.nextFireAt == Fixtures.epoch(plus: 3))
    }

    /// The parent's own park and both children's ends in one commit, the park listed last: the parent
    /// ends up due at once (by a wake flagged while it ran, or one after its park), not waiting.
    @Test(arguments: StoreBackend.all)
    func childrenEndingInTheCommitThatParksTheirParentWakeIt(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let parent = Fixtures.instance(state: .running)
        var children = [Fixtures.instance(state: .running), Fixtures.instance(state: .running)]
        for index in children.indices { children[index].parentInstanceID = parent.id }
        _ = try await store.createInstances([parent] + children)
        var updates = children.map { child in
            var done = Fixtures.update(child.id, now: Fixtures.epoch(plus: 5))
            done.state = .failed
            return done
        }
        var park = Fixtures.update(parent.id, now: Fixtures.epoch(plus: 4))
        park.state = .waiting
        updates.append(park)
        #expect(try await store.commit(updates) == [true, true, true])
        let woken = try #require(try await store.instance(id: parent.id))
        #expect(woken.state == .scheduled)
        #expect(try #require(woken.nextFireAt) <= Fixtures.epoch(plus: 5))
    }

    @Test(arguments: StoreBackend.all)
    func aCommitCancelsAndDeletesTheTasksOfNamedSteps(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        try await claim(store, instance)
        var first = Fixtures.update(instance.id, owner: "n")
        first.workerTasks = [task(instance.id, "lost"), task(instance.id, "again"), task(instance.id, "kept")]
        #expect(try await store.commit([first]) == [true])

        var second = Fixtures.update(instance.id, owner: "n")
        second.cancelsWorkerTasksOf = ["lost"]
        // A loop iteration: the old task goes and a fresh one of attempt 0 takes its place.
        second.deletesWorkerTasksOf = ["again"]
        let fresh = task(instance.id, "again")
        second.workerTasks = [fresh]
        #expect(try await store.commit([second]) == [true])
        #expect(try await store.workerTask(instanceID: instance.id, blockID: "lost")?.state == .failed)
        #expect(try await store.workerTask(instanceID: instance.id, blockID: "again")?.id == fresh.id)
        #expect(try await store.workerTask(instanceID: instance.id, blockID: "kept")?.state == .pending)
    }

    @Test(arguments: StoreBackend.all)
    func retryingAFailedInstanceReopensItsFailedAndCancelledNodes(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        try await claim(store, instance)
        let root = ExecutionNode(
            id: UUID(),
            instanceID: instance.id,
            blockID: "p",
            blockType: .parallel,
            state: .failed
        )
        let good = ExecutionNode(
            id: UUID(),
            instanceID: instance.id,
            blockID: "good",
            parentID: root.id,
            blockType: .step,
            branchIndex: 0,
            state: .completed
        )
        let bad = ExecutionNode(
            id: UUID(),
            instanceID: instance.id,
            blockID: "bad",
            parentID: root.id,
            blockType: .step,
            branchIndex: 1,
            state: .failed,
            startedAt: Fixtures.epoch,
            completedAt: Fixtures.epoch
        )
        var fail = Fixtures.update(instance.id, owner: "n")
        fail.nodes = [root, good, bad]
        fail.state = .failed
        fail.releasesLease = true
        #expect(try await store.commit([fail]) == [true])
        #expect(try await store.retryInstance(id: instance.id, runID: UUID(), now: Fixtures.epoch(plus: 1)))
        let tree = try await store.executionTree(instanceID: instance.id)
        #expect(tree.map(\.state) == [.pending, .completed, .pending])
        #expect(tree[2].startedAt == nil)
    }

    @Test(arguments: StoreBackend.all)
    func aCommitKeepsOnlyTheNewestRowsOfAPrunedBlock(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance()
        try await claim(store, instance)
        var first = Fixtures.update(instance.id, owner: "n")
        first.outputs =
            (1...4).map { Fixtures.output(instance.id, "body", .int(Int64($0))) }
            + [Fixtures.output(instance.id, "other", 0)]
        #expect(try await store.commit([first]) == [true])
        var second = Fixtures.update(instance.id, owner: "n")
        second.outputs = [Fixtures.output(instance.id, "body", 5)]
        second.prunesOutputs = ["body": 2]
        #expect(try await store.commit([second]) == [true])
        let rows = try await store.outputs(instanceID: instance.id)
        #expect(rows.filter { $0.blockID == "body" }.map(\.output) == [4, 5])
        #expect(rows.contains { $0.blockID == "other" })
    }
}
