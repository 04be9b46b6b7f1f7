import Foundation

extension WorkerTask: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case instanceID = "instance_id"
        case blockID = "block_id"
        case handlerName = "handler_name"
        case queueName = "queue_name"
        case params
        case context
        case attempt
        case timeoutMS = "timeout_ms"
        case state
        case workerID = "worker_id"
        case claimedAt = "claimed_at"
        case heartbeatAt = "heartbeat_at"
        case claimEpoch = "claim_epoch"
        case resumeCheckpoint = "resume_checkpoint"
        case checkpointSeq = "checkpoint_seq"
        case completedAt = "completed_at"
        case output
        case errorMessage = "error_message"
        case errorRetryable = "error_retryable"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        instanceID = try c.decode(UUID.self, forKey: .instanceID)
        blockID = try c.decode(String.self, forKey: .blockID)
        handlerName = try c.decode(String.self, forKey: .handlerName)
        queueName = try c.decodeIfPresent(String.self, forKey: .queueName)
        params = try c.decode(.params, default: .null)
        context = try c.decode(.context, default: ExecutionContext())
        attempt = try c.decode(.attempt, default: 0)
        timeoutMS = try c.decodeIfPresent(UInt64.self, forKey: .timeoutMS)
        state = try c.decode(WorkerTaskState.self, forKey: .state)
        workerID = try c.decodeIfPresent(String.self, forKey: .workerID)
        claimedAt = try c.decodeIfPresent(Date.self, forKey: .claimedAt)
        heartbeatAt = try c.decodeIfPresent(Date.self, forKey: .heartbeatAt)
        claimEpoch = try c.decode(.claimEpoch, default: 0)
        resumeCheckpoint = try Self.nonNull(c.decodeIfPresent(JSON.self, forKey: .resumeCheckpoint))
        checkpointSeq = try c.decode(.checkpointSeq, default: 0)
        completedAt = try c.decodeIfPresent(Date.self, forKey: .completedAt)
        output = try Self.nonNull(c.decodeIfPresent(JSON.self, forKey: .output))
        errorMessage = try c.decodeIfPresent(String.self, forKey: .errorMessage)
        errorRetryable = try c.decodeIfPresent(Bool.self, forKey: .errorRetryable)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
    }

    /// Writes the always-present fields (nulls included) and omits `queue_name` and
    /// `resume_checkpoint` when unset.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(instanceID, forKey: .instanceID)
        try c.encode(blockID, forKey: .blockID)
        try c.encode(handlerName, forKey: .handlerName)
        try c.encodeIfPresent(queueName, forKey: .queueName)
        try c.encode(params, forKey: .params)
        try c.encode(context, forKey: .context)
        try c.encode(attempt, forKey: .attempt)
        try c.encodeOrNull(timeoutMS, forKey: .timeoutMS)
        try c.encode(state, forKey: .state)
        try c.encodeOrNull(workerID, forKey: .workerID)
        try c.encodeOrNull(claimedAt, forKey: .claimedAt)
        try c.encodeOrNull(heartbeatAt, forKey: .heartbeatAt)
        try c.encode(claimEpoch, forKey: .claimEpoch)
        try c.encodeIfPresent(resumeCheckpoint, forKey: .resumeCheckpoint)
        try c.encode(checkpointSeq, forKey: .checkpointSeq)
        try c.encodeOrNull(completedAt, forKey: .completedAt)
        try c.encodeOrNull(output, forKey: .output)
        try c.encodeOrNull(errorMessage, forKey: .errorMessage)
        try c.encodeOrNull(errorRetryable, forKey: .errorRetryable)
        try c.encode(createdAt, forKey: .createdAt)
    }

    // On this resource null and absent mean the same (no output yet), so both read as nil and the
    // value round-trips.
    private static func nonNull(_ value: JSON?) -> JSON? {
        value?.isNull == false ? value : nil
    }
}
