import Foundation
import Orch8Core

/// A claim's rows, read by either store, grouped by instance and handed out in claim order.
enum ClaimAssembly {
    static func claimed(
        instances: [InstanceColumns],
        outputs outputRows: [OutputColumns],
        signals signalRows: [SignalColumns],
        state stateRows: [StateColumns],
        tasks taskList: [WorkerTask],
        nodes nodeRows: [NodeColumns]
    ) throws -> [ClaimedInstance] {
        var outputs: [String: [BlockOutput]] = [:]
        for row in outputRows { outputs[row.instanceID, default: []].append(try row.decode()) }
        var signals: [String: [Signal]] = [:]
        for row in signalRows { signals[row.instanceID, default: []].append(try row.decode()) }
        var state: [String: [String: JSON]] = [:]
        for row in stateRows { state[row.instanceID, default: [:]][row.key] = try JSON.parse(row.value) }
        var tasks: [String: [WorkerTask]] = [:]
        for task in taskList { tasks[task.instanceID.lowercasedText, default: []].append(task) }
        var nodes: [String: [ExecutionNode]] = [:]
        for row in nodeRows { nodes[row.instanceID, default: []].append(try row.decode()) }
        // RETURNING gives no order: hand instances out in claim order.
        let ordered = instances.sorted { a, b in
            a.priority != b.priority ? a.priority > b.priority : (a.nextFireAt ?? 0) < (b.nextFireAt ?? 0)
        }
        return try ordered.map { row in
            ClaimedInstance(
                instance: try row.decode(),
                outputs: outputs[row.id] ?? [],
                pendingSignals: signals[row.id] ?? [],
                state: state[row.id] ?? [:],
                workerTasks: tasks[row.id] ?? [],
                nodes: nodes[row.id] ?? []
            )
        }
    }
}
