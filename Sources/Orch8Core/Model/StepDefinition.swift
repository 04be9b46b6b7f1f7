/// A `step` block: runs one handler (ORCH8-SPEC §2.3).
///
/// Every field of the wire format is here, including those whose execution comes later (delay, send
/// window, deadlines, compensation), so that definitions round-trip without loss.
public struct StepDefinition: Sendable, Hashable {
    /// Block id, unique in the sequence.
    public var id: String
    /// A built-in name, `wasm://…`, `grpc://…`, `grpcs://…`, `ap://…`, or anything else for workers.
    public var handler: String
    /// Templated params; default null.
    public var params: JSON
    /// Retry policy; nil means any failure is terminal.
    public var retry: RetryPolicy?
    /// Per-attempt time limit (in-process timer; `timeout_ms` for worker tasks).
    public var timeout: Milliseconds?
    /// Durable wait before the step.
    public var delay: DelaySpec?
    /// Hours and weekdays the step may run in.
    public var sendWindow: SendWindow?
    /// Key of a fixed-window rate limit (per tenant).
    public var rateLimitKey: String?
    /// Worker queue.
    public var queueName: String?
    /// Guard expression; false skips the step.
    public var when: String?
    /// Whether a cancel signal may cancel the running step; default true.
    public var cancellable: Bool
    /// Human gate before the handler.
    public var waitForInput: WaitForInput?
    /// What of the context the handler sees.
    public var contextAccess: ContextAccess?
    /// Hard SLA measured from the first attempt.
    public var deadline: Milliseconds?
    /// Escalation when `deadline` is exceeded.
    public var onDeadlineBreach: DeadlineBreachHandler?
    /// Handler used while the circuit breaker of `handler` is open.
    public var fallbackHandler: String?
    /// Templated key under which the output is cached in the instance.
    public var cacheKey: String?
    /// JSON Schema the output must satisfy.
    public var outputSchema: JSON?
    /// How to undo the step (exotic).
    public var compensation: CompensationSpec?

    /// Creates a step; every optional field defaults as when absent from the JSON.
    public init(
        id: String,
        handler: String,
        params: JSON = .null,
        retry: RetryPolicy? = nil,
        timeout: Milliseconds? = nil,
        delay: DelaySpec? = nil,
        sendWindow: SendWindow? = nil,
        rateLimitKey: String? = nil,
        queueName: String? = nil,
        when: String? = nil,
        cancellable: Bool = true,
        waitForInput: WaitForInput? = nil,
        contextAccess: ContextAccess? = nil,
        deadline: Milliseconds? = nil,
        onDeadlineBreach: DeadlineBreachHandler? = nil,
        fallbackHandler: String? = nil,
        cacheKey: String? = nil,
        outputSchema: JSON? = nil,
        compensation: CompensationSpec? = nil
    ) {
        self.id = id
        self.handler = handler
        self.params = params
        self.retry = retry
        self.timeout = timeout
        self.delay = delay
        self.sendWindow = sendWindow
        self.rateLimitKey = rateLimitKey
        self.queueName = queueName
        self.when = when
        self.cancellable = cancellable
        self.waitForInput = waitForInput
        self.contextAccess = contextAccess
        self.deadline = deadline
        self.onDeadlineBreach = onDeadlineBreach
        self.fallbackHandler = fallbackHandler
        self.cacheKey = cacheKey
        self.outputSchema = outputSchema
        self.compensation = compensation
    }
}

extension StepDefinition: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case handler
        case params
        case retry
        case timeout
        case delay
        case sendWindow = "send_window"
        case rateLimitKey = "rate_limit_key"
        case queueName = "queue_name"
        case when
        case cancellable
        case waitForInput = "wait_for_input"
        case contextAccess = "context_access"
        case deadline
        case onDeadlineBreach = "on_deadline_breach"
        case fallbackHandler = "fallback_handler"
        case cacheKey = "cache_key"
        case outputSchema = "output_schema"
        case compensation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        handler = try c.decode(String.self, forKey: .handler)
        params = try c.decode(.params, default: .null)
        retry = try c.decodeIfPresent(RetryPolicy.self, forKey: .retry)
        timeout = try c.decodeIfPresent(Milliseconds.self, forKey: .timeout)
        delay = try c.decodeIfPresent(DelaySpec.self, forKey: .delay)
        sendWindow = try c.decodeIfPresent(SendWindow.self, forKey: .sendWindow)
        rateLimitKey = try c.decodeIfPresent(String.self, forKey: .rateLimitKey)
        queueName = try c.decodeIfPresent(String.self, forKey: .queueName)
        when = try c.decodeIfPresent(String.self, forKey: .when)
        cancellable = try c.decode(.cancellable, default: true)
        waitForInput = try c.decodeIfPresent(WaitForInput.self, forKey: .waitForInput)
        contextAccess = try c.decodeIfPresent(ContextAccess.self, forKey: .contextAccess)
        deadline = try c.decodeIfPresent(Milliseconds.self, forKey: .deadline)
        onDeadlineBreach = try c.decodeIfPresent(DeadlineBreachHandler.self, forKey: .onDeadlineBreach)
        fallbackHandler = try c.decodeIfPresent(String.self, forKey: .fallbackHandler)
        cacheKey = try c.decodeIfPresent(String.self, forKey: .cacheKey)
        // A JSON field keeps an explicit null; an absent schema stays nil so it is not written back.
        outputSchema = try c.decodeIfPresent(JSON.self, forKey: .outputSchema)
        compensation = try c.decodeIfPresent(CompensationSpec.self, forKey: .compensation)
    }
}
