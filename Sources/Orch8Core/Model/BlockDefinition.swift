/// One block of a sequence, tagged by `type` on the wire (ORCH8-SPEC §2.2).
///
/// The payload structs carry the fields; this enum adds the tag. Tree helpers (``id``, ``childLists``,
/// ``walk(_:)``) are in `BlockDefinition+Tree.swift`.
public enum BlockDefinition: Sendable, Hashable {
    case step(StepDefinition)
    case parallel(ParallelBlock)
    case race(RaceBlock)
    case loop(LoopBlock)
    case forEach(ForEachBlock)
    case router(RouterBlock)
    case tryCatch(TryCatchBlock)
    case subSequence(SubSequenceBlock)
    case abSplit(ABSplitBlock)
    case cancellationScope(CancellationScopeBlock)
    case saga(SagaBlock)

    /// The `type` tag.
    public var type: BlockType {
        switch self {
        case .step: .step
        case .parallel: .parallel
        case .race: .race
        case .loop: .loop
        case .forEach: .forEach
        case .router: .router
        case .tryCatch: .tryCatch
        case .subSequence: .subSequence
        case .abSplit: .abSplit
        case .cancellationScope: .cancellationScope
        case .saga: .saga
        }
    }

    /// The block id.
    public var id: String {
        switch self {
        case .step(let b): b.id
        case .parallel(let b): b.id
        case .race(let b): b.id
        case .loop(let b): b.id
        case .forEach(let b): b.id
        case .router(let b): b.id
        case .tryCatch(let b): b.id
        case .subSequence(let b): b.id
        case .abSplit(let b): b.id
        case .cancellationScope(let b): b.id
        case .saga(let b): b.id
        }
    }

    /// The step, if this is a `step` block.
    public var step: StepDefinition? {
        if case .step(let step) = self { return step }
        return nil
    }
}
