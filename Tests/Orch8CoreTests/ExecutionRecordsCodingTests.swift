import Foundation
import Orch8Core
import Testing

@Suite struct ExecutionRecordsCodingTests {
    @Test func blockOutputRoundTripsWithNullRef() throws {
        let input = try JSON.parse(
            #"{"id": "0190f5a8-7c3e-7a10-8000-000000000050", "instance_id": "0190f5a8-7c3e-7a10-8000-000000000010", "#
                + #""block_id": "loop", "output": {"_iterations": 3}, "output_ref": null, "output_size": 17, "#
                + #""attempt": 0, "created_at": "2026-05-05T12:00:00.5Z"}"#
        )
        let output = try JSONValueDecoder().decode(BlockOutput.self, from: input)
        #expect(output.outputRef == nil && output.output == ["_iterations": 3])
        let encoded = try encode(output)
        #expect(encoded["output_ref"] == .null)
        #expect(encoded["created_at"] == "2026-05-05T12:00:00.500Z")
        #expect(try JSONValueDecoder().decode(BlockOutput.self, from: encoded) == output)
    }

    @Test func executionNodeWritesEveryField() throws {
        let root = ExecutionNode(id: UUID(), instanceID: UUID(), blockID: "ab", blockType: .abSplit)
        let json = try encode(root)
        #expect(json["block_type"] == "a_b_split" && json["state"] == "pending")
        for key in ["parent_id", "branch_index", "started_at", "completed_at"] {
            #expect(json[key] == .null, "\(key) should be null")
        }
        let child = ExecutionNode(
            id: UUID(),
            instanceID: root.instanceID,
            blockID: "v",
            parentID: root.id,
            blockType: .step,
            branchIndex: 1,
            state: .skipped,
            startedAt: Date(timeIntervalSince1970: 1),
            completedAt: Date(timeIntervalSince1970: 2)
        )
        #expect(try JSONValueDecoder().decode(ExecutionNode.self, from: encode(child)) == child)
        #expect(try encode(child)["branch_index"] == 1)
    }

    @Test func storedSignalRoundTrips() throws {
        let signal = Signal(
            id: UUID(),
            instanceID: UUID(),
            signalType: .custom("human_input:gate"),
            payload: ["value": "yes"],
            createdAt: Date(timeIntervalSince1970: 0)
        )
        let json = try encode(signal)
        #expect(json["signal_type"] == ["custom": "human_input:gate"])
        #expect(json["delivered"] == false && json["delivered_at"] == .null)
        #expect(try JSONValueDecoder().decode(Signal.self, from: json) == signal)
    }
}
