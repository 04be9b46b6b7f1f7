import Foundation
import Orch8Core
import Testing

/// Signals and outputs.
@Suite struct StoreSignalConformanceTests {
    @Test(arguments: StoreBackend.all)
    func signalsToTerminalInstancesAreRefused(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let done = Fixtures.instance(state: .completed)
        let waiting = Fixtures.instance(state: .scheduled, nextFireAt: Fixtures.epoch.addingTimeInterval(3600))
        _ = try await store.createInstances([done, waiting])
        let late = Signal(id: UUID(), instanceID: done.id, signalType: .pause, createdAt: Fixtures.epoch)
        #expect(try await store.enqueueSignal(late, now: Fixtures.epoch) == .instanceTerminal(.completed))
        let lost = Signal(id: UUID(), instanceID: UUID(), signalType: .pause, createdAt: Fixtures.epoch)
        #expect(try await store.enqueueSignal(lost, now: Fixtures.epoch) == .instanceNotFound)
        let now = Fixtures.epoch.addingTimeInterval(5)
        let pause = Signal(id: UUID(), instanceID: waiting.id, signalType: .pause, createdAt: now)
        #expect(try await store.enqueueSignal(pause, now: now) == .enqueued(.scheduled))
        #expect(try await store.instance(id: waiting.id)?.nextFireAt == now, "a scheduled instance is due at once")
        #expect(try await store.pendingSignals(instanceID: done.id).isEmpty)
        #expect(try await store.instance(id: waiting.id)?.updatedAt == now)
        await #expect {
            _ = try await store.enqueueSignal(pause, now: now)
        } throws: { error in
            guard case StoreError.alreadyExists = error else { return false }
            return true
        }
    }

    @Test(arguments: StoreBackend.all)
    func onlyScheduledInstancesAreMadeDue(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let later = Fixtures.epoch.addingTimeInterval(3600)
        let states: [InstanceState] = [.running, .waiting, .paused]
        let instances = states.map { Fixtures.instance(state: $0, nextFireAt: later) }
        _ = try await store.createInstances(instances)
        for instance in instances {
            let signal = Fixtures.signal(instance.id, .cancel)
            #expect(try await store.enqueueSignal(signal, now: Fixtures.epoch) == .enqueued(instance.state))
            #expect(try await store.instance(id: instance.id) == instance, "nothing but the inbox changes")
            #expect(try await store.pendingSignals(instanceID: instance.id) == [signal])
        }
        for state in [InstanceState.failed, .cancelled] {
            let instance = Fixtures.instance(state: state)
            _ = try await store.createInstances([instance])
            let signal = Fixtures.signal(instance.id)
            #expect(try await store.enqueueSignal(signal, now: Fixtures.epoch) == .instanceTerminal(state))
        }
    }

    @Test(arguments: StoreBackend.all)
    func pendingSignalsInOrderAndTheSweepQuery(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let paused = Fixtures.instance(state: .paused)
        let running = Fixtures.instance(state: .running)
        _ = try await store.createInstances([paused, running])
        let types: [SignalType] = [.updateContext, .custom("x"), .resume]
        var sent: [Signal] = []
        for type in types {
            let signal = Fixtures.signal(
                paused.id,
                type,
                payload: ["t": .string("\(type)")],
                at: Fixtures.epoch(plus: Int64(sent.count))
            )
            _ = try await store.enqueueSignal(signal, now: Fixtures.epoch)
            sent.append(signal)
        }
        _ = try await store.enqueueSignal(
            Signal(id: UUID(), instanceID: running.id, signalType: .pause, createdAt: Fixtures.epoch),
            now: Fixtures.epoch
        )
        #expect(try await store.pendingSignals(instanceID: paused.id) == sent)
        #expect(try await store.instancesWithPendingSignals(in: [.paused], limit: 10) == [paused.id])
        #expect(
            Set(try await store.instancesWithPendingSignals(in: [.paused, .running], limit: 10)) == [
                paused.id, running.id,
            ]
        )
        #expect(try await store.instancesWithPendingSignals(in: [.paused, .running], limit: 1).count == 1)
        #expect(try await store.instancesWithPendingSignals(in: [.waiting], limit: 10).isEmpty)
        #expect(try await store.instancesWithPendingSignals(in: [], limit: 10).isEmpty)
        var update = InstanceUpdate(instanceID: paused.id, expectedState: .paused, leaseOwner: nil, now: Date())
        update.deliveredSignals = sent.map(\.id)
        _ = try await store.commit([update])
        #expect(try await store.pendingSignals(instanceID: paused.id).isEmpty)
        #expect(try await store.instancesWithPendingSignals(in: [.paused], limit: 10).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func outputsComeBackInWriteOrderExactly(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let instance = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance])
        var written: [BlockOutput] = []
        for (index, block) in ["z", "a", "m"].enumerated() {
            var update = Fixtures.update(instance.id)
            // Later rows carry earlier times: the order is the write order, not the clock's.
            var first = Fixtures.output(instance.id, block, .string(block), attempt: UInt32(index))
            first.createdAt = Fixtures.epoch(plus: 10_123 - 1_000 * Int64(index))
            var second = Fixtures.output(instance.id, block, ["n": 1.25, "big": 9_007_199_254_740_993], ref: "r")
            second.createdAt = first.createdAt
            update.outputs = [first, second]
            _ = try await store.commit([update])
            written += update.outputs
        }
        let stored = try await store.outputs(instanceID: instance.id)
        #expect(stored == written, "every field, the time to the millisecond")
        #expect(try await store.outputs(instanceID: UUID()).isEmpty)
    }
}
