import Foundation
import Logging
import Orch8Core
import Orch8Plugins

/// Where a step stands after the engine ran (or tried to run) it once.
enum StepOutcome: Sendable {
    /// Its output is recorded in the pending update.
    case finished
    /// Its `when` guard was false (a skip marker is recorded).
    case skipped
    /// It failed for good; the caller records the failure (a node or the whole instance).
    /// `cost` is what a failed plugin call cost, kept on the error row.
    case failed(String, attempt: UInt32, details: JSON?, cost: JSON? = nil)
    /// It failed and runs again at `until` (the retry marker is recorded).
    case retry(until: Date)
    /// It waits: for a timer until `until`, or for a worker, a child instance or a human (nil).
    case wait(until: Date?)
    /// An error that fails the whole instance, whatever encloses the step (ORCH8-SPEC §7.7).
    case abort(String)
    /// The engine is stopping: the step's result is not recorded.
    case interrupted
}

/// A handler call, with everything it needs copied out of the run so that calls of several steps
/// can run at once.
struct StepCall: Sendable {
    enum Dispatch: Sendable {
        case builtin(any StepHandler)
        case plugin(PluginHost)
    }

    var dispatch: Dispatch
    var invocation: StepInvocation
    var timeout: Duration?
    /// Told how long the call took (and, for plugins, what it cost).
    var metrics: EngineMetrics

    func run() async -> Result<StepResult, StepFailure> {
        let started = ContinuousClock.now
        let result: Result<StepResult, StepFailure> =
            switch dispatch {
            case .builtin(let handler): await Self.call(handler, invocation, timeout: timeout)
            // The plugin host enforces the time limit itself (a guest cannot be interrupted).
            case .plugin(let plugins): await plugins.run(invocation, timeout: timeout, observer: metrics)
            }
        metrics.stepCalled(for: ContinuousClock.now - started)
        return result
    }

    private static func call(
        _ handler: any StepHandler,
        _ invocation: StepInvocation,
        timeout: Duration?
    ) async -> Result<StepResult, StepFailure> {
        guard let timeout else { return await invoke(handler, invocation) }
        return await withTaskGroup(of: Result<StepResult, StepFailure>?.self) { group in
            group.addTask { await invoke(handler, invocation) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return nil }
                return .failure(.retryable("step timed out after \(timeout.milliseconds) ms"))
            }
            for await result in group {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return .failure(.retryable("step cancelled"))
        }
    }

    private static func invoke(
        _ handler: any StepHandler,
        _ invocation: StepInvocation
    ) async -> Result<StepResult, StepFailure> {
        do throws(StepFailure) {
            return .success(try await handler.run(invocation))
        } catch {
            return .failure(error)
        }
    }
}

/// A step after its pipeline up to dispatch (ORCH8-SPEC §7.3): settled already, or a call to make.
enum PreparedStep {
    case done(StepOutcome)
    case call(StepCall)
}

extension InstanceRun {
    /// The pipeline of ORCH8-SPEC §7.3 up to the handler call: `when`, delay, back-off, attempt,
    /// human gate, templates, dispatch. Worker steps and `sleep` settle here.
    mutating func prepareStep(_ step: CompiledSequence.Step) async throws -> PreparedStep {
        let definition = step.definition
        let id = definition.id
        let now = engine.now()

        if let when = step.when {
            switch when {
            case .failure(let error):
                return .done(.abort("when guard on step '\(id)' failed to parse: \(error)"))
            case .success(let expression):
                if !expression.isTrue(in: scope(withOutputs: true)) {
                    append(
                        blockID: id,
                        output: ["_skipped": true, "reason": "when"],
                        ref: Self.skippedMarker,
                        attempt: 0
                    )
                    return .done(.skipped)
                }
            }
        }

        if let delay = definition.delay,
            let until = timer(Self.delayKey(id), duration: delay.duration.value, now: now), until > now
        {
            return .done(.wait(until: until))
        }
        if let until = instance.metadata[Self.retryKey(id)]?.stringValue.flatMap(RFC3339.parse) {
            if until > now { return .done(.wait(until: until)) }
            removeMetadata(Self.retryKey(id))
        }

        let attempt = nextAttempt(for: id)
        if instance.context.runtime.currentStep != id {
            instance.context.runtime.currentStep = id
            instance.context.runtime.currentStepStartedAt = now
        }
        instance.context.runtime.attempt = attempt

        if let gate = definition.waitForInput, !gateAnswered(id) {
            if let waiting = humanGate(gate, of: id, now: now) { return .done(waiting) }
        }

        if definition.handler == "sleep" { return .done(sleep(step, attempt: attempt, now: now)) }

        let params: JSON
        do throws(TemplateError) {
            params = try step.params.render(in: scope(withOutputs: true))
        } catch {
            return .done(.failed("block `\(id)`: \(error)", attempt: attempt, details: nil))
        }

        let timeout = definition.timeout.map { Duration.milliseconds(Int64(clamping: $0.value)) }
        let dispatch: StepCall.Dispatch
        if let handler = engine.handlers[definition.handler] {
            dispatch = .builtin(handler)
        } else if PluginHost.handles(definition.handler), let plugins = engine.plugins {
            dispatch = .plugin(plugins)
        } else if Self.isExternal(definition.handler) {
            return .done(workerStep(step, params: params, attempt: attempt))
        } else {
            return .done(
                .failed("block `\(id)`: handler not found: \(definition.handler)", attempt: attempt, details: nil)
            )
        }
        let invocation = StepInvocation(
            instanceID: instance.id,
            tenantID: instance.tenantID,
            blockID: id,
            handler: definition.handler,
            params: params,
            context: filteredContext(definition.contextAccess),
            attempt: attempt,
            state: kv
        )
        return .call(StepCall(dispatch: dispatch, invocation: invocation, timeout: timeout, metrics: engine.metrics))
    }

