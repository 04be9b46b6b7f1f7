/// The `type` tag of a block, also stored on execution-tree nodes.
///
/// ⚠ A/B split is `a_b_split` on the wire (the original's docs say `ab_split`, which its code rejects).
public enum BlockType: String, WireEnum {
    case step
    case parallel
    case race
    case loop
    case forEach = "for_each"
    case router
    case tryCatch = "try_catch"
    case subSequence = "sub_sequence"
    case abSplit = "a_b_split"
    case cancellationScope = "cancellation_scope"
    case saga
}
