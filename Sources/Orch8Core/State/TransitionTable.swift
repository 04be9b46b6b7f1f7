/// A state enum with an explicit table of allowed transitions.
///
/// The tables are pure data so that the engine, the storage layer's compare-and-set and
/// `PATCH /instances/{id}/state` all agree on them.
public protocol TransitionTable: WireEnum {
    /// The states this one may move to in one transition; a state never moves to itself.
    var allowedTransitions: Set<Self> { get }
    /// Whether no more work happens in this state unless it is explicitly reset.
    var isTerminal: Bool { get }
}

extension TransitionTable {
    /// Whether the table allows moving from `self` to `next`.
    public func canTransition(to next: Self) -> Bool {
        allowedTransitions.contains(next)
    }

    /// Checks a transition against the table.
    /// - Returns: `next`, when allowed.
    /// - Throws: ``InvalidTransition`` (`cannot transition from X to Y`) otherwise.
    public func transition(to next: Self) throws(InvalidTransition<Self>) -> Self {
        guard canTransition(to: next) else { throw InvalidTransition(from: self, to: next) }
        return next
    }
}
