import Foundation
import Orch8Core
import Testing

/// Cron schedules: storage, and the fire transaction with its overlap policies, once per fire even
/// with two handles (two engine nodes) on one database.
@Suite struct StoreCronConformanceTests {
    /// Every minute at second 0. `Fixtures.epoch` is 2027-01-15T08:00:00Z, a whole minute.
    private static let everyMinute = "0 * * * * *"

    private func schedule(
        sequence: UUID,
        tenant: String = "acme",
        policy: CronOverlapPolicy = .allow,
        nextFireAt: Date? = Fixtures.epoch(plus: -3_600_000),
        createdAt: Date = Fixtures.epoch,
        enabled: Bool = true
    ) -> CronSchedule {
        CronSchedule(
            id: UUIDv7.generate(now: createdAt),
            tenantID: tenant,
            namespace: "nightly",
            sequenceID: sequence,
            cronExpr: Self.everyMinute,
            timezone: "Europe/Berlin",
            enabled: enabled,
            metadata: ["team": "ops"],
            overlapPolicy: policy,
            nextFireAt: nextFireAt,
            createdAt: createdAt,
            updatedAt: createdAt
        )
    }

    /// A store with one sequence; returns both.
    private func storeWithSequence(_ backend: StoreBackend) async throws -> (any Store, UUID) {
        let store = try await backend.make()
        let sequence = try Fixtures.sequence()
        try await store.createSequence(sequence)
        return (store, sequence.id)
    }

    @Test(arguments: StoreBackend.all)
    func schedulesAreCreatedReadListedUpdatedAndDeleted(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let sequence = UUID()
        var first = schedule(sequence: sequence, policy: .skip)
        first.lastSkippedAt = Fixtures.epoch(plus: 5)
        first.skippedFires = 3
        let second = schedule(sequence: sequence, createdAt: Fixtures.epoch(plus: 1), enabled: false)
        let other = schedule(sequence: sequence, tenant: "globex", nextFireAt: nil, createdAt: Fixtures.epoch(plus: 2))
        for value in [first, second, other] { try await store.createCronSchedule(value) }

        #expect(try await store.cronSchedule(id: first.id) == first, "every field")
        #expect(try await store.cronSchedule(id: other.id) == other, "a null next_fire_at too")
        #expect(try await store.cronSchedule(id: UUID()) == nil)
        #expect(try await store.cronSchedules(tenantID: "acme", limit: 100).map(\.id) == [first.id, second.id])
        #expect(try await store.cronSchedules(tenantID: nil, limit: 100).map(\.id) == [first.id, second.id, other.id])
        #expect(try await store.cronSchedules(tenantID: nil, limit: 1).map(\.id) == [first.id])

        var changed = first
        changed.cronExpr = "0 0 9 * * MON-FRI"
        changed.timezone = "UTC"
        changed.enabled = false
        changed.metadata = .null
        changed.overlapPolicy = .cancelPrevious
        changed.nextFireAt = Fixtures.epoch(plus: 86_400_000)
        changed.updatedAt = Fixtures.epoch(plus: 9)
        // The fire bookkeeping is the cron loop's: an update leaves it alone.
        changed.skippedFires = 0
        changed.lastSkippedAt = nil
        #expect(try await store.updateCronSchedule(changed, rescheduled: true))
        var expected = changed
        expected.skippedFires = 3
        expected.lastSkippedAt = first.lastSkippedAt
        #expect(try await store.cronSchedule(id: first.id) == expected)
        var missing = changed
        missing.id = UUID()
        #expect(try await !store.updateCronSchedule(missing, rescheduled: true))
        // Without rescheduling, the next fire time stays the stored one, whatever the caller read.
        var stale = expected
        stale.nextFireAt = Fixtures.epoch(plus: 1)
        stale.metadata = ["edited": true]
        #expect(try await store.updateCronSchedule(stale, rescheduled: false))
        var kept = expected
        kept.metadata = ["edited": true]
        #expect(try await store.cronSchedule(id: first.id) == kept)

        #expect(try await store.deleteCronSchedule(id: first.id))
        #expect(try await !store.deleteCronSchedule(id: first.id))
        #expect(try await store.cronSchedule(id: first.id) == nil)
    }

