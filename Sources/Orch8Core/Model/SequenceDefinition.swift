public import Foundation

/// A versioned workflow definition: the body of `POST /sequences` and of its responses (ORCH8-SPEC §2.1).
public struct SequenceDefinition: Sendable, Hashable {
    /// Client-chosen id.
    public var id: UUID
    /// Owning tenant; decoding refuses an empty or whitespace-only one.
    public var tenantID: String
    /// Free-form grouping used for lookups by name.
    public var namespace: String
    /// Name, unique with `(tenant_id, namespace, version)`.
    public var name: String
    /// Version number (validated `>= 1`).
    public var version: Int32
    /// Hidden from latest-version lookups; default false.
    public var deprecated: Bool
    /// Release status; default ``SequenceStatus/production``.
    public var status: SequenceStatus
    /// The top-level blocks, run in order.
    public var blocks: [BlockDefinition]
    /// Client-chosen creation time.
    public var createdAt: Date
    /// JSON Schema checked against `context.data` at instance creation.
    public var inputSchema: JSON?
    /// Alert-only limits.
    public var sla: SequenceSLA?
    /// Cleanup run after failure (top-level steps only, best effort).
    public var onFailure: [BlockDefinition]?
    /// Cleanup run after cancellation.
    public var onCancel: [BlockDefinition]?
    /// Exotic trace hooks, kept as given.
    public var interceptors: JSON?

    /// Creates a definition; optional fields default as when absent from the JSON.
    public init(
        id: UUID,
        tenantID: String,
        namespace: String,
        name: String,
        version: Int32,
        deprecated: Bool = false,
        status: SequenceStatus = .production,
        blocks: [BlockDefinition],
        createdAt: Date,
        inputSchema: JSON? = nil,
        sla: SequenceSLA? = nil,
        onFailure: [BlockDefinition]? = nil,
        onCancel: [BlockDefinition]? = nil,
        interceptors: JSON? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.namespace = namespace
        self.name = name
        self.version = version
        self.deprecated = deprecated
        self.status = status
        self.blocks = blocks
        self.createdAt = createdAt
        self.inputSchema = inputSchema
        self.sla = sla
        self.onFailure = onFailure
        self.onCancel = onCancel
        self.interceptors = interceptors
    }
}

extension SequenceDefinition: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case namespace
        case name
        case version
        case deprecated
        case status
        case blocks
        case createdAt = "created_at"
        case inputSchema = "input_schema"
        case sla
        case onFailure = "on_failure"
        case onCancel = "on_cancel"
        case interceptors
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        tenantID = try c.decodeTenantID(forKey: .tenantID)
        namespace = try c.decode(String.self, forKey: .namespace)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decode(Int32.self, forKey: .version)
        deprecated = try c.decode(.deprecated, default: false)
        status = try c.decode(.status, default: .production)
        blocks = try c.decode([BlockDefinition].self, forKey: .blocks)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        inputSchema = try c.decodeIfPresent(JSON.self, forKey: .inputSchema)
        sla = try c.decodeIfPresent(SequenceSLA.self, forKey: .sla)
        onFailure = try c.decodeIfPresent([BlockDefinition].self, forKey: .onFailure)
        onCancel = try c.decodeIfPresent([BlockDefinition].self, forKey: .onCancel)
        interceptors = try c.decodeIfPresent(JSON.self, forKey: .interceptors)
    }
}
