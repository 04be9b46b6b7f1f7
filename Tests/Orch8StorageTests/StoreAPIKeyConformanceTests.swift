import Foundation
import Orch8Core
import Testing

/// Per-tenant API keys: stored by hash, listed per tenant, revoked in place.
@Suite struct StoreAPIKeyConformanceTests {
    private func key(
        _ secret: String,
        tenant: String = "acme",
        capabilities: [APIKeyCapability] = [.worker, .auditor],
        created: Int64 = 0,
        expires: Date? = nil
    ) -> APIKeyRecord {
        APIKeyRecord(
            id: UUID(),
            tenantID: tenant,
            name: "key \(secret)",
            capabilities: capabilities,
            keyHash: APIKeyRecord.hash(of: secret),
            prefix: String(secret.prefix(6)),
            createdAt: Fixtures.epoch(plus: created),
            expiresAt: expires
        )
    }

    @Test(arguments: StoreBackend.all)
    func keysAreFoundByHashAndListedPerTenant(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        var first = key("o8_first", capabilities: [.publisher], created: 1, expires: Fixtures.epoch(plus: 60_000))
        first.name = nil
        let second = key("o8_second", created: 2)
        let other = key("o8_other", tenant: "globex", capabilities: [.operator], created: 3)
        for record in [second, other, first] { try await store.createAPIKey(record) }

        #expect(try await store.apiKey(hash: APIKeyRecord.hash(of: "o8_first")) == first, "every field")
        #expect(try await store.apiKey(hash: APIKeyRecord.hash(of: "o8_second")) == second)
        #expect(try await store.apiKey(hash: APIKeyRecord.hash(of: "o8_unknown")) == nil)
        #expect(try await store.apiKeys(tenantID: "acme") == [first, second], "by creation time")
        #expect(try await store.apiKeys(tenantID: "globex") == [other])
        #expect(try await store.apiKeys(tenantID: nil).map(\.id) == [first.id, second.id, other.id])
        #expect(try await store.apiKeys(tenantID: "initech").isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func revokingKeepsTheKeyWithItsFirstRevocationTime(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let record = key("o8_revoked")
        try await store.createAPIKey(record)
        let hash = APIKeyRecord.hash(of: "o8_revoked")

        #expect(try await !store.revokeAPIKey(id: record.id, tenantID: "globex", now: Fixtures.epoch(plus: 5)))
        #expect(try await store.apiKey(hash: hash)?.revokedAt == nil, "another tenant cannot revoke it")
        #expect(try await !store.revokeAPIKey(id: UUID(), tenantID: nil, now: Fixtures.epoch(plus: 5)))

        #expect(try await store.revokeAPIKey(id: record.id, tenantID: "acme", now: Fixtures.epoch(plus: 10)))
        let revoked = try #require(try await store.apiKey(hash: hash))
        #expect(revoked.revokedAt == Fixtures.epoch(plus: 10))
        #expect(!revoked.isActive(at: Fixtures.epoch(plus: 11)))
        #expect(try await store.revokeAPIKey(id: record.id, tenantID: nil, now: Fixtures.epoch(plus: 20)))
        #expect(try await store.apiKey(hash: hash)?.revokedAt == Fixtures.epoch(plus: 10), "the first time is kept")
        #expect(try await store.apiKeys(tenantID: "acme").map(\.revokedAt) == [Fixtures.epoch(plus: 10)])
    }

    @Test(arguments: StoreBackend.all)
    func aDuplicateHashOrIDIsRefused(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let record = key("o8_once")
        try await store.createAPIKey(record)
        var sameID = key("o8_twice")
        sameID.id = record.id
        for duplicate in [key("o8_once", tenant: "globex"), sameID] {
            await #expect {
                try await store.createAPIKey(duplicate)
            } throws: { error in
                guard case StoreError.alreadyExists = error else { return false }
                return true
            }
        }
        #expect(try await store.apiKeys(tenantID: nil) == [record])
    }

    @Test func activityFollowsRevocationAndExpiry() {
        var record = key("o8_x", expires: Fixtures.epoch(plus: 1000))
        #expect(record.isActive(at: Fixtures.epoch(plus: 999)))
        #expect(!record.isActive(at: Fixtures.epoch(plus: 1000)), "expiry is exclusive")
        record.expiresAt = nil
        #expect(record.isActive(at: .distantFuture))
        record.revokedAt = Fixtures.epoch
        #expect(!record.isActive(at: Fixtures.epoch(plus: -1)), "revoked is revoked, whatever the time")
    }

    @Test func capabilitiesAllowTheirPathsOnBothMounts() {
        let cases: [(APIKeyCapability, String, String, Bool)] = [
            (.operator, "DELETE", "/api/v1/sequences/x", true),
            (.worker, "POST", "/api/v1/workers/tasks/poll", true),
            (.worker, "GET", "/handlers", true),
            (.worker, "GET", "/handlers/x", false),
            (.worker, "POST", "/sequences", false),
            (.worker, "GET", "/api/v1/workersx", false),
            (.publisher, "POST", "/api/v1/sequences", true),
            (.publisher, "PATCH", "/plugins/p", true),
            (.publisher, "GET", "/releases", true),
            (.publisher, "POST", "/instances", false),
            (.publisher, "POST", "//sequences/", true),
            (.auditor, "GET", "/api/v1/instances", true),
            (.auditor, "HEAD", "/instances", true),
            (.auditor, "POST", "/api/v1/instances", false),
            (.approver, "GET", "/approvals?tenant_id=x", true),
            (.approver, "POST", "/api/v1/instances/abc/signals", true),
            (.approver, "POST", "/api/v1/instances/abc/retry", false),
            (.approver, "GET", "/instances", false),
            (.device, "GET", "/mobile/sync", true),
            (.device, "GET", "/telemetry/mobile", false),
            (.worker, "GET", "/api/v2/workers", false),
        ]
        for (capability, method, path, allowed) in cases {
            #expect(capability.allows(method: method, path: path) == allowed, "\(capability) \(method) \(path)")
        }
        #expect(key("o8_y", capabilities: [.worker, .auditor]).allows(method: "GET", path: "/sequences"))
        #expect(!key("o8_y", capabilities: [.worker, .auditor]).allows(method: "POST", path: "/sequences"))
    }
}
