import Orch8Core
import Testing

@Suite struct NodeStateTransitionTests {
    static let allowed: Set<String> = [
        "pending→running", "pending→skipped", "pending→cancelled",
        "running→waiting", "running→completed", "running→failed", "running→cancelled", "running→pending",
        "waiting→running", "waiting→completed", "waiting→failed", "waiting→cancelled",
        "completed→pending", "failed→pending", "cancelled→pending", "skipped→pending",
    ]

    @Test(arguments: NodeState.allCases, NodeState.allCases)
    func transitionTable(from: NodeState, to: NodeState) throws {
        #expect(from.canTransition(to: to) == Self.allowed.contains("\(from)→\(to)"))
        if from.canTransition(to: to) {
            #expect(try from.transition(to: to) == to)
        } else {
            #expect(throws: InvalidTransition(from: from, to: to)) { try from.transition(to: to) }
        }
    }

    @Test func terminalStates() {
        #expect(NodeState.allCases.filter(\.isTerminal) == [.completed, .failed, .cancelled, .skipped])
    }
}
