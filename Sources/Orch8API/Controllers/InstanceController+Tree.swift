import Foundation
import Hummingbird
import Orch8Core

extension InstanceController {
    /// `GET /instances/{id}/tree`: the execution-tree nodes in the order they were created.
    @Sendable func tree(_ request: Request, context: APIRequestContext) async throws -> Response {
        let instance = try await accessibleInstance(context)
        return try .json(encoding: try await store.executionTree(instanceID: instance.id))
    }

    /// `GET /instances/{id}/children`: the instances its sub_sequence blocks started, oldest first.
    @Sendable func children(_ request: Request, context: APIRequestContext) async throws -> Response {
        let instance = try await accessibleInstance(context)
        return try .json(encoding: try await store.childInstances(parentID: instance.id))
    }

    /// `GET /instances/{id}/logs`: what happened to its steps, oldest first: every `log` step's
    /// message at its level, what each plugin call cost (with the figures as `cost`), a warning per
    /// retried attempt and an error per permanent failure.
    @Sendable func logs(_ request: Request, context: APIRequestContext) async throws -> Response {
        let instance = try await accessibleInstance(context)
        let rows = try await store.outputs(instanceID: instance.id)
        let logSteps: Set<String>
        if let sequence = try await store.sequence(id: instance.sequenceID) {
            var ids: Set<String> = []
            for root in sequence.blocks {
                root.walk { block, _ in if block.step?.handler == "log" { ids.insert(block.id) } }
            }
            logSteps = ids
        } else {
            logSteps = []
        }
        var entries: [JSON] = []
        for row in rows {
            let entry: (level: String, message: String)?
            switch row.outputRef {
            case OutputMarker.retry?:
                let message = row.output["message"]?.stringValue ?? "failed"
                entry = ("warn", "attempt \(row.attempt) failed, retrying: \(message)")
            case OutputMarker.error?:
                entry = ("error", row.output["message"]?.stringValue ?? "failed")
            case nil where logSteps.contains(row.blockID):
                let message = row.output["message"] ?? .null
                entry = (row.output["level"]?.stringValue ?? "info", message.stringValue ?? message.serialized())
            case nil where row.cost != nil:
                entry = ("info", Self.describe(cost: row.cost ?? .null))
            default:
                entry = nil
            }
            guard let entry else { continue }
            var line: JSON = [
                "block_id": .string(row.blockID), "ts": .string(RFC3339.format(row.createdAt)),
                "level": .string(entry.level), "message": .string(entry.message),
            ]
            if let cost = row.cost { line["cost"] = cost }
            entries.append(line)
        }
        return .json(.array(entries))
    }

    /// `plugin call took 46 µs, fuel 1234, peak memory 2 pages, module <sha-256>` from a cost record.
    static func describe(cost: JSON) -> String {
        var parts = ["plugin call took \(cost["duration_us"]?.intValue ?? 0) µs"]
        if let fuel = cost["fuel"]?.intValue { parts.append("fuel \(fuel)") }
        if let pages = cost["peak_memory_pages"]?.intValue { parts.append("peak memory \(pages) pages") }
        if let hash = cost["module_hash"]?.stringValue { parts.append("module \(hash)") }
        return parts.joined(separator: ", ")
    }
}
