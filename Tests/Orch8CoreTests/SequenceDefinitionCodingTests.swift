import Foundation
import Orch8Core
import Testing

@Suite struct SequenceDefinitionCodingTests {
    @Test func fullSequenceRoundTripsWithExactKeySpellings() throws {
        let input = try JSON.parse(SequenceFixtures.fullSequence)
        let sequence = try JSONValueDecoder().decode(SequenceDefinition.self, from: input)
        let encoded = try encode(sequence)
        #expect(encoded == input)
        #expect(try JSONValueDecoder().decode(SequenceDefinition.self, from: encoded) == sequence)
        // The encoded text parses back to the same definition, too.
        #expect(try decode(SequenceDefinition.self, encoded.serialized()) == sequence)
    }

    @Test func fullSequenceDecodesEveryField() throws {
        let sequence = try decode(SequenceDefinition.self, SequenceFixtures.fullSequence)
        #expect(sequence.id == UUID(uuidString: "0190f5a8-7c3e-7a10-8000-0000000000aa"))
        #expect(sequence.version == 3)
        #expect(sequence.deprecated)
        #expect(sequence.status == .staging)
        #expect(sequence.sla == SequenceSLA(maxRuntime: 60000, maxStepRuntime: 5000))
        #expect(sequence.onFailure?.map(\.id) == ["cleanup"])
        #expect(sequence.onCancel?.map(\.id) == ["notify"])
        #expect(sequence.interceptors?["before_step"]?["handler"] == "log")
        #expect(
            sequence.blocks.map(\.type) == [
                .step, .parallel, .race, .loop, .forEach, .router, .tryCatch, .subSequence, .abSplit,
                .cancellationScope, .saga,
            ]
        )
        guard case .race(let race) = sequence.blocks[2], case .loop(let loop) = sequence.blocks[3],
            case .subSequence(let sub) = sequence.blocks[7], case .saga(let saga) = sequence.blocks[10]
        else {
            Issue.record("unexpected block types")
            return
        }
        #expect(race.semantics == .firstToSucceed)
        #expect(loop.maxIterations == 50 && loop.pollInterval == 30 && loop.continueOnError)
        #expect(sub.version == 2 && sub.input == ["level": "full"])
        #expect(saga.steps[0].compensation?.id == "cancel_hotel" && saga.steps[1].compensation == nil)
    }

    @Test func sequenceDefaults() throws {
        let sequence = try decode(SequenceDefinition.self, sequenceJSON(blocks: "[\(noop("a"))]"))
        #expect(!sequence.deprecated)
        #expect(sequence.status == .production)
        #expect(sequence.inputSchema == nil && sequence.sla == nil && sequence.interceptors == nil)
        #expect(sequence.onFailure == nil && sequence.onCancel == nil)
        let encoded = try encode(sequence)
        #expect(encoded["deprecated"] == false && encoded["status"] == "production")
        for key in ["input_schema", "sla", "on_failure", "on_cancel", "interceptors"] {
            #expect(encoded[key] == nil, "\(key) should be omitted")
        }
    }

    @Test func blockDefaults() throws {
        let blocks = """
            [{"type": "race", "id": "r", "branches": []},
             {"type": "loop", "id": "l", "condition": "true", "body": []},
             {"type": "for_each", "id": "f", "collection": "items", "body": []},
             {"type": "sub_sequence", "id": "s", "sequence_name": "child"}]
            """
        let sequence = try decode(SequenceDefinition.self, sequenceJSON(blocks: blocks))
        guard case .race(let race) = sequence.blocks[0], case .loop(let loop) = sequence.blocks[1],
            case .forEach(let forEach) = sequence.blocks[2], case .subSequence(let sub) = sequence.blocks[3]
        else {
            Issue.record("unexpected block types")
            return
        }
        #expect(race.semantics == .firstToResolve)
        #expect(loop.maxIterations == 1000 && !loop.continueOnError)
        #expect(loop.breakOn == nil && loop.pollInterval == nil && loop.retainIterations == nil)
        #expect(forEach.itemVar == "item" && forEach.maxIterations == 1000 && forEach.retainIterations == nil)
        #expect(sub.version == nil && sub.input == .emptyObject)
    }

    @Test func unknownFieldsAreIgnored() throws {
        let blocks =
            #"[{"type": "step", "id": "a", "handler": "noop", "future_flag": true, "retry": {"#
            + #""max_attempts": 2, "initial_backoff": 1, "max_backoff": 2, "jitter_mode": "full"}}]"#
        let sequence = try decode(
            SequenceDefinition.self,
            sequenceJSON(blocks: blocks, extra: #", "owner": "team-a", "labels": {"x": 1}"#)
        )
        #expect(sequence.blocks[0].step?.retry?.maxAttempts == 2)
    }

    @Test func abSplitIsSpelledWithTwoUnderscores() throws {
        let variants = #"[{"name": "a", "weight": 1, "blocks": []}, {"name": "b", "weight": 1, "blocks": []}]"#
        let accepted = sequenceJSON(blocks: #"[{"type": "a_b_split", "id": "ab", "variants": \#(variants)}]"#)
        #expect(try decode(SequenceDefinition.self, accepted).blocks[0].type == .abSplit)

        let rejected = sequenceJSON(blocks: #"[{"type": "ab_split", "id": "ab", "variants": \#(variants)}]"#)
        let message = try #require(decodingFailure(SequenceDefinition.self, rejected))
        #expect(message.hasPrefix("blocks[0].type: unknown block type `ab_split`, expected one of"))
        #expect(message.contains("`a_b_split`"))
    }

    @Test func unknownBlockTypeNamesTheAllowedOnes() {
        let text = sequenceJSON(blocks: #"[{"type": "wait", "id": "w"}]"#)
        #expect(
            decodingFailure(SequenceDefinition.self, text)
                == "blocks[0].type: unknown block type `wait`, expected one of `step`, `parallel`, `race`, `loop`, "
                + "`for_each`, `router`, `try_catch`, `sub_sequence`, `a_b_split`, `cancellation_scope`, `saga`"
        )
    }

    @Test(arguments: [
        ("id", "id: missing field"),
        ("tenant_id", "tenant_id: missing field"),
        ("namespace", "namespace: missing field"),
        ("name", "name: missing field"),
        ("version", "version: missing field"),
        ("blocks", "blocks: missing field"),
        ("created_at", "created_at: missing field"),
    ])
    func missingSequenceFieldIsNamed(field: String, message: String) throws {
        guard case .object(var members) = try JSON.parse(sequenceJSON(blocks: "[\(noop("a"))]")) else {
            Issue.record("fixture is not an object")
            return
        }
        members[field] = nil
        #expect(decodingFailure(SequenceDefinition.self, JSON.object(members).serialized()) == message)
    }

    @Test(arguments: ["", " ", "\\t \\n"])
    func blankTenantFailsDecoding(tenant: String) {
        let text = sequenceJSON(blocks: "[\(noop("a"))]").replacingOccurrences(
            of: #""tenant_id": "acme""#,
            with: #""tenant_id": "\#(tenant)""#
        )
        #expect(decodingFailure(SequenceDefinition.self, text) == "tenant_id: must not be empty or whitespace")
    }

    @Test(arguments: [
        (#"{"type": "step", "id": "a"}"#, "blocks[0].handler: missing field"),
        (#"{"id": "a", "handler": "noop"}"#, "blocks[0].type: missing field"),
        (#"{"type": "loop", "id": "a", "body": []}"#, "blocks[0].condition: missing field"),
        (#"{"type": "parallel", "id": "a"}"#, "blocks[0].branches: missing field"),
        (#"{"type": "try_catch", "id": "a", "try_block": []}"#, "blocks[0].catch_block: missing field"),
        (
            #"{"type": "step", "id": "a", "handler": "x", "retry": {"max_attempts": 1, "initial_backoff": 1}}"#,
            "blocks[0].retry.max_backoff: missing field"
        ),
        (
            #"{"type": "parallel", "id": "p", "branches": [[{"type": "step", "handler": "x"}]]}"#,
            "blocks[0].branches[0][0].id: missing field"
        ),
        (
            #"{"type": "step", "id": "a", "handler": "x", "retry": {"max_attempts": "3", "#
                + #""initial_backoff": 1, "max_backoff": 2}}"#,
            "blocks[0].retry.max_attempts: expected non-negative integer, found string"
        ),
    ])
    func missingOrMistypedBlockFieldIsNamed(block: String, message: String) {
        #expect(decodingFailure(SequenceDefinition.self, sequenceJSON(blocks: "[\(block)]")) == message)
    }

    @Test func hundredThousandDeepNestingFailsCleanly() {
        let depth = 100_000
        let open = String(repeating: #"{"type": "loop", "id": "l", "condition": "true", "body": ["#, count: depth)
        let text = sequenceJSON(blocks: "[" + open + String(repeating: "]}", count: depth) + "]")
        #expect(throws: JSONParseError.self) { try decode(SequenceDefinition.self, text) }
    }

    @Test func deepButParseableNestingDecodesAndEncodes() throws {
        // 200 nested loops are about 400 JSON levels, under the parser's cap of 512.
        let depth = 200
        var text = noop("leaf")
        for level in (1...depth).reversed() {
            text = #"{"type": "loop", "id": "l\#(level)", "condition": "true", "body": [\#(text)]}"#
        }
        let sequence = try decode(SequenceDefinition.self, sequenceJSON(blocks: "[\(text)]"))
        #expect(try JSONValueDecoder().decode(SequenceDefinition.self, from: encode(sequence)) == sequence)
        #expect(sequence.block(withID: "leaf") != nil)
    }
}
