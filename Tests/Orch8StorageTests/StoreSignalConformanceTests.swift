import Foundation
import Orch8Core
import Orch8Storage
import Testing

/// Signals, outputs order, and durability across a reopen.
@Suite struct StoreSignalConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func signalsToTerminalInstancesAreRefused(_ backend: StoreBackend) async throws {
        let store = try backend.make()
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
    }

    @Test(arguments: StoreBackend.allCases)
    func pendingSignalsInOrderAndTheSweepQuery(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let paused = Fixtures.instance(state: .paused)
        let running = Fixtures.instance(state: .running)
        _ = try await store.createInstances([paused, running])
        let types: [SignalType] = [.updateContext, .custom("x"), .resume]
        var sent: [Signal] = []
        for type in types {
            let signal = Signal(
                id: UUID(),
                instanceID: paused.id,
                signalType: type,
                payload: ["t": .string("\(type)")],
                createdAt: Fixtures.epoch
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
        var update = InstanceUpdate(instanceID: paused.id, expectedState: .paused, leaseOwner: nil, now: Date())
        update.deliveredSignals = sent.map(\.id)
        _ = try await store.commit([update])
        #expect(try await store.pendingSignals(instanceID: paused.id).isEmpty)
        #expect(try await store.instancesWithPendingSignals(in: [.paused], limit: 10).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func outputsComeBackInWriteOrder(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let instance = Fixtures.instance(state: .running)
        _ = try await store.createInstances([instance])
        for block in ["z", "a", "m"] {
            var update = InstanceUpdate(instanceID: instance.id, leaseOwner: nil, now: Date())
            update.outputs = [Fixtures.output(instance.id, block, .string(block))]
            _ = try await store.commit([update])
        }
        #expect(try await store.outputs(instanceID: instance.id).map(\.blockID) == ["z", "a", "m"])
    }

    @Test func aReopenedFileKeepsEverything() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orch8-reopen-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("orch8.db").path
        let sequence = try Fixtures.sequence()
        let instance = Fixtures.instance(sequence: sequence.id)
        do {
            let store = try SQLiteStoreFactory.open(path)
            try await store.createSequence(sequence)
            _ = try await store.createInstances([instance])
        }
        let reopened = try SQLiteStoreFactory.open(path)
        #expect(try await reopened.sequence(id: sequence.id) == sequence)
        #expect(try await reopened.instance(id: instance.id) == instance)
    }

    @Test func unusableLocationsFailWithAClearMessage() {
        #expect {
            _ = try SQLiteStoreFactory.open("/proc/no-such-dir/orch8.db")
        } throws: { error in
            "\(error)".contains("/proc/no-such-dir/orch8.db")
        }
        #expect {
            _ = try SQLiteStoreFactory.url("postgres://x")
        } throws: { error in
            "\(error)".contains("expected sqlite://PATH or sqlite::memory:")
        }
    }
}

enum SQLiteStoreFactory {
    static func open(_ path: String) throws -> any Store { try SQLiteStore(path: path) }
    static func url(_ url: String) throws -> any Store { try SQLiteStore.open(url: url) }
}
