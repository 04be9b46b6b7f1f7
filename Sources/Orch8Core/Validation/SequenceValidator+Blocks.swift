extension SequenceValidator {
    /// The rules of one block's own fields (not its children's).
    mutating func checkFields(of block: BlockDefinition) {
        switch block {
        case .step(let step): checkStep(step)
        case .parallel(let b): checkBranches(b.branches, of: b.id)
        case .race(let b): checkBranches(b.branches, of: b.id)
        case .loop(let b):
            if b.condition.isEmpty { report(b.id, "condition must not be empty") }
            if b.body.isEmpty { report(b.id, "body must not be empty") }
            checkIterations(b.maxIterations, of: b.id)
        case .forEach(let b):
            if b.collection.isEmpty { report(b.id, "collection must not be empty") }
            if b.body.isEmpty { report(b.id, "body must not be empty") }
            if b.itemVar.isEmpty { report(b.id, "item_var must not be empty") }
            checkIterations(b.maxIterations, of: b.id)
        case .router(let b):
            if b.routes.isEmpty, b.default == nil {
                report(b.id, "routes must not be empty when there is no default")
            }
            for (index, route) in b.routes.enumerated() where route.condition.isEmpty {
                report(b.id, "routes[\(index)].condition must not be empty")
            }
        case .tryCatch(let b):
            if b.tryBlock.isEmpty { report(b.id, "try_block must not be empty") }
        case .subSequence(let b):
            if b.sequenceName.isEmpty { report(b.id, "sequence_name must not be empty") }
        case .abSplit(let b): checkVariants(b)
        case .cancellationScope(let b):
            if b.blocks.isEmpty { report(b.id, "blocks must not be empty") }
        case .saga:
            // The spec sets no rules of its own for sagas; their blocks are checked as children.
            break
        }
    }

    private mutating func checkBranches(_ branches: [[BlockDefinition]], of id: String) {
        if branches.isEmpty {
            report(id, "branches must not be empty")
        } else if branches.count > SequenceLimits.maxBranches {
            report(id, "branches must have at most \(SequenceLimits.maxBranches) entries, found \(branches.count)")
        }
    }

    private mutating func checkIterations(_ maxIterations: Int, of id: String) {
        let range = SequenceLimits.iterations
        if !range.contains(maxIterations) {
            report(
                id,
                "max_iterations must be between \(range.lowerBound) and \(range.upperBound), found \(maxIterations)"
            )
        }
    }

    private mutating func checkVariants(_ split: ABSplitBlock) {
        if split.variants.count < 2 {
            report(split.id, "variants must have at least 2 entries, found \(split.variants.count)")
        }
        let totalWeight = split.variants.reduce(UInt64(0)) { $0 + UInt64($1.weight) }
        if totalWeight == 0 { report(split.id, "total variant weight must be > 0") }
        var names: Set<String> = []
        for (index, variant) in split.variants.enumerated() {
            if variant.name.isEmpty {
                report(split.id, "variants[\(index)].name must not be empty")
            } else if !names.insert(variant.name).inserted {
                report(split.id, "duplicate variant name: \(variant.name)")
            }
        }
    }
}
