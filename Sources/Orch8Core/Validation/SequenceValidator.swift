/// Accumulates validation problems while walking a sequence's block trees.
struct SequenceValidator {
    private(set) var errors: [SequenceValidationError] = []
    private var seenIDs: Set<String> = []
    private var blockCount = 0

    mutating func report(_ blockID: String, _ message: String) {
        errors.append(SequenceValidationError(blockID: blockID, message: message))
    }

    mutating func checkHeader(of sequence: SequenceDefinition) {
        let root = SequenceValidationError.rootID
        if isBlank(sequence.tenantID) { report(root, "tenant_id must not be empty") }
        if isBlank(sequence.namespace) { report(root, "namespace must not be empty") }
        if isBlank(sequence.name) { report(root, "name must not be empty") }
        if sequence.version < 1 { report(root, "version must be >= 1, found \(sequence.version)") }
    }

    /// Checks one tree (main, `on_failure` or `on_cancel`); ids must be unique within it.
    mutating func checkTree(_ blocks: [BlockDefinition]) {
        seenIDs = []
        for block in blocks {
            visit(block, depth: 1, parentID: SequenceValidationError.rootID)
        }
    }

    mutating func checkTotalCount() {
        if blockCount > SequenceLimits.maxTotalBlocks {
            report(
                SequenceValidationError.rootID,
                "sequence has \(blockCount) blocks, more than the limit of \(SequenceLimits.maxTotalBlocks)"
            )
        }
    }

    private mutating func visit(_ block: BlockDefinition, depth: Int, parentID: String) {
        blockCount += 1
        let id = block.id
        if id.isEmpty {
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
