/// Structural validation of a sequence definition (ORCH8-SPEC §2.1), run before a definition is stored.
///
/// It reports every problem rather than the first, so that one round trip tells the author everything
/// to fix. The per-block rules are in `SequenceValidator+Blocks.swift` and `SequenceValidator+Step.swift`.
public struct SequenceValidator: Sendable {
    private(set) var errors: [ValidationError] = []
    private var seenIDs: Set<String> = []
    private var blockCount = 0

    private init() {}

    /// Checks the structural rules of ORCH8-SPEC §2.1 and returns every problem found, in document order
    /// (sequence-level ones first); empty when the definition is valid.
    ///
    /// Block ids must be unique within the main tree; `on_failure` and `on_cancel` are checked as trees
    /// of their own (the spec's rule), though every tree counts towards the total block limit. Beyond the
    /// spec, the sequence must have a non-blank `name`, `namespace` and `tenant_id` and a `version` of at
    /// least 1: lookups by name and "latest version" are meaningless otherwise. A block nested deeper than
    /// ``SequenceLimits/maxNestingDepth`` is reported once and not descended into, so validation never
    /// recurses without bound.
    public static func validate(_ sequence: SequenceDefinition) -> [ValidationError] {
        var validator = SequenceValidator()
        validator.checkHeader(of: sequence)
        if sequence.blocks.isEmpty {
            validator.report(ValidationError.rootID, "sequence has no blocks")
        }
        validator.checkTree(sequence.blocks)
        if let onFailure = sequence.onFailure { validator.checkTree(onFailure) }
        if let onCancel = sequence.onCancel { validator.checkTree(onCancel) }
        validator.checkTotalCount()
        return validator.errors
    }

    mutating func report(_ blockID: String, _ message: String) {
        errors.append(ValidationError(blockID: blockID, message: message))
    }

    private mutating func checkHeader(of sequence: SequenceDefinition) {
        let root = ValidationError.rootID
        if isBlank(sequence.tenantID) { report(root, "tenant_id must not be empty") }
        if isBlank(sequence.namespace) { report(root, "namespace must not be empty") }
        if isBlank(sequence.name) { report(root, "name must not be empty") }
        if sequence.version < 1 { report(root, "version must be >= 1, found \(sequence.version)") }
    }

    /// Checks one tree (main, `on_failure` or `on_cancel`); ids must be unique within it.
    private mutating func checkTree(_ blocks: [BlockDefinition]) {
        seenIDs = []
        for block in blocks {
            visit(block, depth: 1, parentID: ValidationError.rootID)
        }
    }

    private mutating func checkTotalCount() {
        if blockCount > SequenceLimits.maxTotalBlocks {
            report(
                ValidationError.rootID,
                "sequence has \(blockCount) blocks, more than the limit of \(SequenceLimits.maxTotalBlocks)"
            )
        }
    }

    // Recursion is bounded: nothing below the depth limit is visited.
    private mutating func visit(_ block: BlockDefinition, depth: Int, parentID: String) {
        blockCount += 1
        let id = block.id
        if id.isEmpty {
            // A block without an id cannot be named, so the message names the block that holds it.
            report(parentID, "contains a block with an empty id")
        } else if !seenIDs.insert(id).inserted {
            report(id, "duplicate block id: \(id)")
        }
        if depth > SequenceLimits.maxNestingDepth {
            report(id, "nesting depth exceeds \(SequenceLimits.maxNestingDepth)")
            return
        }
        checkFields(of: block)
        for child in block.children {
            visit(child, depth: depth + 1, parentID: id)
        }
    }

    func isBlank(_ text: String) -> Bool {
        text.allSatisfy(\.isWhitespace)
    }
}
