public import Foundation

/// Runs one step: a built-in, a plugin, or anything else the engine dispatches to (DESIGN.md §2).
/// Handlers know nothing of sequences: they get resolved params and a filtered context, and return
/// JSON or a classified failure.
public protocol StepHandler: Sendable {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult
}

/// What a handler gets for one execution.
public struct StepInvocation: Sendable {
    public var instanceID: UUID
    public var tenantID: String
    public var blockID: String
    /// The handler name as the step spells it.
    public var handler: String
    /// The step's params after template resolution.
    public var params: JSON
    /// The instance's context, filtered by the step's `context_access`.
    public var context: ExecutionContext
    /// 0 for the first execution, one more for each retry.
    public var attempt: UInt32
    /// The instance's KV state as it was when the step started.
    public var state: [String: JSON]
    /// When the engine stops waiting for this execution.
    public var deadline: ContinuousClock.Instant?

    public init(
        instanceID: UUID,
        tenantID: String,
        blockID: String,
        handler: String,
        params: JSON,
        context: ExecutionContext,
        attempt: UInt32,
        state: [String: JSON] = [:],
        deadline: ContinuousClock.Instant? = nil
    ) {
        self.instanceID = instanceID
        self.tenantID = tenantID
        self.blockID = blockID
        self.handler = handler
        self.params = params
        self.context = context
        self.attempt = attempt
        self.state = state
        self.deadline = deadline
    }
}

/// A successful execution: the output, and the KV writes that commit with it.
public struct StepResult: Sendable, Equatable {
    public var output: JSON
    /// A value sets the key, nil deletes it.
    public var stateWrites: [String: JSON?]
    /// What the call cost, stored with the output row (``BlockOutput/cost``): plugins set it.
    public var cost: JSON?

    public init(output: JSON, stateWrites: [String: JSON?] = [:], cost: JSON? = nil) {
        self.output = output
        self.stateWrites = stateWrites
        self.cost = cost
    }
}

/// A failed execution. Retryable failures go through the step's `retry` policy; permanent ones fail
/// the step at once (ORCH8-SPEC §7.4).
public struct StepFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var retryable: Bool
    /// Structured detail (`{"status": 503, "body": …}`), matched by `non_retryable_codes`.
    public var details: JSON?
    /// The least wait before a retry that the other side asked for (an HTTP `retry-after`); the
    /// retry policy's back-off applies when it is longer.
    public var retryAfter: Duration?
    /// What the failed call cost, stored with its retry or error row like a success's
    /// (``StepResult/cost``): plugins set it, so that a failing plugin's cost is not lost.
    public var cost: JSON?

    public init(
        _ message: String,
        retryable: Bool,
        details: JSON? = nil,
        retryAfter: Duration? = nil,
        cost: JSON? = nil
    ) {
        self.message = message
        self.retryable = retryable
        self.details = details
        self.retryAfter = retryAfter
        self.cost = cost
    }

    public static func permanent(_ message: String, details: JSON? = nil) -> StepFailure {
        StepFailure(message, retryable: false, details: details)
    }

    public static func retryable(_ message: String, details: JSON? = nil, after: Duration? = nil) -> StepFailure {
        StepFailure(message, retryable: true, details: details, retryAfter: after)
    }

    public var description: String { message }
}
