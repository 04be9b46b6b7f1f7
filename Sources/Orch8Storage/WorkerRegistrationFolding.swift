import Foundation
import Orch8Core

/// `worker_registrations` rows (one per worker, handler and queue, oldest first within a worker),
/// read by either store, folded into one registration per worker.
enum WorkerRegistrationFolding {
    struct Row {
        var worker: String
        var handler: String
        var queue: String
        var version: String?
        var seenAt: Date
        var inFlight: Int
    }

    static func registrations(_ rows: [Row]) -> [WorkerRegistration] {
        var workers: [String: WorkerRegistration] = [:]
        var order: [String] = []
        for row in rows {
            if var known = workers[row.worker] {
                if !known.handlers.contains(row.handler) { known.handlers.append(row.handler) }
                if !row.queue.isEmpty, !known.queues.contains(row.queue) { known.queues.append(row.queue) }
                // Rows come oldest first: the last one seen carries the current version.
                known.version = row.version
                known.lastSeenAt = max(known.lastSeenAt, row.seenAt)
                workers[row.worker] = known
            } else {
                order.append(row.worker)
                workers[row.worker] = WorkerRegistration(
                    workerID: row.worker,
                    handlers: [row.handler],
                    queues: row.queue.isEmpty ? [] : [row.queue],
                    version: row.version,
                    lastSeenAt: row.seenAt,
                    inFlight: row.inFlight
                )
            }
        }
        return order.compactMap { workers[$0] }.map { worker in
            var worker = worker
            worker.handlers.sort()
            worker.queues.sort()
            return worker
        }
    }
}