    @Test(arguments: StoreBackend.all)
    func aDueFireStartsOneInstanceAndMissedFiresCollapse(_ backend: StoreBackend) async throws {
        let (store, sequence) = try await storeWithSequence(backend)
        // An hour behind: sixty missed fires.
        let due = schedule(sequence: sequence)
        let later = schedule(sequence: sequence, nextFireAt: Fixtures.epoch(plus: 1000))
        let disabled = schedule(sequence: sequence, enabled: false)
        let never = schedule(sequence: sequence, nextFireAt: nil)
        for value in [due, later, disabled, never] { try await store.createCronSchedule(value) }
        let now = Fixtures.epoch(plus: 250)

        let firings = try await store.fireDueCronSchedules(now: now, limit: 10, recheckAt: now)
        #expect(firings.count == 1)
        let firing = try #require(firings.first)
        #expect(firing.scheduleID == due.id)
        #expect(firing.tenantID == "acme")
        guard case .started(let instanceID, let cancelling) = firing.outcome else {
            Issue.record("expected a start, got \(firing.outcome)")
            return
        }
        #expect(cancelling.isEmpty)
        let instance = try #require(try await store.instance(id: instanceID))
        #expect(instance.sequenceID == sequence)
        #expect(instance.tenantID == "acme")
        #expect(instance.namespace == "nightly")
        #expect(instance.timezone == "Europe/Berlin")
        #expect(instance.state == .scheduled)
        #expect(instance.metadata == ["team": "ops", "cron_schedule_id": .string(due.id.uuidString.lowercased())])

        let fired = try #require(try await store.cronSchedule(id: due.id))
        #expect(fired.nextFireAt == Fixtures.epoch(plus: 60_000), "the next minute after now, not the next missed one")
        #expect(fired.lastTriggeredAt == now)
        #expect(fired.skippedFires == 0)
        #expect(try await store.fireDueCronSchedules(now: now, limit: 10, recheckAt: now).isEmpty)
        #expect(try await store.instances(InstanceQuery(sequenceID: sequence)).count == 1)
    }

    @Test(arguments: StoreBackend.all)
    func skipCountsAFireWhileAnInstanceIsActive(_ backend: StoreBackend) async throws {
        let (store, sequence) = try await storeWithSequence(backend)
        let value = schedule(sequence: sequence, policy: .skip)
        try await store.createCronSchedule(value)
        let first = try await fireOne(store, at: Fixtures.epoch)
        guard case .started = first else { throw Failure("expected a start, got \(first)") }

        let now = Fixtures.epoch(plus: 60_000)
        #expect(try await fireOne(store, at: now) == .skipped)
        let skipped = try #require(try await store.cronSchedule(id: value.id))
        #expect(skipped.skippedFires == 1)
        #expect(skipped.lastSkippedAt == now)
        #expect(skipped.lastTriggeredAt == Fixtures.epoch)
        #expect(skipped.nextFireAt == Fixtures.epoch(plus: 120_000))
        #expect(try await store.instances(InstanceQuery(sequenceID: sequence)).count == 1)
    }

    @Test(arguments: StoreBackend.all)
    func bufferOneWaitsForTheActiveInstanceToEnd(_ backend: StoreBackend) async throws {
        let (store, sequence) = try await storeWithSequence(backend)
        let value = schedule(sequence: sequence, policy: .bufferOne)
        try await store.createCronSchedule(value)
        guard case .started(let previous, _) = try await fireOne(store, at: Fixtures.epoch) else {
            throw Failure("the first fire did not start an instance")
        }
        let now = Fixtures.epoch(plus: 60_000)
        let recheck = Fixtures.epoch(plus: 70_000)
        #expect(
            try await store.fireDueCronSchedules(now: now, limit: 10, recheckAt: recheck).map(\.outcome) == [.waiting]
        )
        #expect(try await store.cronSchedule(id: value.id)?.nextFireAt == recheck)
        #expect(try await store.fireDueCronSchedules(now: now, limit: 10, recheckAt: recheck).isEmpty)

