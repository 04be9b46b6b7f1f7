/// One problem found by structural validation of a sequence (ORCH8-SPEC §2.1).
///
/// Rendered `block `<id>`: <message>`, naming the block and the field, for example
/// ``block `b1`: retry.max_attempts must be > 0``. Problems of the sequence itself use the id `(root)`.
public struct SequenceValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The id used for problems that belong to the sequence rather than to one block.
    public static let rootID = "(root)"

    /// The block the problem is in, or ``rootID``.
    public var blockID: String
    /// What is wrong, naming the field.
    public var message: String

    /// Creates an error.
    public init(blockID: String, message: String) {
        self.blockID = blockID
        self.message = message
    }

    /// `block `<id>`: <message>`.
    public var description: String { "block `\(blockID)`: \(message)" }
}
