import Orch8Core
import Testing

@Suite struct WorkerTaskStateTransitionTests {
    static let allowed: Set<String> = [
        "pending→claimed", "pending→failed", "claimed→pending", "claimed→completed", "claimed→failed",
    ]

    @Test(arguments: WorkerTaskState.allCases, WorkerTaskState.allCases)
    func transitionTable(from: WorkerTaskState, to: WorkerTaskState) throws {
        #expect(from.canTransition(to: to) == Self.allowed.contains("\(from)→\(to)"))
        if from.canTransition(to: to) {
            #expect(try from.transition(to: to) == to)
        } else {
            #expect(throws: InvalidTransition(from: from, to: to)) { try from.transition(to: to) }
        }
    }

    @Test func terminalStates() {
        #expect(WorkerTaskState.allCases.filter(\.isTerminal) == [.completed, .failed])
    }
}
