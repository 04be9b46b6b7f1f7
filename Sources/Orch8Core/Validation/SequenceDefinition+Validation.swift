extension SequenceDefinition {
    /// Checks the structural rules of ORCH8-SPEC §2.1 and returns every problem found, in document
    /// order; empty when the definition is valid.
    ///
    /// Block ids must be unique within the main tree; `on_failure` and `on_cancel` are checked as trees
    /// of their own. Beyond the spec, the sequence must have a non-blank `name`, `namespace` and
    /// `tenant_id` and a `version` of at least 1: lookups by name and "latest version" are meaningless
    /// otherwise. Nesting deeper than ``SequenceLimits/maxNestingDepth`` is reported once per branch and
    /// not descended into, so validation never recurses without bound.
    public func validationErrors() -> [SequenceValidationError] {
        var validator = SequenceValidator()
        validator.checkHeader(of: self)
        if blocks.isEmpty {
            validator.report(SequenceValidationError.rootID, "sequence has no blocks")
        }
        validator.checkTree(blocks)
        if let onFailure { validator.checkTree(onFailure) }
        if let onCancel { validator.checkTree(onCancel) }
        validator.checkTotalCount()
        return validator.errors
    }

    /// Checks the structural rules of ORCH8-SPEC §2.1.
    /// - Throws: ``SequenceValidationFailure`` listing every problem (see ``validationErrors()``).
    public func validate() throws(SequenceValidationFailure) {
        let errors = validationErrors()
        if !errors.isEmpty { throw SequenceValidationFailure(errors: errors) }
    }
}
