public import Foundation

/// Engine bookkeeping carried in `context.runtime` (ORCH8-SPEC §1.6).
public struct RuntimeContext: Sendable, Hashable {
    /// The block id of the step being run.
    public var currentStep: String?
    /// The current step's attempt number (0-based).
    public var attempt: UInt32
    /// When the current run started.
    public var startedAt: Date?
    /// When the current step was first reached (human-gate timeouts count from here).
    public var currentStepStartedAt: Date?
    /// The resource key the step holds, if any.
    public var resourceKey: String?
    /// The instance's own id, when the engine stamps it.
    public var instanceID: UUID?
    /// Steps executed so far, checked against `max_steps_per_instance`.
    public var totalStepsExecuted: UInt64
    /// Id of the current run; a retry from the DLQ assigns a new one.
    public var runID: UUID?
    /// Whether this is a dry run.
    public var dryRun: Bool
    /// Whether a dry run answers human gates with their first choice.
    public var dryRunAutoApprove: Bool

    /// Creates runtime bookkeeping; the defaults are those of a new instance.
    public init(
        currentStep: String? = nil,
        attempt: UInt32 = 0,
        startedAt: Date? = nil,
        currentStepStartedAt: Date? = nil,
        resourceKey: String? = nil,
        instanceID: UUID? = nil,
        totalStepsExecuted: UInt64 = 0,
        runID: UUID? = nil,
        dryRun: Bool = false,
        dryRunAutoApprove: Bool = false
    ) {
        self.currentStep = currentStep
        self.attempt = attempt
        self.startedAt = startedAt
        self.currentStepStartedAt = currentStepStartedAt
        self.resourceKey = resourceKey
        self.instanceID = instanceID
        self.totalStepsExecuted = totalStepsExecuted
        self.runID = runID
        self.dryRun = dryRun
        self.dryRunAutoApprove = dryRunAutoApprove
    }
}

extension RuntimeContext: Codable {
    enum CodingKeys: String, CodingKey {
        case currentStep = "current_step"
        case attempt
        case startedAt = "started_at"
        case currentStepStartedAt = "current_step_started_at"
        case resourceKey = "resource_key"
        case instanceID = "instance_id"
        case totalStepsExecuted = "total_steps_executed"
        case runID = "run_id"
        case dryRun = "dry_run"
        case dryRunAutoApprove = "dry_run_auto_approve"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        currentStep = try c.decodeIfPresent(String.self, forKey: .currentStep)
        attempt = try c.decode(.attempt, default: 0)
        startedAt = try c.decodeIfPresent(Date.self, forKey: .startedAt)
        currentStepStartedAt = try c.decodeIfPresent(Date.self, forKey: .currentStepStartedAt)
        resourceKey = try c.decodeIfPresent(String.self, forKey: .resourceKey)
        instanceID = try c.decodeIfPresent(UUID.self, forKey: .instanceID)
        totalStepsExecuted = try c.decode(.totalStepsExecuted, default: 0)
        runID = try c.decodeIfPresent(UUID.self, forKey: .runID)
        dryRun = try c.decode(.dryRun, default: false)
        dryRunAutoApprove = try c.decode(.dryRunAutoApprove, default: false)
    }

    /// Writes null for the always-present fields and omits `instance_id` and `run_id` when unset,
    /// as the original engine does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeOrNull(currentStep, forKey: .currentStep)
        try c.encode(attempt, forKey: .attempt)
        try c.encodeOrNull(startedAt, forKey: .startedAt)
        try c.encodeOrNull(currentStepStartedAt, forKey: .currentStepStartedAt)
        try c.encodeOrNull(resourceKey, forKey: .resourceKey)
        try c.encodeIfPresent(instanceID, forKey: .instanceID)
        try c.encode(totalStepsExecuted, forKey: .totalStepsExecuted)
        try c.encodeIfPresent(runID, forKey: .runID)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(dryRunAutoApprove, forKey: .dryRunAutoApprove)
    }
}
