import Foundation
import Orch8Core
import Orch8Engine
import Orch8Storage
import Testing

/// The engine running top-level steps against a real SQLite store.
@Suite struct EngineStepTests {
    @Test(arguments: EngineBackend.all) func threeStepsCompleteInOrderAndTemplatesReadEarlierOutputs(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "greet", "handler": "log", "params": {"message": "hello {{context.data.name}}"}},
             {"type": "step", "id": "shape", "handler": "transform",
              "params": {"greeting": "{{outputs.greet.message}}", "whole": "{{outputs.greet}}", "n": "{{context.data.n}}"}},
             {"type": "step", "id": "check", "handler": "assert", "params": {"condition": "n == 3"}}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, data: ["name": "Ada", "n": 3], engine: engine)
            try await harness.waitFor(id, .completed)
            return id
        }
        let outputs = try await harness.realOutputs(id)
        #expect(outputs.map(\.blockID) == ["greet", "shape", "check"])
        #expect(outputs[0].output == ["message": "hello Ada", "level": "info"])
        #expect(
            outputs[1].output == ["greeting": "hello Ada", "whole": ["message": "hello Ada", "level": "info"], "n": 3]
        )
        #expect(outputs[2].output == ["condition": "n == 3", "passed": true])
        let instance = try #require(try await harness.store.instance(id: id))
        #expect(instance.context.runtime.totalStepsExecuted == 3)
        #expect(instance.context.runtime.startedAt != nil)
    }

    @Test(arguments: EngineBackend.all) func aFlakyStepRetriesWithBackoffThenCompletes(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "flaky", "handler": "flaky", "params": {"failures": 2},
              "retry": {"max_attempts": 3, "initial_backoff": 20, "max_backoff": 100}}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .completed)
            return id
        }
        #expect(harness.probe.count("flaky") == 3)
        let rows = try await harness.store.outputs(instanceID: id)
        #expect(rows.filter { $0.outputRef == OutputMarker.retry }.map(\.attempt) == [0, 1])
        #expect(try await harness.realOutputs(id).map(\.output) == [["execution": 3, "attempt": 2]])
    }

    @Test(arguments: EngineBackend.all) func maxAttemptsCountsEveryExecution(_ backend: EngineBackend) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "flaky", "handler": "flaky", "params": {"failures": 5},
              "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .failed)
            return id
        }
        #expect(harness.probe.count("flaky") == 2)
        let error = try #require(try await harness.store.outputs(instanceID: id).last)
        #expect(error.outputRef == OutputMarker.error)
        #expect(error.output["message"] == "block `flaky`: flaky failure 2 (gave up after 2 attempts)")
    }

    @Test(arguments: EngineBackend.all) func aPermanentFailureGoesToTheDLQAndRetryRerunsOnlyWhatFailed(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "first", "handler": "count"},
             {"type": "step", "id": "boom", "handler": "fail", "params": {"message": "no {{context.data.thing}}"},
              "retry": {"max_attempts": 5, "initial_backoff": 10, "max_backoff": 10}}]
            """
        )
        try await harness.withEngine { engine in
            let id = try await harness.start(sequence, data: ["thing": "luck"], engine: engine)
            try await harness.waitFor(id, .failed)
            let error = try #require(try await harness.store.outputs(instanceID: id).last)
            #expect(error.output["message"] == "block `boom`: no luck", "a permanent failure is not retried")
            #expect(harness.probe.count("first") == 1)

            #expect(try await harness.store.retryInstance(id: id, runID: UUID(), now: Date()))
            engine.wake()
            try await harness.waitFor(id, .failed)
            #expect(harness.probe.count("first") == 1, "the completed step is not run again")
            let errors = try await harness.store.outputs(instanceID: id).filter { $0.outputRef == OutputMarker.error }
            #expect(errors.count == 1, "the old error row was removed by the retry")
        }
    }

    @Test(arguments: EngineBackend.all) func whenGuardsSkipStepsAndParseErrorsFail(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let skipping = try await harness.sequence(
            """
            [{"type": "step", "id": "a", "handler": "count", "when": "plan == 'pro'"},
             {"type": "step", "id": "b", "handler": "count", "when": "plan == 'free'"}]
            """
        )
        let broken = try await harness.sequence(
            #"[{"type": "step", "id": "c", "handler": "count", "when": "plan =="}]"#
        )
        try await harness.withEngine { engine in
            let first = try await harness.start(skipping, data: ["plan": "free"], engine: engine)
            try await harness.waitFor(first, .completed)
            #expect(harness.probe.count("a") == 0)
            #expect(harness.probe.count("b") == 1)
            let second = try await harness.start(broken, engine: engine)
            try await harness.waitFor(second, .failed)
            let error = try #require(try await harness.store.outputs(instanceID: second).last)
            #expect(
                error.output["message"]
                    == "when guard on step 'c' failed to parse: invalid expression at byte 7: expected a value, found end of expression"
            )
        }
    }

    @Test(arguments: EngineBackend.all) func templateErrorsFailWithoutRetry(_ backend: EngineBackend) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "t", "handler": "count", "params": {"x": "{{item}}"},
              "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .failed)
            return id
        }
        #expect(harness.probe.count("t") == 0)
        let error = try #require(try await harness.store.outputs(instanceID: id).last)
        #expect(error.output["message"] == "block `t`: template resolution failed: unknown template root: item")
    }

    @Test(arguments: EngineBackend.all) func aStepPastItsTimeoutIsARetryableFailure(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "s", "handler": "slow", "params": {"ms": 5000}, "timeout": 50,
              "retry": {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .failed)
            return id
        }
        #expect(harness.probe.count("s") == 2)
        let error = try #require(try await harness.store.outputs(instanceID: id).last)
        #expect(error.output["message"] == "block `s`: step timed out after 50 ms (gave up after 2 attempts)")
    }

    @Test(arguments: EngineBackend.all) func unknownHandlersFailClearlyAlsoInsideComposites(
        _ backend: EngineBackend
    ) async throws {
        let harness = try await EngineHarness(backend)
        // A bare name is a worker task (it waits); an unknown scheme is no handler at all.
        let unknown = try await harness.sequence(#"[{"type": "step", "id": "u", "handler": "ftp://nobody_home"}]"#)
        let composite = try await harness.sequence(
            #"[{"type": "parallel", "id": "p", "branches": [[{"type": "step", "id": "x", "handler": "gopher://x"}]]}]"#
        )
        try await harness.withEngine { engine in
            let first = try await harness.start(unknown, engine: engine)
            let second = try await harness.start(composite, engine: engine)
            try await harness.waitFor(first, .failed)
            try await harness.waitFor(second, .failed)
            #expect(
                try await harness.store.outputs(instanceID: first).last?.output["message"]
                    == "block `u`: handler not found: ftp://nobody_home"
            )
            #expect(
                try await harness.store.outputs(instanceID: second).last?.output["message"]
                    == "block `x`: handler not found: gopher://x"
            )
            let tree = try await harness.store.executionTree(instanceID: second)
            #expect(tree.map(\.blockID) == ["p", "x"])
            #expect(tree.map(\.state) == [.failed, .failed])
        }
    }

    @Test(arguments: EngineBackend.all) func stateHandlersCommitWithTheirStep(_ backend: EngineBackend) async throws {
        let harness = try await EngineHarness(backend)
        let sequence = try await harness.sequence(
            """
            [{"type": "step", "id": "set", "handler": "set_state", "params": {"key": "k", "value": {"n": 1}}},
             {"type": "step", "id": "merge", "handler": "merge_state", "params": {"values": {"a": 1, "b": 2}}},
             {"type": "step", "id": "del", "handler": "delete_state", "params": {"key": "a"}},
             {"type": "step", "id": "get", "handler": "get_state", "params": {"key": "k"}},
             {"type": "step", "id": "read", "handler": "transform", "params": {"b": "{{state.b}}"}}]
            """
        )
        let id = try await harness.withEngine { engine in
            let id = try await harness.start(sequence, engine: engine)
            try await harness.waitFor(id, .completed)
            return id
        }
        #expect(try await harness.store.stateValues(instanceID: id) == ["k": ["n": 1], "b": 2])
        let outputs = try await harness.realOutputs(id)
        #expect(outputs[3].output == ["key": "k", "value": ["n": 1]])
        #expect(outputs[4].output == ["b": 2])
    }
}
