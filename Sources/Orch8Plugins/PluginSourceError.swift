/// A plugin source refused at registration: a missing file, an invalid module, a forbidden import,
/// a malformed endpoint. The message names the problem (PLUGINS.md §2).
public struct PluginSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
