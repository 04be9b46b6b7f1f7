import Foundation
import Orch8Core
import Testing

/// Worker tasks: created with the engine's commit, leased atomically, fenced, reaped.
@Suite struct StoreWorkerConformanceTests {
    /// An instance that the engine has parked `waiting` on a task of `handler` for block `b`.
    private func waitingOnTask(
        _ store: any Store,
        handler: String = "h",
        tenant: String = "acme",
        attempt: UInt32 = 0,
        timeoutMS: UInt64? = nil,
        at time: Date = Fixtures.epoch
    ) async throws -> (instance: UUID, task: WorkerTask) {
        let instance = Fixtures.instance(tenant: tenant)
        _ = try await store.createInstances([instance])
        _ = try await store.claimDueInstances(now: time, limit: 10, owner: "n", leaseUntil: time.addingTimeInterval(30))
        let task = WorkerTask(
            id: UUID(),
            instanceID: instance.id,
            blockID: "b",
            handlerName: handler,
            params: ["x": 1],
            context: ExecutionContext(data: ["d": true]),
            attempt: attempt,
            timeoutMS: timeoutMS,
            createdAt: time
        )
        var update = Fixtures.update(instance.id, owner: "n", now: time)
        update.state = .waiting
        update.setsNextFireAt = true
        update.releasesLease = true
        update.workerTasks = [task]
        #expect(try await store.commit([update]) == [true])
        return (instance.id, task)
    }

    private func poll(
        _ store: any Store,
        _ worker: String,
        handler: String = "h",
        limit: Int = 10,
        tenant: String? = nil
    )
        async throws -> [WorkerTask]
    {
        try await store.pollWorkerTasks(
            WorkerPoll(handlerName: handler, workerID: worker, tenantID: tenant, limit: limit, now: Fixtures.epoch)
        )
    }

    @Test(arguments: StoreBackend.all)
    func aCommittedTaskIsLeasedOnceWithItsEpoch(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (instance, task) = try await waitingOnTask(store)
        #expect(try await store.instance(id: instance)?.state == .waiting)
        let stored = try #require(try await store.workerTask(instanceID: instance, blockID: "b"))
        #expect(stored.state == .pending)
        #expect(stored.params == ["x": 1])
        #expect(stored.context == ExecutionContext(data: ["d": true]))

        let leased = try await poll(store, "w1")
        #expect(leased.map(\.id) == [task.id])
        #expect(leased.first?.state == .claimed)
        #expect(leased.first?.workerID == "w1")
        #expect(leased.first?.claimEpoch == 1)
        #expect(leased.first?.claimedAt == Fixtures.epoch)
        #expect(try await poll(store, "w2").isEmpty)
        #expect(try await poll(store, "w1", handler: "other").isEmpty)
        #expect(try await store.workerRegistrations().map(\.workerID) == ["w1", "w2"])
        #expect(try await store.workerRegistrations().first?.inFlight == 1)
    }

    @Test(arguments: StoreBackend.all)
    func pollsOnlySeeTheirTenantsTasks(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = try await waitingOnTask(store, tenant: "acme")
        #expect(try await poll(store, "w", tenant: "other").isEmpty)
        #expect(try await poll(store, "w", tenant: "acme").count == 1)
    }

