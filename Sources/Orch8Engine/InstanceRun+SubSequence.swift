import Foundation
import Orch8Core

extension InstanceRun {
    /// How deep sub-sequences may nest (ORCH8-SPEC §2.2).
    static let subSequenceDepthLimit = 16

    /// A sub_sequence leaf: starts its child instance once, then waits until the child ends. A
    /// completed child's output rows become the block's output; a failed or cancelled child fails
    /// the block. A missing sequence or too deep a nesting fails the whole parent.
    mutating func runSubSequence(_ block: SubSequenceBlock) async throws -> StepOutcome {
        let key = Self.childKey(block.id)
        if let childID = instance.metadata[key]?.stringValue.flatMap({ UUID(text: $0) }) {
            // Created in this run and not committed yet, or gone: it cannot have ended.
            guard let child = try await engine.store.instance(id: childID) else { return .wait(until: nil) }
            switch child.state {
            case .completed:
                // The child's rows as the original gives them: without what its plugin calls cost.
                let rows = try await engine.store.outputs(instanceID: childID).map { row in
                    var row = row
                    row.cost = nil
                    return row
                }
                let output = try JSONValueEncoder().encode(rows)
                succeed(block.id, result: StepResult(output: output), attempt: 0)
                return .finished
            case .failed, .cancelled:
                return .failed(
                    "block `\(block.id)`: sub-sequence instance \(childID.lowercasedText) \(child.state.rawValue)",
                    attempt: 0,
                    details: ["child_instance_id": .string(childID.lowercasedText)]
                )
            case .scheduled, .running, .waiting, .paused:
                return .wait(until: nil)
            }
        }
        let depth = Int(instance.metadata["_sub_sequence_depth"]?.intValue ?? 0) + 1
        guard depth <= Self.subSequenceDepthLimit else {
            return .abort(
                "block `\(block.id)`: sub-sequence depth limit of \(Self.subSequenceDepthLimit) exceeded"
            )
        }
        let versions = try await engine.store.sequenceVersions(
            tenantID: instance.tenantID,
            namespace: instance.namespace,
            name: block.sequenceName
        )
        let target =
            block.version.map { version in versions.first { $0.version == version } }
            ?? versions.first { !$0.deprecated }
        guard let target else {
            let version = block.version.map { " version \($0)" } ?? ""
            return .abort(
                "block `\(block.id)`: sub-sequence '\(block.sequenceName)'\(version) not found in namespace '\(instance.namespace)'"
            )
        }
        let now = engine.now()
        var context = ExecutionContext()
        context.data = block.input
        context.runtime.dryRun = instance.context.runtime.dryRun
        context.runtime.dryRunAutoApprove = instance.context.runtime.dryRunAutoApprove
        let child = TaskInstance(
            id: UUIDv7.generate(now: now),
            sequenceID: target.id,
            tenantID: instance.tenantID,
            namespace: instance.namespace,
            state: .scheduled,
            nextFireAt: now,
            priority: instance.priority,
            timezone: instance.timezone,
            metadata: ["_parent_block_id": .string(block.id), "_sub_sequence_depth": .int(Int64(depth))],
            context: context,
            sessionID: instance.sessionID,
            parentInstanceID: instance.id,
            budget: instance.budget,
            createdAt: now,
            updatedAt: now
        )
        update.childInstances.append(child)
        setMetadata(key, .string(child.id.lowercasedText))
        return .wait(until: nil)
    }
}
