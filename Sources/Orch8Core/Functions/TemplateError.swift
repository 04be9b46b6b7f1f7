/// A template that cannot be resolved. It fails the step without retry (ORCH8-SPEC §3.1).
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, without the common prefix (`unknown template root: foo`).
    public var message: String

    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { "template resolution failed: \(message)" }
}