    @Test(arguments: StoreBackend.all)
    func completeIsFencedAndMakesTheInstanceDue(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (instance, task) = try await waitingOnTask(store)
        _ = try await poll(store, "w1")
        let later = Fixtures.epoch(plus: 500)
        let wrongWorker = WorkerFence(workerID: "w2")
        let wrongEpoch = WorkerFence(workerID: "w1", claimEpoch: 7)
        #expect(try await store.completeWorkerTask(id: task.id, fence: wrongWorker, output: 1, now: later) == .conflict)
        #expect(try await store.completeWorkerTask(id: task.id, fence: wrongEpoch, output: 1, now: later) == .conflict)
        #expect(try await store.completeWorkerTask(id: UUID(), fence: wrongWorker, output: 1, now: later) == .notFound)
        #expect(try await store.instance(id: instance)?.state == .waiting, "a refused report changes nothing")

        let result = try await store.completeWorkerTask(
            id: task.id,
            fence: WorkerFence(workerID: "w1", claimEpoch: 1),
            output: ["ok": true],
            now: later
        )
        #expect(result == .applied)
        let done = try #require(try await store.workerTask(id: task.id))
        #expect(done.state == .completed)
        #expect(done.output == ["ok": true])
        #expect(done.completedAt == later)
        let due = try #require(try await store.instance(id: instance))
        #expect(due.state == .scheduled)
        #expect(due.nextFireAt == later)
        #expect(
            try await store.completeWorkerTask(id: task.id, fence: WorkerFence(workerID: "w1"), output: 2, now: later)
                == .conflict
        )
        #expect(
            try await store.workerTaskEvents(taskID: task.id, limit: 10).map(\.event) == [
                .claimed, .staleMutationRejected, .staleMutationRejected, .completed, .staleMutationRejected,
            ]
        )
    }

    @Test(arguments: StoreBackend.all)
    func aRequeueKeepsTheIdAndTheEpochGrows(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (instance, task) = try await waitingOnTask(store)
        _ = try await poll(store, "w1")
        let fence = WorkerFence(workerID: "w1")
        let result = try await store.failWorkerTask(
            id: task.id,
            fence: fence,
            message: "busy",
            retryable: true,
            now: Fixtures.epoch
        )
        #expect(result == .applied)
        let failed = try #require(try await store.workerTask(id: task.id))
        #expect(failed.state == .failed)
        #expect(failed.errorMessage == "busy")
        #expect(failed.errorRetryable == true)
        #expect(try await store.instance(id: instance)?.state == .scheduled)

        // The engine runs the step again: the same update twice changes nothing the second time.
        _ = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 1,
            owner: "n",
            leaseUntil: Fixtures.epoch(plus: 9000)
        )
        var retry = task
        retry.id = UUID()
        retry.attempt = 1
        var update = Fixtures.update(instance, owner: "n")
        update.state = .waiting
        update.releasesLease = true
        update.workerTasks = [retry]
        #expect(try await store.commit([update]) == [true])
        let requeued = try #require(try await store.workerTask(instanceID: instance, blockID: "b"))
        #expect(requeued.id == task.id)
        #expect(requeued.attempt == 1)
        #expect(requeued.state == .pending)
        #expect(requeued.errorMessage == nil)
        let second = try await poll(store, "w2")
        #expect(second.first?.claimEpoch == 2)
        #expect(second.first?.attempt == 1)
    }

    @Test(arguments: StoreBackend.all)
    func heartbeatsExtendTheLeaseAndCheckpointsAreCompareAndSet(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (_, task) = try await waitingOnTask(store)
        _ = try await poll(store, "w1")
        let fence = WorkerFence(workerID: "w1", claimEpoch: 1)
        let later = Fixtures.epoch(plus: 60_000)
        #expect(
            try await store.heartbeatWorkerTask(id: task.id, fence: fence, checkpoint: nil, now: later)
                == .applied(checkpointSeq: 0)
        )
        let first = WorkerCheckpoint(value: ["page": 1], expectedSeq: 0)
        #expect(
            try await store.heartbeatWorkerTask(id: task.id, fence: fence, checkpoint: first, now: later)
                == .applied(checkpointSeq: 1)
        )
        #expect(
            try await store.heartbeatWorkerTask(id: task.id, fence: fence, checkpoint: first, now: later) == .conflict
        )
        #expect(
            try await store.heartbeatWorkerTask(
                id: task.id,
                fence: WorkerFence(workerID: "w9"),
                checkpoint: nil,
                now: later
            )
                == .conflict
        )
        #expect(try await store.heartbeatWorkerTask(id: UUID(), fence: fence, checkpoint: nil, now: later) == .notFound)
        // The heartbeat at `later` keeps the lease past a stale line before it.
        let reaped = try await store.reapWorkerTasks(staleBefore: Fixtures.epoch(plus: 30_000), now: later)
        #expect(reaped == WorkerReaping(reclaimed: 0, timedOut: 0))
        let stored = try #require(try await store.workerTask(id: task.id))
        #expect(stored.state == .claimed)
        #expect(stored.resumeCheckpoint == ["page": 1])
        #expect(stored.checkpointSeq == 1)
    }

    @Test(arguments: StoreBackend.all)
    func theReaperReclaimsSilentLeasesAndFailsExpiredTasks(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (_, silent) = try await waitingOnTask(store, handler: "silent")
        let (slowInstance, slow) = try await waitingOnTask(store, handler: "slow", timeoutMS: 1000)
        _ = try await poll(store, "w1", handler: "silent")
        let reaped = try await store.reapWorkerTasks(
            staleBefore: Fixtures.epoch(plus: 1),
            now: Fixtures.epoch(plus: 1001)
        )
        #expect(reaped == WorkerReaping(reclaimed: 1, timedOut: 1))
        let reclaimed = try #require(try await store.workerTask(id: silent.id))
        #expect(reclaimed.state == .pending)
        #expect(reclaimed.workerID == nil)
        let expired = try #require(try await store.workerTask(id: slow.id))
        #expect(expired.state == .failed)
        #expect(expired.errorMessage == "task timed out (timeout_ms exceeded)")
        #expect(expired.errorRetryable == false)
        #expect(try await store.instance(id: slowInstance)?.state == .scheduled, "the step takes its failure")
        #expect(try await store.workerTaskEvents(taskID: silent.id, limit: 10).map(\.event) == [.claimed, .reclaimed])
        #expect(try await store.workerTaskEvents(taskID: slow.id, limit: 10).map(\.event) == [.timedOut])
    }

    @Test(arguments: StoreBackend.all)
    func cancellingEndsOpenTasksAndListsFilter(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (instance, task) = try await waitingOnTask(store)
        let (_, other) = try await waitingOnTask(store, handler: "other")
        #expect(
            try await store.setInstanceState(
                id: instance,
                from: .waiting,
                to: .scheduled,
                nextFireAt: nil,
                now: Fixtures.epoch
            )
        )
        _ = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 5,
            owner: "n",
            leaseUntil: Fixtures.epoch(plus: 9000)
        )
        var update = Fixtures.update(instance, owner: "n")
        update.state = .cancelled
        update.releasesLease = true
        update.cancelsWorkerTasks = true
        #expect(try await store.commit([update]) == [true])
        let cancelled = try #require(try await store.workerTask(id: task.id))
        #expect(cancelled.state == .failed)
        #expect(cancelled.errorMessage == "cancelled: the instance was cancelled")

        #expect(try await store.workerTasks(WorkerTaskQuery(states: [.pending])).map(\.id) == [other.id])
        #expect(try await store.workerTasks(WorkerTaskQuery(handlerName: "h")).map(\.id) == [task.id])
        #expect(try await store.workerTasks(WorkerTaskQuery(tenantID: "nobody")).isEmpty)
        #expect(try await store.workerTasks(WorkerTaskQuery(states: [])).isEmpty)
        let counts = try await store.workerTaskCounts(tenantID: "acme")
        #expect(
            Set(counts) == [
                WorkerTaskCount(handlerName: "h", state: .failed, count: 1),
                WorkerTaskCount(handlerName: "other", state: .pending, count: 1),
            ]
        )
    }
}
