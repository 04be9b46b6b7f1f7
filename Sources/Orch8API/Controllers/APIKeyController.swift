import Foundation
import Hummingbird
import Logging
import Orch8Core

/// The key-management routes of ORCH8-SPEC §1.2 and §1.11: mint (`POST /api-keys`), list
/// (`GET /api-keys`) and revoke (`DELETE /api-keys/{id}`) per-tenant API keys. Every route requires
/// the root key (403 otherwise, JSON body).
///
/// A minted key's plaintext is in the mint's answer and nowhere else: the store keeps its SHA-256,
/// and listings show only its ``APIKeyRecord/prefix``. The tenant rules are those of every resource:
/// with `X-Tenant-Id`, the root key manages only that tenant's keys.
struct APIKeyController {
    /// What every minted key starts with, so that a leaked one is recognizable (by people and by
    /// secret scanners).
    static let keyPrefix = "o8_"
    /// Random characters after ``keyPrefix``: 40 of 62 symbols, about 238 bits.
    static let randomLength = 40
    /// How much of a key ``APIKeyRecord/prefix`` shows: the marker and 8 random characters, too few
    /// to help guess the rest.
    static let shownLength = 11
    /// Longest `name`.
    static let maxNameLength = 256

    let store: any Store
    let configuration: APIConfiguration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("api-keys", use: create)
        group.get("api-keys", use: list)
        group.delete("api-keys/{id}", use: revoke)
    }

    /// `POST /api-keys`: 201 with the key's record and, this once, its plaintext `key`. A missing or
    /// empty `tenant_id` is a 422; an unknown capability, a bad `expires_at` or `name` a 400 naming
    /// the field and the value.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.tenancy.checkCanManageKeys()
        let body = try await request.decodeJSON(CreateRequest.self, limit: configuration.maxBodyBytes)
        let tenant = try context.tenancy.tenantForCreate(body: body.tenantID)
        let now = PluginController.storedNow()
        let capabilities = try Self.capabilities(body.capabilities)
        let expiresAt = try Self.expiry(body.expiresAt, now: now)
        if let name = body.name {
            if name.allSatisfy(\.isWhitespace) { throw APIError.invalidArgument("`name` must not be empty when given") }
            if name.count > Self.maxNameLength {
                throw APIError.invalidArgument("`name` must be at most \(Self.maxNameLength) characters")
            }
        }
        let secret = Self.mintSecret()
        let key = APIKeyRecord(
            id: UUIDv7.generate(now: now),
            tenantID: tenant,
            name: body.name,
            capabilities: capabilities,
            keyHash: APIKeyRecord.hash(of: secret),
            prefix: String(secret.prefix(Self.shownLength)),
            createdAt: now,
            expiresAt: expiresAt
        )
        try await store.createAPIKey(key)
        context.logger.info("API key minted", metadata: metadata(key))
        var json = Self.json(key)
        json["key"] = .string(secret)
        return .json(.object(json), status: .created)
    }

    /// `GET /api-keys?tenant_id`: a plain array by creation time, without secrets or hashes; revoked
    /// and expired keys included (with `revoked_at`, `expires_at`). The tenant context overrides
    /// `tenant_id`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.tenancy.checkCanManageKeys()
        let tenant = context.tenancy.listFilter(query: QueryParameters(request)["tenant_id"])
        let keys = try await store.apiKeys(tenantID: tenant)
        return .json(.array(keys.map { .object(Self.json($0)) }))
    }

    /// `DELETE /api-keys/{id}`: 204, after which the key is refused (401) by every node; revoking a
    /// revoked key is a 204 too. 404 for an unknown key or one of another tenant than the context.
    @Sendable func revoke(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.tenancy.checkCanManageKeys()
        let id = try context.pathUUID()
        guard try await store.revokeAPIKey(id: id, tenantID: context.tenancy.contextTenant, now: Date()) else {
            throw APIError.notFound("api key \(id.wire)")
        }
        context.logger.info("API key revoked", metadata: ["api_key.id": "\(id.wire)"])
        return .empty(.noContent)
    }

    private func metadata(_ key: APIKeyRecord) -> Logger.Metadata {
        [
            "api_key.id": "\(key.id.wire)", "api_key.tenant": "\(key.tenantID)", "api_key.prefix": "\(key.prefix)",
            "api_key.capabilities": "\(key.capabilities.map(\.rawValue).joined(separator: ","))",
        ]
    }
}

