import Foundation
import Orch8Core
import Synchronization

/// A sequence with its templates and expressions parsed once, as the engine runs it.
struct CompiledSequence: Sendable {
    struct Step: Sendable {
        var definition: StepDefinition
        var params: Template
        /// The `when` guard, strictly parsed: a parse error fails the step when it is reached.
        var when: Result<Orch8Core.Expression, ExpressionParseError>?
        var retryIf: Orch8Core.Expression?

        init(_ step: StepDefinition) {
            definition = step
            params = Template(step.params)
            when = step.when.map { text in
                Result { () throws(ExpressionParseError) in try Orch8Core.Expression(parsing: text) }
            }
            retryIf = step.retry?.retryIf.map { Orch8Core.Expression(lenient: $0) }
        }
    }

    enum Root: Sendable {
        case step(Step)
        /// A block this engine does not run yet, with its type for the message.
        case unsupported(id: String, type: String)
    }

    /// Where a block sits in the tree.
    struct Placement: Sendable {
        var block: BlockDefinition
        var parent: String?
        var branch: Int?
        /// The nearest enclosing loop or for_each: its iterations start the block afresh.
        var iterator: String?
    }

    var definition: SequenceDefinition
    var roots: [Root]
    /// True when every top-level block is a step: the instance then runs without a tree.
    var isFlat: Bool
    /// Every step of the tree by id.
    var steps: [String: Step] = [:]
    /// Every block by id.
    var placements: [String: Placement] = [:]
    /// Router, loop and `break_on` expressions by their text.
    var conditions: [String: Orch8Core.Expression] = [:]
    /// The first saga block, which this engine does not run.
    var saga: String?

    init(_ definition: SequenceDefinition) {
        self.definition = definition
        roots = definition.blocks.map { block in
            guard let step = block.step else { return .unsupported(id: block.id, type: block.type.rawValue) }
            return .step(Step(step))
        }
        isFlat = definition.blocks.allSatisfy { $0.step != nil }
        var stack: [(BlockDefinition, String?, Int?, String?)] = definition.blocks.reversed().map {
            ($0, nil, nil, nil)
        }
        while let (block, parent, branch, iterator) = stack.popLast() {
            placements[block.id] = Placement(block: block, parent: parent, branch: branch, iterator: iterator)
            switch block {
            case .step(let step): steps[step.id] = Step(step)
            case .router(let router): for route in router.routes { compile(route.condition) }
            case .loop(let loop):
                compile(loop.condition)
                if let breakOn = loop.breakOn { compile(breakOn) }
            case .saga where saga == nil: saga = block.id
            default: break
            }
            let inner: String? =
                switch block {
                case .loop, .forEach: block.id
                default: iterator
                }
            for (index, list) in block.childLists.enumerated().reversed() {
                for child in list.reversed() { stack.append((child, block.id, index, inner)) }
            }
        }
    }

    private mutating func compile(_ condition: String) {
        if conditions[condition] == nil { conditions[condition] = Orch8Core.Expression(lenient: condition) }
    }
}

/// Compiled sequences by id. Sequences never change once created (only their `deprecated` flag,
/// which running instances ignore), so entries never go stale; the cache is only bounded.
final class SequenceCache: Sendable {
    private let store: any Store
    private let entries = Mutex<[UUID: CompiledSequence]>([:])
    private let capacity = 1_000

    init(store: any Store) { self.store = store }

    func sequence(id: UUID) async throws -> CompiledSequence? {
        if let hit = entries.withLock({ $0[id] }) { return hit }
        guard let definition = try await store.sequence(id: id) else { return nil }
        let compiled = CompiledSequence(definition)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = compiled
        }
        return compiled
    }
}
