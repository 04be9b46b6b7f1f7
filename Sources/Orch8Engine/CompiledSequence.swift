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
    }

    enum Root: Sendable {
        case step(Step)
        /// A block this engine does not run yet, with its type for the message.
        case unsupported(id: String, type: String)
    }

    var definition: SequenceDefinition
    var roots: [Root]

    init(_ definition: SequenceDefinition) {
        self.definition = definition
        roots = definition.blocks.map { block in
            guard let step = block.step else { return .unsupported(id: block.id, type: block.type.rawValue) }
            return .step(
                Step(
                    definition: step,
                    params: Template(step.params),
                    when: step.when.map { text in
                        Result { () throws(ExpressionParseError) in try Orch8Core.Expression(parsing: text) }
                    },
                    retryIf: step.retry?.retryIf.map { Orch8Core.Expression(lenient: $0) }
                )
            )
        }
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
