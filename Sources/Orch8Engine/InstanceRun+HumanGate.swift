import Foundation
import Orch8Core

extension InstanceRun {
    /// Whether the gate before `blockID`'s handler was answered in the block's current iteration.
    func gateAnswered(_ blockID: String) -> Bool {
        (rows.gates[blockID]?.last ?? -1) > epochStart(of: blockID)
    }

    /// The human gate of ORCH8-SPEC §7.7: takes the first pending `human_input:<block>` answer
    /// whose value is one of the choices (other answers are delivered and ignored). Returns nil when
    /// an answer was accepted — the handler runs now — else how the step waits.
    mutating func humanGate(_ gate: WaitForInput, of blockID: String, now: Date) -> StepOutcome? {
        let choices = gate.effectiveChoices.map(\.value)
        let name = "human_input:\(blockID)"
        var accepted: (value: String, comment: JSON?)?
        pendingSignals.removeAll { signal in
            guard accepted == nil, case .custom(let type) = signal.signalType, type == name else { return false }
            update.deliveredSignals.append(signal.id)
            if let value = signal.payload["value"]?.stringValue, choices.contains(value) {
                accepted = (value, signal.payload["comment"])
            }
            return true
        }
        if accepted == nil, instance.context.runtime.dryRun, instance.context.runtime.dryRunAutoApprove,
            let first = choices.first
        {
            accepted = (first, nil)
        }
        if let accepted {
            var output: [String: JSON] = ["value": .string(accepted.value), Self.gateField: true]
            if gate.allowComment, let comment = accepted.comment { output["comment"] = comment }
            append(blockID: blockID, output: .object(output), ref: nil, attempt: 0)
            instance.context.merge(data: [gate.storeAs ?? blockID: .string(accepted.value)])
            update.context = instance.context
            removeMetadata(Self.gateKey(blockID))
            removeMetadata(Self.escalatedKey(blockID))
            return nil
        }

        let since: Date
        if let started = instance.metadata[Self.gateKey(blockID)]?.stringValue.flatMap(RFC3339.parse) {
            since = started
        } else {
            since = now
            setMetadata(Self.gateKey(blockID), .string(RFC3339.format(now)))
        }
        guard let timeout = gate.timeout?.value else { return .wait(until: nil) }
        let deadline = since.addingTimeInterval(Double(timeout) / 1000)
        if now < deadline { return .wait(until: deadline) }
        guard let escalation = gate.escalationHandler else {
            return .abort("block `\(blockID)`: step timed out waiting for input after \(timeout) ms")
        }
        if instance.metadata[Self.escalatedKey(blockID)] == nil {
            setMetadata(Self.escalatedKey(blockID), true)
            append(
                blockID: blockID,
                output: [
                    "_escalated": true, "_escalation_handler": .string(escalation),
                    "_timeout_seconds": .int(Int64(timeout / 1000)),
                ],
                ref: Self.escalationMarker,
                attempt: 0
            )
        }
        return .wait(until: nil)
    }

    /// The field that marks an accepted gate answer's output row.
    static let gateField = "_orch8_human_gate"
    /// Marks the row of a gate that timed out and was escalated (not the step's result).
    static let escalationMarker = "__escalated__"
}
