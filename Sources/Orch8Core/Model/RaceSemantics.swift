/// When a `race` block is decided (ORCH8-SPEC §2.2).
public enum RaceSemantics: String, WireEnum {
    /// The first branch to finish decides: a failure fails the race. The default.
    case firstToResolve = "first_to_resolve"
    /// Failed branches are ignored; the race fails only if no branch succeeds.
    case firstToSucceed = "first_to_succeed"
}
