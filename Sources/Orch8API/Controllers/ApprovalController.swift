import Foundation
import Hummingbird
import Orch8Core

/// `GET /approvals` (ORCH8-SPEC §1.10): the human gates instances are parked on. Decisions are sent
/// as `human_input:<block_id>` custom signals.
struct ApprovalController {
    let store: any Store

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("approvals", use: list)
    }

    /// `{items, total}`, oldest wait first; `tenant_id`, `namespace`, `offset`, `limit` (100).
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let limit = try query.count("limit", default: 100, maximum: 1000)
        let offset = try query.count("offset", default: 0)
        var filter = InstanceQuery(
            tenantID: context.tenancy.listFilter(query: query["tenant_id"]),
            namespace: query["namespace"],
            states: [.waiting, .scheduled],
            limit: 1_000
        )
        var sequences: [UUID: SequenceDefinition] = [:]
        var items: [(since: Date, item: JSON)] = []
        // Gates are found by their marker in metadata; the scan is bounded.
        for _ in 0..<10 {
            let page = try await store.instances(filter)
            for instance in page {
                for (key, value) in instance.metadata.objectValue ?? [:] where key.hasPrefix(Self.marker) {
                    let blockID = String(key.dropFirst(Self.marker.count))
                    guard let since = value.stringValue.flatMap(RFC3339.parse) else { continue }
                    if sequences[instance.sequenceID] == nil {
                        sequences[instance.sequenceID] = try await store.sequence(id: instance.sequenceID)
                    }
                    guard let sequence = sequences[instance.sequenceID],
                        let step = sequence.blocks.lazy.compactMap({ $0.block(withID: blockID)?.step }).first,
                        let gate = step.waitForInput
                    else { continue }
                    items.append((since, Self.item(instance, sequence, step, gate, since: since)))
                }
            }
            if page.count < filter.limit { break }
            filter.offset += page.count
        }
        items.sort { $0.since < $1.since }
        let shown = items.dropFirst(offset).prefix(limit).map(\.item)
        return .json(["items": .array(Array(shown)), "total": .int(Int64(items.count))])
    }

    /// The metadata key prefix the engine writes while a gate waits (its value: since when).
    static let marker = "_gate_waiting_since:"

    private static func item(
        _ instance: TaskInstance,
        _ sequence: SequenceDefinition,
        _ step: StepDefinition,
        _ gate: WaitForInput,
        since: Date
    ) -> JSON {
        let deadline = gate.timeout.map { since.addingTimeInterval(Double($0.value) / 1000) }
        var metadata = instance.metadata.objectValue ?? [:]
        for key in metadata.keys where key.hasPrefix("_") { metadata.removeValue(forKey: key) }
        return [
            "instance_id": .string(instance.id.wire), "tenant_id": .string(instance.tenantID),
            "namespace": .string(instance.namespace), "sequence_id": .string(instance.sequenceID.wire),
            "sequence_name": .string(sequence.name), "block_id": .string(step.id),
            "prompt": gate.prompt.map(JSON.string) ?? .null,
            "choices": .array(gate.effectiveChoices.map { ["label": .string($0.label), "value": .string($0.value)] }),
            "store_as": gate.storeAs.map(JSON.string) ?? .null,
            "timeout_seconds": gate.timeout.map { .int(Int64($0.value / 1000)) } ?? .null,
            "escalation_handler": gate.escalationHandler.map(JSON.string) ?? .null,
            "waiting_since": .string(RFC3339.format(since)),
            "deadline": deadline.map { .string(RFC3339.format($0)) } ?? .null,
            "metadata": .object(metadata), "allow_comment": .bool(gate.allowComment),
        ]
    }
}
