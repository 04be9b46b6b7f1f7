import Orch8Core
import Testing

@Suite struct InstanceStateTransitionTests {
    /// ORCH8-SPEC §7.1, written out independently of the implementation.
    static let allowed: Set<String> = [
        "scheduled→running", "scheduled→paused", "scheduled→cancelled",
        "running→scheduled", "running→waiting", "running→completed", "running→failed", "running→paused",
        "running→cancelled",
        "waiting→running", "waiting→scheduled", "waiting→cancelled", "waiting→failed",
        "paused→scheduled", "paused→cancelled",
        "completed→scheduled", "failed→scheduled", "cancelled→scheduled",
    ]

    @Test(arguments: InstanceState.allCases, InstanceState.allCases)
    func transitionTable(from: InstanceState, to: InstanceState) {
        let expected = Self.allowed.contains("\(from)→\(to)")
        #expect(from.canTransition(to: to) == expected)
        do {
            #expect(try from.transition(to: to) == to)
            #expect(expected)
        } catch {
            #expect(!expected)
            #expect(error.description == "cannot transition from \(from) to \(to)")
        }
    }

    @Test func terminalStates() {
        #expect(InstanceState.allCases.filter(\.isTerminal) == [.completed, .failed, .cancelled])
    }

    @Test func errorMessage() {
        #expect(throws: InvalidTransition(from: InstanceState.paused, to: .running)) {
            try InstanceState.paused.transition(to: .running)
        }
        #expect(
            InvalidTransition(from: InstanceState.completed, to: .failed).description
                == "cannot transition from completed to failed"
        )
    }
}
