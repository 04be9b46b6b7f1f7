import Foundation
import Logging
import Orch8Core

/// `noop`: does nothing, outputs `{}`.
struct NoopHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        StepResult(output: .emptyObject)
    }
}

/// `log`: writes `message` to the engine's log at `level` and outputs `{"message": …}`.
struct LogHandler: StepHandler {
    private static let logger = Logger(label: "orch8.handler.log")

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = Params(invocation)
        let message = params["message"] ?? "no message"
        let name = try params.string("level", default: "info")
        let level: Logger.Level =
            switch name {
            case "debug": .debug
            case "warn", "warning": .warning
            case "error": .error
            default: .info
            }
        let text = message.stringValue ?? message.serialized()
        Self.logger.log(
            level: level,
            "\(text)",
            metadata: invocation.logMetadata()
        )
        return StepResult(output: ["message": message, "level": .string(name)])
    }
}

/// `fail`: always fails, permanently unless `retryable` is true. Useful to test retry policies and
/// failure paths.
struct FailHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = Params(invocation)
        let message = try params.string("message", default: "forced failure")
        throw StepFailure(message, retryable: try params.bool("retryable", default: false), details: params["details"])
    }
}

/// `transform`: outputs its params, already template-resolved: the way to reshape data between
/// steps.
struct TransformHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        StepResult(output: invocation.params)
    }
}

/// `assert`: fails permanently unless `condition` holds. A string condition is an expression
/// evaluated against the step's context (no outputs, ORCH8-SPEC §3.2); any other value (a template
/// already resolved to a boolean, say) is judged by its truthiness.
struct AssertHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = Params(invocation)
        guard let condition = params["condition"] else {
            throw .permanent("assert: params.condition is required")
        }
        let message = try params.string("message", default: "assertion failed")
        let passed: Bool
        if case .string(let text) = condition {
            let scope = EvaluationScope(
                data: invocation.context.data,
                config: invocation.context.config,
                state: .object(invocation.state),
                instanceID: invocation.instanceID.lowercasedText
            )
            passed = Orch8Core.Expression(lenient: text).isTrue(in: scope)
        } else {
            passed = condition.isTruthy
        }
        guard passed else {
            let shown = condition.stringValue ?? condition.serialized()
            throw .permanent("assert: \(message) (condition: \(shown))")
        }
        return StepResult(output: ["condition": condition, "passed": true])
    }
}
