/// The state of one execution-tree node, one per evaluated block (transitions in `NodeState+Transitions`).
public enum NodeState: String, WireEnum {
    case pending
    case running
    case waiting
    case completed
    case failed
    case cancelled
    /// Not run: a false `when` guard, a non-selected router route or A/B variant, a catch after success.
    case skipped
}
