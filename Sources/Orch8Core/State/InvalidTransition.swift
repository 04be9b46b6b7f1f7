/// A transition that the state's ``TransitionTable`` forbids.
public struct InvalidTransition<State: TransitionTable>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The current state.
    public var from: State
    /// The requested state.
    public var to: State

    /// Creates the error.
    public init(from: State, to: State) {
        self.from = from
        self.to = to
    }

    /// `cannot transition from X to Y`, the text of the 400 answer to `PATCH /instances/{id}/state`.
    public var description: String { "cannot transition from \(from) to \(to)" }
}
