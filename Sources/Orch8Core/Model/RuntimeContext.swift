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

extension RuntimeContext: Decodable {
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
}

extension RuntimeContext: JSONValueRepresentable {
    /// Null for the always-present fields; `instance_id` and `run_id` left out when unset, as the
    /// original engine writes them.
    public var jsonValue: JSON {
        func text(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
        func time(_ value: Date?) -> JSON { value.map { .string(RFC3339.format($0)) } ?? .null }
        var members: [String: JSON] = [
            CodingKeys.currentStep.rawValue: text(currentStep),
            CodingKeys.attempt.rawValue: .int(Int64(attempt)),
            CodingKeys.startedAt.rawValue: time(startedAt),
            CodingKeys.currentStepStartedAt.rawValue: time(currentStepStartedAt),
            CodingKeys.resourceKey.rawValue: text(resourceKey),
            CodingKeys.totalStepsExecuted.rawValue: Int64(exactly: totalStepsExecuted).map(JSON.int)
                ?? .double(Double(totalStepsExecuted)),
            CodingKeys.dryRun.rawValue: .bool(dryRun),
            CodingKeys.dryRunAutoApprove.rawValue: .bool(dryRunAutoApprove),
        ]
        if let instanceID { members[CodingKeys.instanceID.rawValue] = .string(instanceID.lowercasedText) }
        if let runID { members[CodingKeys.runID.rawValue] = .string(runID.lowercasedText) }
        return .object(members)
    }
}
