import Orch8Core
import Testing

@Suite struct PriorityTests {
    private struct Holder: Codable, Equatable {
        var priority: Priority
    }

    @Test(arguments: zip(["Low", "Normal", "High", "Critical"], [Priority.low, .normal, .high, .critical]))
    func capitalizedSpellingsRoundTrip(wire: String, priority: Priority) throws {
        #expect(try decode(Holder.self, #"{"priority": "\#(wire)"}"#).priority == priority)
        #expect(try encode(Holder(priority: priority)) == ["priority": .string(wire)])
    }

    @Test(arguments: ["low", "normal", "HIGH", "critical", "urgent"])
    func otherSpellingsAreRejected(wire: String) {
        #expect(
            decodingFailure(Holder.self, #"{"priority": "\#(wire)"}"#)
                == "priority: unknown variant `\(wire)`, expected one of `Low`, `Normal`, `High`, `Critical`"
        )
    }

    @Test func orderAndStoredLevels() {
        #expect(Priority.low < .normal && Priority.normal < .high && Priority.high < .critical)
        #expect(Priority.allCases.map(\.rank) == [0, 1, 2, 3])
        #expect(Priority.allCases.allSatisfy { Priority(rank: $0.rank) == $0 })
        #expect(Priority(rank: 4) == nil)
    }
}
