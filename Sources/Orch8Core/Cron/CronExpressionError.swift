/// Why a cron expression was refused, in words an API user can act on: which field, what text, and
/// what is wrong with it (`minute field '61': 61 is out of range 0-59`).
public struct CronExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The explanation, without the `invalid cron expression:` prefix the API adds.
    public var description: String

    /// Creates an error with this explanation.
    public init(_ description: String) {
        self.description = description
    }
}