extension APIKeyController {
    /// The body of `POST /api-keys`.
    struct CreateRequest: Decodable {
        var tenantID: String
        var name: String?
        /// Capability names, checked by ``APIKeyController/capabilities(_:)`` so that an unknown one
        /// is a 400 naming it rather than a decoding failure.
        var capabilities: [String]?
        /// RFC 3339 text, checked by ``APIKeyController/expiry(_:now:)``.
        var expiresAt: String?

        enum CodingKeys: String, CodingKey {
            case tenantID = "tenant_id"
            case name
            case capabilities
            case expiresAt = "expires_at"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tenantID = try container.decode(String.self, forKey: .tenantID)
            // As every `tenant_id` of a request body (ORCH8-SPEC §0): blank is a decoding failure.
            guard !tenantID.allSatisfy(\.isWhitespace) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .tenantID,
                    in: container,
                    debugDescription: "must not be empty or whitespace"
                )
            }
            name = try container.decodeIfPresent(String.self, forKey: .name)
            capabilities = try container.decodeIfPresent([String].self, forKey: .capabilities)
            expiresAt = try container.decodeIfPresent(String.self, forKey: .expiresAt)
        }
    }

    /// The capabilities named, in order without repeats; `operator` when none are.
    /// - Throws: ``APIError/invalidArgument(_:)`` naming the first unknown name.
    static func capabilities(_ names: [String]?) throws(APIError) -> [APIKeyCapability] {
        var capabilities: [APIKeyCapability] = []
        for name in names ?? [] {
            guard let capability = APIKeyCapability(rawValue: name) else {
                throw .invalidArgument(
                    "unknown capability `\(name)` in `capabilities`, expected one of \(APIKeyCapability.wireSpellings)"
                )
            }
            if !capabilities.contains(capability) { capabilities.append(capability) }
        }
        return capabilities.isEmpty ? [.operator] : capabilities
    }

    /// The expiry time of `text`, which must lie after `now`; nil without one.
    /// - Throws: ``APIError/invalidArgument(_:)``.
    static func expiry(_ text: String?, now: Date) throws(APIError) -> Date? {
        guard let text else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw .invalidArgument("`expires_at` must be an RFC 3339 timestamp, found '\(text)'")
        }
        guard date > now else {
            throw .invalidArgument("`expires_at` must be in the future, found '\(text)'")
        }
        // Stored in milliseconds: rounded the same way here, so that the answer matches what is kept.
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// A new key: ``keyPrefix`` and ``randomLength`` characters drawn uniformly from `[0-9A-Za-z]` by
    /// the system's cryptographically secure generator.
    static func mintSecret() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        // `Int.random(in:using:)` rejects out-of-range draws, so every symbol is equally likely.
        let random = (0..<randomLength).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return keyPrefix + String(random)
    }

    /// The wire form of a key, without its secret or hash.
    static func json(_ key: APIKeyRecord) -> [String: JSON] {
        [
            "id": .string(key.id.wire),
            "tenant_id": .string(key.tenantID),
            "name": key.name.map(JSON.string) ?? .null,
            "capabilities": .array(key.capabilities.map { .string($0.rawValue) }),
            "prefix": .string(key.prefix),
            "created_at": .string(RFC3339.format(key.createdAt)),
            "expires_at": key.expiresAt.map { .string(RFC3339.format($0)) } ?? .null,
            "revoked_at": key.revokedAt.map { .string(RFC3339.format($0)) } ?? .null,
        ]
    }
}
