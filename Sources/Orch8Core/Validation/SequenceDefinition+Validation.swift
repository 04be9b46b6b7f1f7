extension SequenceDefinition {
    /// Every structural problem of this definition; see ``SequenceValidator/validate(_:)``.
    public func validationErrors() -> [ValidationError] {
        SequenceValidator.validate(self)
    }

    /// Checks the structural rules of ORCH8-SPEC §2.1.
    /// - Throws: ``SequenceValidationFailure`` listing every problem (see ``SequenceValidator/validate(_:)``).
    public func validate() throws(SequenceValidationFailure) {
        let errors = validationErrors()
        if !errors.isEmpty { throw SequenceValidationFailure(errors: errors) }
    }
}
