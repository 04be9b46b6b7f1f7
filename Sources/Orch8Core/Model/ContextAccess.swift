/// Which parts of the instance context a step's handler, worker and templates see (`context_access`).
public struct ContextAccess: Sendable, Hashable {
    /// How much of `context.data` is visible.
    public enum DataAccess: Sendable, Hashable {
        /// All of it (`true` or `"all"` on the wire). The default.
        case all
        /// None of it (`false` or `"none"`).
        case none
        /// Only these top-level keys (`{"fields": [...]}`).
        case fields([String])
    }

    /// Visibility of `context.data`; default ``DataAccess/all``.
    public var data: DataAccess
    /// Visibility of `context.config`; default true.
    public var config: Bool
    /// Visibility of `context.audit`; default false.
    public var audit: Bool
    /// Visibility of `context.runtime`; default false.
    public var runtime: Bool

    /// Creates an access filter; the defaults are those of an absent field.
    public init(data: DataAccess = .all, config: Bool = true, audit: Bool = false, runtime: Bool = false) {
        self.data = data
        self.config = config
        self.audit = audit
        self.runtime = runtime
    }
}

extension ContextAccess: Codable {
    enum CodingKeys: String, CodingKey {
        case data
        case config
        case audit
        case runtime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(.data, default: .all)
        config = try c.decode(.config, default: true)
        audit = try c.decode(.audit, default: false)
        runtime = try c.decode(.runtime, default: false)
    }
}