        // Still active at the recheck: waits again. Ended: one start for every missed fire.
        #expect(try await fireOne(store, at: recheck, recheckAt: Fixtures.epoch(plus: 80_000)) == .waiting)
        let end = Fixtures.epoch(plus: 200_000)
        #expect(
            try await store.setInstanceState(id: previous, from: .scheduled, to: .completed, nextFireAt: nil, now: end)
        )
        guard case .started(let next, []) = try await fireOne(store, at: end) else {
            throw Failure("the buffered fire did not start an instance")
        }
        #expect(next != previous)
        #expect(try await store.cronSchedule(id: value.id)?.nextFireAt == Fixtures.epoch(plus: 240_000))
        #expect(try await store.cronSchedule(id: value.id)?.skippedFires == 0)
    }

    @Test(arguments: StoreBackend.all)
    func cancelPreviousNamesTheActiveInstances(_ backend: StoreBackend) async throws {
        let (store, sequence) = try await storeWithSequence(backend)
        let value = schedule(sequence: sequence, policy: .cancelPrevious)
        try await store.createCronSchedule(value)
        // An instance of the same sequence that another schedule (or nobody) started is not its own.
        let stranger = Fixtures.instance(sequence: sequence, metadata: ["cron_schedule_id": "someone-else"])
        _ = try await store.createInstances([stranger])
        guard case .started(let previous, []) = try await fireOne(store, at: Fixtures.epoch) else {
            throw Failure("the first fire did not start an instance")
        }
        guard case .started(let next, let cancelling) = try await fireOne(store, at: Fixtures.epoch(plus: 60_000))
        else { throw Failure("the second fire did not start an instance") }
        #expect(cancelling == [previous])
        #expect(next != previous)
        // The cancel was stored with the fire, not left for the caller to send.
        let pending = try await store.pendingSignals(instanceID: previous)
        #expect(pending.map(\.signalType) == [.cancel])
        #expect(try await store.pendingSignals(instanceID: next).isEmpty)
        #expect(try await store.pendingSignals(instanceID: stranger.id).isEmpty)
        // An instance that has ended by the next fire is neither counted nor signalled.
        let end = Fixtures.epoch(plus: 90_000)
        #expect(
            try await store.setInstanceState(id: previous, from: .scheduled, to: .completed, nextFireAt: nil, now: end)
        )
        guard case .started(_, let again) = try await fireOne(store, at: Fixtures.epoch(plus: 120_000))
        else { throw Failure("the third fire did not start an instance") }
        #expect(again == [next])
    }

    @Test(arguments: StoreBackend.all)
    func aScheduleWhoseSequenceIsGoneMovesOn(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let value = schedule(sequence: UUID())
        try await store.createCronSchedule(value)
        #expect(try await fireOne(store, at: Fixtures.epoch) == .sequenceMissing)
        #expect(try await store.cronSchedule(id: value.id)?.nextFireAt == Fixtures.epoch(plus: 60_000))
        #expect(try await store.cronSchedule(id: value.id)?.lastTriggeredAt == nil)
    }

    /// Two nodes' cron loops on one database, racing: every due fire is taken exactly once.
    @Test(arguments: StoreBackend.all)
    func twoHandlesFireEachDueScheduleOnce(_ backend: StoreBackend) async throws {
        let (first, second) = try await backend.makePair()
        let sequence = try Fixtures.sequence()
        try await first.createSequence(sequence)
        let schedules = (0..<30).map { index in
            schedule(sequence: sequence.id, createdAt: Fixtures.epoch(plus: Int64(index)))
        }
        for value in schedules { try await first.createCronSchedule(value) }
        let now = Fixtures.epoch(plus: 500)

        let started = try await withThrowingTaskGroup(of: [UUID].self) { group in
            for store in [first, second, first, second] {
                group.addTask {
                    var fired: [UUID] = []
                    while true {
                        let firings = try await store.fireDueCronSchedules(now: now, limit: 3, recheckAt: now)
                        if firings.isEmpty { return fired }
                        fired += firings.map(\.scheduleID)
                    }
                }
            }
            var all: [UUID] = []
            for try await fired in group { all += fired }
            return all
        }
        #expect(started.count == schedules.count)
        #expect(Set(started) == Set(schedules.map(\.id)))
        #expect(try await first.instances(InstanceQuery(sequenceID: sequence.id, limit: 1000)).count == schedules.count)
    }

    /// Fires the one due schedule at `now`.
    private func fireOne(_ store: any Store, at now: Date, recheckAt: Date? = nil) async throws -> CronFiring.Outcome {
        let firings = try await store.fireDueCronSchedules(now: now, limit: 10, recheckAt: recheckAt ?? now)
        guard firings.count == 1, let firing = firings.first else {
            throw Failure("expected one firing at \(now), got \(firings)")
        }
        return firing.outcome
    }
}

/// A test precondition that did not hold.
private struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
