public import Foundation

/// What the tree evaluator needs from the engine: the execution tree's node states and the data the
/// blocks decide on. The evaluator decides (ORCH8-SPEC §2.2); the runtime records, and performs the
/// side effects of a move (cancelling a node's worker task, resetting a node's timers).
public protocol BlockRuntime {
    /// The instance, for choices that must be stable per instance (a_b_split).
    var instanceID: UUID { get }
    /// A block's node state; `pending` while it has no node.
    func state(of blockID: String) -> NodeState
    /// Moves a block's node, creating it on first use.
    mutating func setState(_ state: NodeState, of blockID: String)
    /// Evaluates a router, loop or `break_on` expression against the context, and against the step
    /// outputs too when `withOutputs`.
    func isTrue(_ expression: String, withOutputs: Bool) -> Bool
    /// How many iterations of this loop or for_each have started in the current run of its parent.
    func iterations(of blockID: String) -> Int
    /// The items a for_each iterates: the snapshot taken at its first iteration, else the resolved
    /// collection (empty when it is missing or not an array).
    mutating func items(of block: ForEachBlock) -> [JSON]
    /// Records the start of iteration `index` (0-based) of a loop or for_each; `item` is the
    /// for_each item for its `item_var`.
    mutating func beginIteration(_ index: Int, of blockID: String, item: JSON?)
    /// A for_each ended: its item variable leaves the context.
    mutating func endIterations(of block: ForEachBlock)
    /// Whether a loop's `poll_interval` has passed since its last iteration ended (starting the
    /// wait when it is new).
    mutating func pollIntervalElapsed(of block: LoopBlock) -> Bool
    /// A try block failed and its catch starts: `context.data._error` names the failed blocks.
    mutating func caught(_ block: TryCatchBlock, failedBlocks: [String])
    /// An A/B split chose a variant: its marker output.
    mutating func chose(variant index: Int, of block: ABSplitBlock)
}
