/// An instance's context: user data, static config, audit trail and engine bookkeeping (ORCH8-SPEC §1.6).
public struct ExecutionContext: Sendable, Hashable {
    /// User data, read by templates as `context.data`; default `{}`.
    public var data: JSON
    /// Static configuration (`context.config`, e.g. `holidays`); default `{}`.
    public var config: JSON
    /// Audit trail.
    public var audit: [AuditEntry]
    /// Engine bookkeeping.
    public var runtime: RuntimeContext

    /// Creates a context; the defaults are those of an absent field.
    public init(
        data: JSON = .emptyObject,
        config: JSON = .emptyObject,
        audit: [AuditEntry] = [],
        runtime: RuntimeContext = RuntimeContext()
    ) {
        self.data = data
        self.config = config
        self.audit = audit
        self.runtime = runtime
    }
}

extension ExecutionContext: Decodable {
    enum CodingKeys: String, CodingKey {
        case data
        case config
        case audit
        case runtime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(.data, default: .emptyObject)
        config = try c.decode(.config, default: .emptyObject)
        audit = try c.decode(.audit, default: [])
        runtime = try c.decode(.runtime, default: RuntimeContext())
    }
}

extension ExecutionContext {
    /// Shallow-merges `fields` into ``data`` (top-level keys replaced), as `update_context` signals
    /// and worker outputs do; data that is not an object becomes one.
    public mutating func merge(data fields: [String: JSON]) {
        var merged = data.objectValue ?? [:]
        for (key, value) in fields { merged[key] = value }
        data = .object(merged)
    }

    /// Applies an `update_context` signal's payload: the top-level keys of `payload.data` are merged
    /// into the data (ORCH8-SPEC §7.6); false when the payload carries no data object.
    @discardableResult
    public mutating func apply(updateContext payload: JSON) -> Bool {
        guard case .object(let patch)? = payload["data"] else { return false }
        merge(data: patch)
        return true
    }
}

extension ExecutionContext: JSONValueRepresentable {
    public var jsonValue: JSON {
        [
            CodingKeys.data.rawValue: data,
            CodingKeys.config.rawValue: config,
            CodingKeys.audit.rawValue: .array(audit.map(\.jsonValue)),
            CodingKeys.runtime.rawValue: runtime.jsonValue,
        ]
    }
}
