/// Every problem structural validation found in a sequence, thrown by
/// ``SequenceDefinition/validate()``. Never empty.
public struct SequenceValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in document order (sequence-level ones first).
    public var errors: [ValidationError]

    /// Creates a failure.
    public init(errors: [ValidationError]) {
        self.errors = errors
    }

    /// All problems joined with `; `, for an `invalid argument: …` response.
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}
