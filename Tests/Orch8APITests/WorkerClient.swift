import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// A worker as the tests drive it: polls, completes, fails and heartbeats over the REST API.
struct WorkerClient: Sendable {
    let api: APIClient
    let id: String

    /// `POST /workers/tasks/poll`; the leased tasks.
    func poll(_ handler: String, limit: Int = 1, waitMS: Int? = nil) async throws -> [JSON] {
        let wait = waitMS.map { #", "wait_ms": \#($0)"# } ?? ""
        let reply = try await api.send(
            .post,
            "/workers/tasks/poll",
            #"{"handler_name": "\#(handler)", "worker_id": "\#(id)", "limit": \#(limit)\#(wait)}"#
        )
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.json.arrayValue ?? []
    }

    /// Polls until a task arrives (10 s at most).
    func pollOne(_ handler: String) async throws -> JSON {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let task = try await poll(handler).first { return task }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("no \(handler) task arrived")
        return .null
    }

    func complete(_ task: JSON, output: String = "{}", epoch: Bool = true) async throws -> Reply {
        try await report(task, "complete", #""output": \#(output)"#, epoch: epoch)
    }

    func fail(_ task: JSON, message: String, retryable: Bool) async throws -> Reply {
        try await report(task, "fail", #""message": "\#(message)", "retryable": \#(retryable)"#, epoch: true)
    }

    func heartbeat(_ task: JSON, extra: String = "") async throws -> Reply {
        try await report(task, "heartbeat", extra.isEmpty ? nil : extra, epoch: true)
    }

    private func report(_ task: JSON, _ verb: String, _ members: String?, epoch: Bool) async throws -> Reply {
        let taskID = task["id"]?.stringValue ?? "missing"
        var body = #"{"worker_id": "\#(id)""#
        if epoch, let claim = task["claim_epoch"]?.intValue { body += #", "claim_epoch": \#(claim)"# }
        if let members { body += ", " + members }
        body += "}"
        return try await api.send(.post, "/workers/tasks/\(taskID)/\(verb)", body)
    }
}

extension APIClient {
    /// `GET /workers/tasks` with `query` (e.g. `instance_id=…`).
    func workerTasks(_ query: String = "") async throws -> [JSON] {
        let reply = try await send(.get, "/workers/tasks" + (query.isEmpty ? "" : "?" + query))
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.json.arrayValue ?? []
    }

    /// The one task of `instance`.
    func task(of instance: UUID) async throws -> JSON {
        try await workerTasks("instance_id=\(instance.wire)").first ?? .null
    }

    /// The event names of a task's lease history.
    func events(_ task: JSON) async throws -> [String] {
        let reply = try await send(.get, "/workers/tasks/\(task["id"]?.stringValue ?? "")/attempts")
        #expect(reply.status == .ok, "\(reply.text)")
        return (reply.json.arrayValue ?? []).compactMap { $0["event"]?.stringValue }
    }

    /// Waits until `condition` holds of the instance's task (10 s at most).
    func waitForTask(of instance: UUID, _ condition: (JSON) -> Bool) async throws -> JSON {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let task = try await task(of: instance)
            if condition(task) { return task }
            if ContinuousClock.now > deadline {
                Issue.record("task never reached the expected state: \(task)")
                return task
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }
}
