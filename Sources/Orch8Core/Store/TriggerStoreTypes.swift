public import Foundation

/// The key that makes an `emit_event` step idempotent (ORCH8-SPEC §4): a second emission with the same
/// scope and key within ``ttl`` starts nothing and answers the first emission's instance.
public struct EventDedupe: Sendable, Hashable {
    /// How long a key is remembered: 30 days.
    public static let ttl: TimeInterval = 30 * 24 * 60 * 60

    /// Whose emissions share keys: `parent:<instance uuid>` (one emitting instance) or
    /// `tenant:<tenant id>` (every instance of a tenant).
    public var scope: String
    /// The step's `dedupe_key`.
    public var key: String

    /// Creates a dedupe key.
    public init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }

    /// `key` among the emissions of the instance `parent`.
    public static func parent(_ parent: UUID, key: String) -> EventDedupe {
        EventDedupe(scope: "parent:\(parent.lowercasedText)", key: key)
    }

    /// `key` among the emissions of every instance of `tenant`.
    public static func tenant(_ tenant: String, key: String) -> EventDedupe {
        EventDedupe(scope: "tenant:\(tenant)", key: key)
    }
}

/// The result of ``Store/createInstance(_:dedupe:now:)``.
public struct EventInstanceCreation: Sendable, Hashable {
    /// The new instance, or the earlier one the dedupe key (or the instance's idempotency key) named.
    public var instanceID: UUID
    /// True when nothing was created.
    public var deduplicated: Bool

    /// Creates a result.
    public init(instanceID: UUID, deduplicated: Bool) {
        self.instanceID = instanceID
        self.deduplicated = deduplicated
    }
}
