public import Foundation

/// A named entry point that starts instances of a sequence (ORCH8-SPEC §1.10 "Triggers"): fired over
/// HTTP (`POST /triggers/{slug}/fire`), by a webhook, or by an `emit_event` step of another instance.
///
/// Wire JSON never carries the secret: encoding writes `has_secret` instead, so that listing triggers
/// does not hand out what authenticates their webhooks. Decoding reads `secret` (the stored form);
/// `has_secret` is ignored.
public struct TriggerDefinition: Sendable, Hashable {
    /// Longest slug.
    public static let maxSlugLength = 128

    /// Unique name, `[A-Za-z0-9_-]{1,128}`; slugs are global (the table's key), not per tenant.
    public var slug: String
    /// The sequence started, by name, in ``tenantID`` and ``namespace``.
    public var sequenceName: String
    /// A pinned sequence version; nil starts the highest version that is not deprecated.
    public var version: Int?
    /// Owning tenant: the tenant of the instances started, and the only one that sees the trigger.
    public var tenantID: String
    /// Namespace of the sequence and of the instances started; default `"default"`.
    public var namespace: String
    /// A disabled trigger starts nothing; default true.
    public var enabled: Bool
    /// What a webhook caller must present (`x-trigger-secret`); never written to the wire.
    public var secret: String?
    /// Where firings come from; default ``TriggerType/webhook``.
    public var triggerType: TriggerType
    /// Type-specific settings (a NATS subject, a watched path, …); default `{}`.
    public var config: JSON
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates a trigger record.
    public init(
        slug: String,
        sequenceName: String,
        version: Int? = nil,
        tenantID: String,
        namespace: String = "default",
        enabled: Bool = true,
        secret: String? = nil,
        triggerType: TriggerType = .webhook,
        config: JSON = .emptyObject,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.slug = slug
        self.sequenceName = sequenceName
        self.version = version
        self.tenantID = tenantID
        self.namespace = namespace
        self.enabled = enabled
        self.secret = secret
        self.triggerType = triggerType
        self.config = config
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where a trigger's firings come from (ORCH8-SPEC §1.10). Any type can be fired over HTTP;
/// `emit_event` steps may only use ``event`` triggers, and webhooks only ``webhook`` ones.
public enum TriggerType: String, WireEnum {
    /// `POST /webhooks/{slug}`, authenticated by the trigger's secret.
    case webhook
    /// Messages on a NATS subject.
    case nats
    /// Files appearing in a watched directory.
    case fileWatch = "file_watch"
    /// `emit_event` steps of instances of the same tenant.
    case event
    /// An Activepieces piece, polled.
    case activepiecesPoll = "activepieces_poll"
}

extension TriggerDefinition {
    /// Why `slug` is not a valid slug, naming the field; nil when it is one: 1–128 characters of
    /// `[A-Za-z0-9_-]`, so that it is a path segment as it stands.
    public static func slugProblem(_ slug: String) -> String? {
        guard !slug.isEmpty else { return "`slug` must not be empty" }
        guard slug.count <= maxSlugLength else {
            return "`slug` is \(slug.count) characters long, more than \(maxSlugLength)"
        }
        if let bad = slug.unicodeScalars.first(where: { !isSlugScalar($0) }) {
            return "`slug` may contain only letters A-Z a-z, digits, '_' and '-': found '\(bad)' in '\(slug)'"
        }
        return nil
    }

    private static func isSlugScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    /// The sequence this trigger starts among `versions` (every version of its name, newest first,
    /// as ``Store/sequenceVersions(tenantID:namespace:name:)`` lists them): the pinned version, else
    /// the newest one not deprecated.
    public func pick(from versions: [SequenceDefinition]) -> SequenceDefinition? {
        if let version { return versions.first { Int($0.version) == version } }
        return versions.first { !$0.deprecated }
    }

    /// How messages name the sequence this trigger starts: `sequence 'name' (version 2) in namespace
    /// 'default'`.
    public var sequenceDescription: String {
        let pinned = version.map { " (version \($0))" } ?? ""
        return "sequence '\(sequenceName)'\(pinned) in namespace '\(namespace)'"
    }

    /// A new `scheduled` instance of `sequence`, due at `now`, in this trigger's tenant and namespace,
    /// with `data` as its `context.data`.
    public func instance(of sequence: SequenceDefinition, data: JSON, metadata: JSON, now: Date) -> TaskInstance {
        TaskInstance(
            id: UUIDv7.generate(now: now),
            sequenceID: sequence.id,
            tenantID: tenantID,
            namespace: namespace,
            state: .scheduled,
            nextFireAt: now,
            metadata: metadata,
            context: ExecutionContext(data: data),
            createdAt: now,
            updatedAt: now
        )
    }
}

extension TriggerDefinition: Codable {
    enum CodingKeys: String, CodingKey {
        case slug
        case sequenceName = "sequence_name"
        case version
        case tenantID = "tenant_id"
        case namespace
        case enabled
        case secret
        case hasSecret = "has_secret"
        case triggerType = "trigger_type"
        case config
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Reads the stored form: `secret` rather than `has_secret`, defaults as for a new trigger.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        slug = try c.decode(String.self, forKey: .slug)
        sequenceName = try c.decode(String.self, forKey: .sequenceName)
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        tenantID = try c.decodeTenantID(forKey: .tenantID)
        namespace = try c.decode(.namespace, default: "default")
        enabled = try c.decode(.enabled, default: true)
        secret = try c.decodeIfPresent(String.self, forKey: .secret)
        triggerType = try c.decode(.triggerType, default: .webhook)
        config = try c.decode(.config, default: .emptyObject)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
    }

    /// Writes the public form: every field, `version` null when not pinned, and `has_secret` in place
    /// of the secret.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slug, forKey: .slug)
        try c.encode(sequenceName, forKey: .sequenceName)
        try c.encodeOrNull(version, forKey: .version)
        try c.encode(tenantID, forKey: .tenantID)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(secret != nil, forKey: .hasSecret)
        try c.encode(triggerType, forKey: .triggerType)
        try c.encode(config, forKey: .config)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
