public import Foundation

/// A registered plugin (PLUGINS.md §2): the response of the `/plugins` routes.
public struct PluginDefinition: Sendable, Hashable {
    /// Name, `[A-Za-z0-9_.-]{1,255}`, unique per tenant.
    public var name: String
    /// How it runs.
    public var pluginType: PluginType
    /// wasm: path of the module; grpc: `host:port/path`.
    public var source: String
    /// Owning tenant; `""` means global. Default `""`.
    public var tenantID: String
    /// Disabled plugins fail their steps permanently; default true.
    public var enabled: Bool
    /// Passed to every call; also holds limits (`memory_pages`, `fuel`). Default null.
    public var config: JSON
    /// Free text.
    public var description: String?
    /// Registration time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates a plugin record.
    public init(
        name: String,
        pluginType: PluginType,
        source: String,
        tenantID: String = "",
        enabled: Bool = true,
        config: JSON = .null,
        description: String? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.name = name
        self.pluginType = pluginType
        self.source = source
        self.tenantID = tenantID
        self.enabled = enabled
        self.config = config
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension PluginDefinition: Codable {
    enum CodingKeys: String, CodingKey {
        case name
        case pluginType = "plugin_type"
        case source
        case tenantID = "tenant_id"
        case enabled
        case config
        case description
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        pluginType = try c.decode(PluginType.self, forKey: .pluginType)
        source = try c.decode(String.self, forKey: .source)
        tenantID = try c.decode(.tenantID, default: "")
        enabled = try c.decode(.enabled, default: true)
        config = try c.decode(.config, default: .null)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(pluginType, forKey: .pluginType)
        try c.encode(source, forKey: .source)
        try c.encode(tenantID, forKey: .tenantID)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(config, forKey: .config)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
