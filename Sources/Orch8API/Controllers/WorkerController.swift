import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

/// The external-worker task queue (ORCH8-SPEC §1.8, §6): polls that lease tasks (with an optional
/// long-poll), fenced complete / fail / heartbeat, and the listings operators read.
struct WorkerController {
    let store: any Store
    let engine: Engine
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("workers/tasks/poll") { request, context in try await poll(request, context, queue: false) }
        group.post("workers/tasks/poll/queue") { request, context in try await poll(request, context, queue: true) }
        group.post("workers/tasks/{id}/complete", use: complete)
        group.post("workers/tasks/{id}/fail", use: fail)
        group.post("workers/tasks/{id}/heartbeat", use: heartbeat)
        group.get("workers/tasks", use: list)
        group.get("workers/tasks/stats", use: stats)
        group.get("workers/tasks/{id}/attempts", use: attempts)
        group.get("workers", use: workers)
    }

    /// 200 with the leased tasks, `[]` when there are none (after `wait_ms` at most).
    @Sendable func poll(_ request: Request, _ context: APIRequestContext, queue: Bool) async throws -> Response {
        let body = try await request.decodeJSON(PollRequest.self, limit: configuration.maxBodyBytes)
        try Self.check(body, needsQueue: queue)
        let deadline = ContinuousClock.now + .milliseconds(body.waitMS ?? 0)
        while true {
            // Read before looking, so that a task created after the look still wakes the wait.
            let generation = engine.taskBell.generation
            let tasks = try await store.pollWorkerTasks(
                WorkerPoll(
                    handlerName: body.handlerName,
                    queueName: queue ? body.queueName : nil,
                    workerID: body.workerID,
                    tenantID: context.tenantID,
                    version: body.version,
                    limit: body.limit ?? 1,
                    now: Date()
                )
            )
            let remaining = deadline - .now
            if !tasks.isEmpty || remaining <= .zero || Task.isCancelled {
                return try .json(encoding: tasks)
            }
            await engine.taskBell.wait(after: generation, timeout: remaining)
        }
    }

    /// 200 with no body; the instance goes on at once.
    @Sendable func complete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.pathUUID()
        let body = try await request.decodeJSON(CompleteRequest.self, limit: configuration.maxBodyBytes)
        try Self.checkWorker(body.workerID)
        let fence = WorkerFence(workerID: body.workerID, claimEpoch: body.claimEpoch, tenantID: context.tenantID)
        return try finished(
            id,
            try await engine.report(WorkerReport(taskID: id, fence: fence, outcome: .completed(body.output ?? .null)))
        )
    }

    /// 200 with no body; the engine retries or fails the step.
    @Sendable func fail(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.pathUUID()
        let body = try await request.decodeJSON(FailRequest.self, limit: configuration.maxBodyBytes)
        try Self.checkWorker(body.workerID)
        let fence = WorkerFence(workerID: body.workerID, claimEpoch: body.claimEpoch, tenantID: context.tenantID)
        let outcome = WorkerReport.Outcome.failed(message: body.message, retryable: body.retryable ?? false)
        return try finished(id, try await engine.report(WorkerReport(taskID: id, fence: fence, outcome: outcome)))
    }

    private func finished(_ id: UUID, _ result: WorkerTaskMutation) throws -> Response {
        switch result {
        case .applied:
            return .empty(.ok)
        case .notFound:
            throw APIError.notFound("worker task \(id.wire)")
        case .conflict:
            throw APIError.conflict("worker task lease changed")
        }
    }

    /// 200 `{"checkpoint_seq": n}`.
    @Sendable func heartbeat(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.pathUUID()
        let body = try await request.decodeJSON(HeartbeatRequest.self, limit: configuration.maxBodyBytes)
        try Self.checkWorker(body.workerID)
        var checkpoint: WorkerCheckpoint?
        if let value = body.checkpoint, !value.isNull {
            guard let sequence = body.checkpointSeq else {
                throw APIError.invalidArgument("checkpoint_seq is required with a checkpoint")
            }
            let size = value.serialized().utf8.count
            guard size <= Self.maxCheckpointBytes else {
                throw APIError.payloadTooLarge(
                    "checkpoint is \(size) bytes, more than the \(Self.maxCheckpointBytes) allowed"
                )
            }
            checkpoint = WorkerCheckpoint(value: value, expectedSeq: sequence)
        }
        let fence = WorkerFence(workerID: body.workerID, claimEpoch: body.claimEpoch, tenantID: context.tenantID)
        switch try await store.heartbeatWorkerTask(id: id, fence: fence, checkpoint: checkpoint, now: Date()) {
        case .applied(let sequence):
            return .json(["checkpoint_seq": .int(sequence)])
        case .notFound:
            throw APIError.notFound("worker task \(id.wire)")
        case .conflict:
            throw APIError.conflict("worker task ownership or checkpoint sequence changed")
        }
    }

    /// A missing task, or one of another tenant, is reported missing.
    private func checkAccess(_ id: UUID, _ context: APIRequestContext) async throws {
        guard let task = try await store.workerTask(id: id) else { throw APIError.notFound("worker task \(id.wire)") }
        guard context.tenantID != nil else { return }
        guard let instance = try await store.instance(id: task.instanceID), context.tenancy.canAccess(instance.tenantID)
        else { throw APIError.notFound("worker task \(id.wire)") }
    }

    /// 200 with the matching tasks, newest first.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        var states: Set<WorkerTaskState>?
        if let text = query["state"] {
            states = []
            for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let state = WorkerTaskState(rawValue: name) else {
                    throw APIError.invalidArgument(
                        "query parameter `state`: unknown worker task state '\(name)', expected one of "
                            + WorkerTaskState.wireSpellings
                    )
                }
                states?.insert(state)
            }
        }
        let tasks = try await store.workerTasks(
            WorkerTaskQuery(
                tenantID: context.tenancy.listFilter(query: query["tenant_id"]),
                states: states,
                handlerName: query["handler_name"],
                workerID: query["worker_id"],
                queueName: query["queue_name"],
                instanceID: try query.uuid("instance_id"),
                limit: try query.count("limit", default: 50, maximum: 1000),
                offset: try query.count("offset", default: 0)
            )
        )
        return try .json(encoding: tasks)
    }

    /// 200 `{total, by_state: {state: n}, by_handler: {handler: {state: n}}}`, every state present.
    @Sendable func stats(_ request: Request, context: APIRequestContext) async throws -> Response {
        let counts = try await store.workerTaskCounts(
            tenantID: context.tenancy.listFilter(query: QueryParameters(request)["tenant_id"])
        )
        let zero = Dictionary(uniqueKeysWithValues: WorkerTaskState.allCases.map { ($0.rawValue, JSON.int(0)) })
        var byState = zero
        var byHandler: [String: [String: JSON]] = [:]
        var total: Int64 = 0
        for count in counts {
            let n = Int64(count.count)
            total += n
            byState[count.state.rawValue] = .int((byState[count.state.rawValue]?.intValue ?? 0) + n)
            byHandler[count.handlerName, default: zero][count.state.rawValue] = .int(n)
        }
        return .json([
            "total": .int(total),
            "by_state": .object(byState),
            "by_handler": .object(byHandler.mapValues { JSON.object($0) }),
        ])
    }

    /// 200 with the task's lease history, oldest first.
    @Sendable func attempts(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.pathUUID()
        let limit = try QueryParameters(request).count("limit", default: 100, maximum: 1000)
        try await checkAccess(id, context)
        return try .json(encoding: try await store.workerTaskEvents(taskID: id, limit: limit))
    }

    /// 200 `[{worker_id, handlers, queues, version, last_seen_at, alive, in_flight}]`.
    @Sendable func workers(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let window = try query.count("alive_within_secs", default: 60)
        let includeStale: Bool
        switch query["include_stale"] {
        case nil, "false", "0": includeStale = false
        case "true", "1": includeStale = true
        case let other?:
            throw APIError.invalidArgument("query parameter `include_stale`: expected true or false, found '\(other)'")
        }
        let now = Date()
        var rows: [JSON] = []
        for worker in try await store.workerRegistrations() {
            let alive = now.timeIntervalSince(worker.lastSeenAt) <= Double(window)
            guard alive || includeStale else { continue }
            rows.append([
                "worker_id": .string(worker.workerID),
                "handlers": .array(worker.handlers.map(JSON.string)),
                "queues": .array(worker.queues.map(JSON.string)),
                "version": worker.version.map(JSON.string) ?? .null,
                "last_seen_at": .string(RFC3339.format(worker.lastSeenAt)),
                "alive": .bool(alive),
                "in_flight": .int(Int64(worker.inFlight)),
            ])
        }
        return .json(.array(rows))
    }
}
