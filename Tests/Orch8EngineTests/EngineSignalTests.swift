import Foundation
import Orch8Core
import Orch8Engine
import Orch8Storage
import Testing

/// Sleep as a durable timer, signals, and recovery of abandoned instances.
@Suite struct EngineSignalTests {
    private func send(
        _ type: SignalType,
        payload: JSON = .null,
        to id: UUID,
        _ harness: EngineHarness,
        _ engine: Engine
    )
        async throws
    {
        let signal = Signal(id: UUID(), instanceID: id, signalType: type, payload: payload, createdAt: Date())
        guard case .enqueued = try await harness.store.enqueueSignal(signal, now: Date()) else {
            Issue.record("signal refused")
            return
        }
        engine.signalArrived(for: id)
    }

    @Test(arguments: EngineBackend.all) func aSleepingInstanceIsParkedAndCompletesWhenDue(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "before", "handler": "count"},
             {"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 300}},
             {"type": "step", "id": "after", "handler": "count"}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            // Once `before` is stored the instance parks on its timer: a row, not a task.
            var parked = try #require(try await harness.store.instance(id: id))
            let deadline = Date().addingTimeInterval(30)
            // On a slow machine the instance may be done before a look sees it parked: stop then too.
            while try await harness.realOutputs(id).isEmpty || (parked.state != .scheduled && !parked.state.isTerminal)
            {
                try #require(Date() < deadline, "the instance never parked")
                try await Task.sleep(for: .milliseconds(5))
                parked = try #require(try await harness.store.instance(id: id))
            }
            let outputs = try await harness.realOutputs(id)
            if outputs.count == 1 && parked.state == .scheduled {
                // Due a sleep's length after `before` committed (not compared with the clock, which
                // may already be past it on a loaded machine).
                let due = try #require(parked.nextFireAt)
                #expect(due.timeIntervalSince(outputs[0].createdAt) >= 0.29, "parked until the sleep is due")
                #expect(parked.metadata["_sleep_until:nap"] != nil)
            }
            try await harness.waitFor(id, .completed)
            return id
        }
        #expect(try await harness.realOutputs(id).map(\.blockID) == ["before", "nap", "after"])
        #expect(try await harness.realOutputs(id)[1].output == ["slept_ms": 300])
    }

    @Test(arguments: EngineBackend.all) func pauseResumeAndCancelInterruptASleep(_ backend: EngineBackend) async throws
    {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 60000}},
             {"type": "step", "id": "after", "handler": "count"}]
            """
        )
        try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await Task.sleep(for: .milliseconds(100))
            try await send(.pause, to: id, harness, engine)
            try await harness.waitFor(id, .paused)
            try await send(.updateContext, payload: ["data": ["note": "edited"]], to: id, harness, engine)
            try await send(.resume, to: id, harness, engine)
            try await harness.waitFor(id, .scheduled)
            try await send(.cancel, to: id, harness, engine)
            let cancelled = try await harness.waitFor(id, .cancelled)
            #expect(cancelled.context.data["note"] == "edited")
            #expect(harness.probe.count("after") == 0)
            #expect(try await harness.store.pendingSignals(instanceID: id).isEmpty)
        }
    }

    @Test(arguments: EngineBackend.all) func instancesLeftRunningByADeadNodeAreRecovered(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(#"[{"type": "step", "id": "a", "handler": "count"}]"#)
        let now = Date()
        let id = UUID()
        let instance = TaskInstance(
            id: id,
            sequenceID: sequence,
            tenantID: "acme",
            namespace: "default",
            nextFireAt: now,
            createdAt: now,
            updatedAt: now
        )
        _ = try await harness.store.createInstances([instance])
        // Another node claims it and dies: its lease expires.
        let claimed = try await harness.store.claimDueInstances(
            now: now,
            limit: 10,
            owner: "dead-node",
            leaseUntil: now.addingTimeInterval(0.2)
        )
        #expect(claimed.count == 1)
        try await Task.sleep(for: .milliseconds(300))
        try await harness.withEngine { _ in
            try await harness.waitFor(id, .completed)
        }
        #expect(harness.probe.count("a") == 1)
    }
}
