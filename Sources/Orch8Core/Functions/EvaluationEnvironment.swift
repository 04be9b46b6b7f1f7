public import Foundation

/// The non-deterministic inputs of expression evaluation (`now()`, `uuid()`, `random()`), injected so
/// that tests and replays can pin them.
public struct EvaluationEnvironment: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date
    /// A uniformly random integer in the closed range.
    public var randomInteger: @Sendable (ClosedRange<Int64>) -> Int64
    /// A new UUID string (lowercase).
    public var uuid: @Sendable () -> String

    /// Creates an environment.
    public init(
        now: @escaping @Sendable () -> Date,
        randomInteger: @escaping @Sendable (ClosedRange<Int64>) -> Int64,
        uuid: @escaping @Sendable () -> String
    ) {
        self.now = now
        self.randomInteger = randomInteger
        self.uuid = uuid
    }

    /// The real clock and system randomness.
    public static let live = EvaluationEnvironment(
        now: { Date() },
        randomInteger: { Int64.random(in: $0) },
        uuid: { UUID().lowercasedText }
    )
}
