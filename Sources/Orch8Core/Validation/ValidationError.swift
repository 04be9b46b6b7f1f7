/// One problem found by structural validation of a sequence (ORCH8-SPEC §2.1).
///
/// Rendered `block `<id>`: <message>`, naming the block and the field, for example
/// ``block `b1`: retry.max_attempts must be > 0``. Problems of the sequence itself use the id `(root)`.
///
/// Two choices where the spec gives only a message: a duplicate id keeps the spec's text as the message
/// and is attributed to the duplicated id, so it reads ``block `a`: duplicate block id: a`` (every
/// problem then has the same shape, and the text still contains the spec's wording); a block with an
/// empty id cannot be named, so it is attributed to the block that contains it (or `(root)`).
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
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