    /// Records what a handler call returned.
    mutating func finishStep(
        _ step: CompiledSequence.Step,
        attempt: UInt32,
        result: Result<StepResult, StepFailure>
    ) -> StepOutcome {
        switch result {
        case .success(let result):
            succeed(step.definition.id, result: result, attempt: attempt)
            return .finished
        case .failure(let failure):
            if Task.isCancelled { return .interrupted }
            return handleFailure(failure, of: step, attempt: attempt)
        }
    }

    /// Retries a failed step after its back-off when its policy allows, else fails it for good.
    mutating func handleFailure(
        _ failure: StepFailure,
        of step: CompiledSequence.Step,
        attempt: UInt32
    ) -> StepOutcome {
        let definition = step.definition
        let id = definition.id
        let decision = RetryDecision.decide(
            failure,
            attempt: attempt,
            policy: definition.retry,
            retryIf: step.retryIf,
            scope: scope(withOutputs: false)
        )
        engine.metrics.stepExecuted()
        switch decision {
        case .retry(let backoff):
            var marker: [String: JSON] = ["message": .string(failure.message), "retryable": true]
            if let details = failure.details { marker["details"] = details }
            append(blockID: id, output: .object(marker), ref: OutputMarker.retry, attempt: attempt, cost: failure.cost)
            engine.metrics.stepRetried()
            engine.logger.info(
                "step failed, retrying",
                metadata: logMetadata([
                    "block_id": "\(id)", "handler": "\(definition.handler)", "attempt": "\(attempt)",
                    "error": "\(failure.message)",
                ])
            )
            let until = engine.now().addingTimeInterval(backoff.seconds)
            setMetadata(Self.retryKey(id), .string(RFC3339.format(until)))
            return .retry(until: until)
        case .fail(let message):
            return .failed("block `\(id)`: \(message)", attempt: attempt, details: failure.details, cost: failure.cost)
        }
    }

    /// Whether `handler` goes to external workers: not a built-in and not a plugin scheme (PLUGINS.md §1).
    static func isExternal(_ handler: String) -> Bool {
        !handler.contains("://")
    }

    /// A step for external workers: hands out a task for this attempt and waits for it, holding
    /// nothing in memory; once a worker reported, takes its result (ORCH8-SPEC §6).
    private mutating func workerStep(_ step: CompiledSequence.Step, params: JSON, attempt: UInt32) -> StepOutcome {
        let definition = step.definition
        let id = definition.id
        if let task = workerTasks[id], task.attempt == attempt {
            switch task.state {
            case .pending, .claimed:
                return .wait(until: nil)
            case .completed:
                let output = task.output ?? .null
                // Only a worker's object output is merged into the data, as the original does.
                if case .object(let fields) = output { instance.context.merge(data: fields) }
                succeed(id, result: StepResult(output: output), attempt: attempt)
                return .finished
            case .failed:
                let message = task.errorMessage ?? "worker task failed"
                let failure: StepFailure = task.errorRetryable == true ? .retryable(message) : .permanent(message)
                return handleFailure(failure, of: step, attempt: attempt)
            }
        }
        let now = engine.now()
        let task = WorkerTask(
            id: UUIDv7.generate(now: now),
            instanceID: instance.id,
            blockID: id,
            handlerName: definition.handler,
            queueName: definition.queueName,
            params: params,
            context: filteredContext(definition.contextAccess),
            attempt: attempt,
            timeoutMS: definition.timeout?.value,
            createdAt: now
        )
        update.workerTasks.append(task)
        // A step that waits is prepared again (the next claim, a tree pass): it finds its task.
        workerTasks[id] = task
        return .wait(until: nil)
    }

    /// The built-in `sleep` as a durable timer: the instance is parked until it is due, holding
    /// nothing in memory, and a pause or cancel signal wakes it at once.
    private mutating func sleep(_ step: CompiledSequence.Step, attempt: UInt32, now: Date) -> StepOutcome {
        let params = (try? step.params.render(in: scope(withOutputs: true))) ?? .null
        let requested = params["duration_ms"] ?? params["duration"]
        guard let milliseconds = requested.map({ $0.intValue }) ?? 100, milliseconds >= 0 else {
            return .failed(
                "block `\(step.definition.id)`: sleep: params.duration_ms must be a non-negative integer",
                attempt: attempt,
                details: nil
            )
        }
        let key = Self.sleepKey(step.definition.id)
        if let until = timer(key, duration: UInt64(milliseconds), now: now), until > now {
            return .wait(until: until)
        }
        removeMetadata(key)
        succeed(step.definition.id, result: StepResult(output: ["slept_ms": .int(milliseconds)]), attempt: attempt)
        return .finished
    }
}
