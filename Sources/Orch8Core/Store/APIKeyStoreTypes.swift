public import Foundation

/// A per-tenant API key as the store keeps it (ORCH8-SPEC §1.2): who it acts for, what it may do, and
/// when it stops working. The secret itself is never stored, only its SHA-256 (``keyHash``); the
/// plaintext is shown once, when the key is minted.
public struct APIKeyRecord: Sendable, Hashable {
    /// Server-generated id (UUIDv7), used to revoke the key.
    public var id: UUID
    /// The tenant every request made with the key acts for.
    public var tenantID: String
    /// A label for people ("ci deploys"); nil when none was given.
    public var name: String?
    /// What the key may reach; never empty (minting defaults to ``APIKeyCapability/operator``).
    public var capabilities: [APIKeyCapability]
    /// Lowercase hex SHA-256 of the key's UTF-8 text (see ``hash(of:)``); unique.
    public var keyHash: String
    /// The first characters of the key, safe to show so that people can tell keys apart.
    public var prefix: String
    /// When the key was minted.
    public var createdAt: Date
    /// From this time on the key is refused; nil never expires.
    public var expiresAt: Date?
    /// When the key was revoked; nil while it is not.
    public var revokedAt: Date?

    /// Creates a key record.
    public init(
        id: UUID,
        tenantID: String,
        name: String? = nil,
        capabilities: [APIKeyCapability],
        keyHash: String,
        prefix: String,
        createdAt: Date,
        expiresAt: Date? = nil,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.capabilities = capabilities
        self.keyHash = keyHash
        self.prefix = prefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether a request presenting the key at `now` is accepted: neither revoked nor expired.
    public func isActive(at now: Date) -> Bool {
        guard revokedAt == nil else { return false }
        return expiresAt.map { now < $0 } ?? true
    }

    /// Whether the key may send `method` to `path` (see ``APIKeyCapability/allows(method:path:)``):
    /// any one of its capabilities suffices.
    public func allows(method: String, path: String) -> Bool {
        capabilities.contains { $0.allows(method: method, path: path) }
    }

    /// What is stored and looked up for the key `key`: the lowercase hex SHA-256 of its UTF-8 text.
    /// A plain digest suffices (no salt, no slow hash) because minted keys are long random strings,
    /// not passwords: there is nothing to guess from a dictionary.
    public static func hash(of key: String) -> String {
        SHA256.hexDigest(Array(key.utf8))
    }
}

/// What a per-tenant key may reach (ORCH8-SPEC §1.2). Paths are checked as the routes see them, after
/// stripping the `/api/v1` mount, so that both mounts share one rule.
public enum APIKeyCapability: String, WireEnum {
    /// Every product route.
    case `operator`
    /// External workers: `/workers…` and exactly `/handlers`.
    case worker
    /// Defining work: `/releases…`, `/plugins…`, `/sequences…`.
    case publisher
    /// Read-only: any `GET` or `HEAD`.
    case auditor
    /// Human decisions: `/approvals…` and `/instances/{id}/signals`.
    case approver
    /// Mobile sync: `/mobile…`.
    case device

    /// Whether this capability lets a request with `method` (`GET`, `POST`, …) reach `path` (the
    /// request's path, with or without the `/api/v1` mount).
    ///
    /// Paths are compared by their non-empty segments, as the router matches them, so that `//plugins`
    /// or a trailing slash is judged like the route it reaches; a segment is compared whole, so that
    /// `/sequencesX` is not a `/sequences` path.
    public func allows(method: String, path: String) -> Bool {
        let segments = Self.routeSegments(path)
        switch self {
        case .operator:
            return true
        case .worker:
            return segments.first == "workers" || segments == ["handlers"]
        case .publisher:
            return segments.first.map { ["releases", "plugins", "sequences"].contains($0) } ?? false
        case .auditor:
            return method == "GET" || method == "HEAD"
        case .approver:
            return segments.first == "approvals"
                || (segments.count == 3 && segments[0] == "instances" && segments[2] == "signals")
        case .device:
            return segments.first == "mobile"
        }
    }

    /// The path's non-empty segments without the query and without a leading `api`, `v1`.
    static func routeSegments(_ path: String) -> [Substring] {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let segments = pathOnly.split(separator: "/")
        if segments.count >= 2 && segments[0] == "api" && segments[1] == "v1" {
            return Array(segments.dropFirst(2))
        }
        return segments
    }
}
