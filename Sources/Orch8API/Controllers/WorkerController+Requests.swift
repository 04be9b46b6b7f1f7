import Orch8Core

extension WorkerController {
    /// The body of `POST /workers/tasks/poll` and `/poll/queue`.
    struct PollRequest: Decodable {
        var handlerName: String
        var workerID: String
        var queueName: String?
        var limit: Int?
        var version: String?
        /// Long-poll: wait up to this long for a task when none is pending (our improvement 2).
        var waitMS: Int?

        enum CodingKeys: String, CodingKey {
            case handlerName = "handler_name"
            case workerID = "worker_id"
            case queueName = "queue_name"
            case limit
            case version
            case waitMS = "wait_ms"
        }
    }

    /// The body of `POST /workers/tasks/{id}/complete`.
    struct CompleteRequest: Decodable {
        var workerID: String
        var claimEpoch: Int64?
        var output: JSON?
        var logs: JSON?

        enum CodingKeys: String, CodingKey {
            case workerID = "worker_id"
            case claimEpoch = "claim_epoch"
            case output
            case logs
        }
    }

    /// The body of `POST /workers/tasks/{id}/fail`.
    struct FailRequest: Decodable {
        var workerID: String
        var claimEpoch: Int64?
        var message: String
        var retryable: Bool?
        var logs: JSON?

        enum CodingKeys: String, CodingKey {
            case workerID = "worker_id"
            case claimEpoch = "claim_epoch"
            case message
            case retryable
            case logs
        }
    }

    /// The body of `POST /workers/tasks/{id}/heartbeat`.
    struct HeartbeatRequest: Decodable {
        var workerID: String
        var claimEpoch: Int64?
        var checkpoint: JSON?
        var checkpointSeq: Int64?

        enum CodingKeys: String, CodingKey {
            case workerID = "worker_id"
            case claimEpoch = "claim_epoch"
            case checkpoint
            case checkpointSeq = "checkpoint_seq"
        }
    }

    /// Most tasks one poll leases.
    static let maxPollLimit = 1000
    /// Longest long-poll.
    static let maxWaitMS = 30_000
    /// Largest heartbeat checkpoint, serialized.
    static let maxCheckpointBytes = 256 * 1024

    /// Checks a poll's values.
    /// - Throws: ``APIError/invalidArgument(_:)`` naming the field.
    static func check(_ poll: PollRequest, needsQueue: Bool) throws(APIError) {
        if poll.handlerName.isEmpty { throw .invalidArgument("handler_name must not be empty") }
        if poll.workerID.isEmpty { throw .invalidArgument("worker_id must not be empty") }
        if needsQueue, poll.queueName?.isEmpty ?? true {
            throw .invalidArgument("queue_name is required to poll a queue")
        }
        if let limit = poll.limit, !(1...maxPollLimit).contains(limit) {
            throw .invalidArgument("limit must be between 1 and \(maxPollLimit), got \(limit)")
        }
        if let wait = poll.waitMS, !(0...maxWaitMS).contains(wait) {
            throw .invalidArgument("wait_ms must be between 0 and \(maxWaitMS), got \(wait)")
        }
    }

    /// Checks the worker id of a complete, fail or heartbeat.
    static func checkWorker(_ workerID: String) throws(APIError) {
        if workerID.isEmpty { throw .invalidArgument("worker_id must not be empty") }
    }
}
