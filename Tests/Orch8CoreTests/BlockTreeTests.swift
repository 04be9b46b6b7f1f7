import Orch8Core
import Testing

@Suite struct BlockTreeTests {
    @Test func childListsFollowBranchIndices() throws {
        let sequence = try decode(SequenceDefinition.self, SequenceFixtures.fullSequence)
        func lists(_ id: String) throws -> [[String]] {
            try #require(sequence.block(withID: id)).childLists.map { $0.map(\.id) }
        }
        #expect(try lists("charge") == [])
        #expect(try lists("fanout") == [["p1"], ["p2"]])
        #expect(try lists("first") == [["r1"], ["r2"]])
        #expect(try lists("poll") == [["l1"]])
        #expect(try lists("each") == [["f1"]])
        #expect(try lists("route") == [["pro"], ["basic"]])
        #expect(try lists("guarded") == [["t1"], ["c1"], ["fin"]])
        #expect(try lists("kyc") == [])
        #expect(try lists("ab") == [["a1"], ["b1"]])
        #expect(try lists("scope") == [["s1"]])
        #expect(try lists("trip") == [["book_hotel"], ["cancel_hotel"], ["book_car"], []])
    }

    @Test func walkVisitsInDocumentOrderWithDepth() throws {
        let sequence = try decode(SequenceDefinition.self, SequenceFixtures.fullSequence)
        var visited: [String] = []
        sequence.walk { block, depth in visited.append("\(block.id)@\(depth)") }
        #expect(visited.prefix(5) == ["charge@0", "fanout@0", "p1@1", "p2@1", "first@0"])
        #expect(visited.count == 28)
        #expect(!sequence.isFlat)
        #expect(sequence.block(withID: "cleanup") == nil)
        #expect(sequence.block(withID: "cancel_hotel")?.type == .step)
    }
}
