import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Orch8Storage
import Testing

/// Per-tenant API keys (ORCH8-SPEC §1.2): minted, listed and revoked with the root key; a key acts
/// for its tenant only, within its capabilities, on both mounts.
@Suite struct APIKeyTests {
    static let root = "s3cret"
    static let secured = APIConfiguration(apiKey: root)
    static let napping = #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 600000}}]"#

    @Test func theRootKeyMintsListsAndRevokesKeys() async throws {
        let harness = try APIHarness()
        let databasePath = harness.directory.appendingPathComponent("orch8.db").path
        try await harness.run(Self.secured) { api in
            let minted = try await api.send(
                .post,
                "/api-keys",
                #"{"tenant_id": "acme", "name": "ci", "expires_at": "2999-01-01T00:00:00Z"}"#,
                headers: [.apiKey: Self.root]
            )
            #expect(minted.status == .created, "\(minted.text)")
            let secret = try #require(minted.json["key"]?.stringValue)
            #expect(secret.hasPrefix("o8_") && secret.count == 43)
            #expect(minted.json["tenant_id"] == "acme")
            #expect(minted.json["name"] == "ci")
            #expect(minted.json["capabilities"] == ["operator"], "the default capability")
            #expect(minted.json["expires_at"] == "2999-01-01T00:00:00Z")
            #expect(minted.json["revoked_at"] == .null)
            #expect(minted.json["prefix"] == .string(String(secret.prefix(11))))
            let id = try #require(minted.json["id"]?.stringValue)

            // The key works, for its tenant.
            let key = KeyClient(api: api, key: secret)
            #expect(try await key.send(.get, "/sequences").status == .ok)

            // Listings never carry the secret or its hash.
            let listed = try await api.send(.get, "/api-keys", headers: [.apiKey: Self.root])
            #expect(listed.status == .ok)
            var record = minted.json.objectValue ?? [:]
            record["key"] = nil
            #expect(listed.json == [.object(record)])
            #expect(!listed.text.contains(secret))
            #expect(!listed.text.contains(APIKeyRecord.hash(of: secret)))
            var globex = api
            globex.tenant = "globex"
            #expect(try await globex.send(.get, "/api-keys", headers: [.apiKey: Self.root]).json == [])

            // Only the hash is stored: the database files hold it, never the key.
            let stored = try Self.databaseBytes(databasePath)
            #expect(stored.range(of: Data(APIKeyRecord.hash(of: secret).utf8)) != nil, "the files read are the store")
            #expect(stored.range(of: Data(secret.utf8)) == nil)

            // Revocation stops the key at once; the record stays, marked.
            #expect(
                try await globex.send(.delete, "/api-keys/\(id)", headers: [.apiKey: Self.root]).status == .notFound
            )
            #expect(try await api.send(.delete, "/api-keys/\(id)", headers: [.apiKey: Self.root]).status == .noContent)
            let refused = try await key.send(.get, "/sequences")
            #expect(refused.status == .unauthorized)
            #expect(refused.text.isEmpty)
            #expect(try await key.send(.get, "/sequences", mount: "").status == .unauthorized)
            #expect(try await api.send(.delete, "/api-keys/\(id)", headers: [.apiKey: Self.root]).status == .noContent)
            let after = try await api.send(.get, "/api-keys", headers: [.apiKey: Self.root]).json
            #expect(after.arrayValue?.first?["revoked_at"]?.stringValue.flatMap(RFC3339.parse) != nil)
            let unknown = try await api.send(.delete, "/api-keys/\(UUID().wire)", headers: [.apiKey: Self.root])
            #expect(unknown.status == .notFound)
            #expect(unknown.error?.hasPrefix("not found: api key") == true)
        }
    }

    @Test func metricsAreForTheRootKeyOnly() async throws {
        try await APIHarness().run(Self.secured) { api in
            // Series span every tenant (plugin names, counts): even an operator key is refused.
            for capability in ["operator", "auditor"] {
                let key = try await KeyClient.mint(api, capabilities: [capability])
                #expect(try await key.send(.get, "/metrics", mount: "").status == .forbidden, "\(capability)")
            }
            let root = try await api.send(.get, "/metrics", headers: [.apiKey: Self.root], mount: "")
            #expect(root.status == .ok)
        }
    }

    @Test func mintingRefusesBadBodies() async throws {
        try await APIHarness().run(Self.secured) { api in
            func mint(_ body: String) async throws -> Reply {
                try await api.send(.post, "/api-keys", body, headers: [.apiKey: Self.root])
            }
            let unknown = try await mint(#"{"tenant_id": "acme", "capabilities": ["worker", "janitor"]}"#)
            #expect(unknown.status == .badRequest)
            #expect(unknown.error?.contains("unknown capability `janitor` in `capabilities`") == true)
            let badTime = try await mint(#"{"tenant_id": "acme", "expires_at": "tomorrow"}"#)
            #expect(badTime.status == .badRequest)
            #expect(badTime.error?.contains("`expires_at`") == true)
            let past = try await mint(#"{"tenant_id": "acme", "expires_at": "2001-01-01T00:00:00Z"}"#)
            #expect(past.status == .badRequest)
            #expect(past.error?.contains("`expires_at` must be in the future") == true)
            #expect(try await mint(#"{"name": "no tenant"}"#).status == .unprocessableContent)
            #expect(try await mint(#"{"tenant_id": "  "}"#).status == .unprocessableContent)
            let otherTenant = try await mint(#"{"tenant_id": "globex"}"#)
            #expect(otherTenant.status == .forbidden, "the header's tenant is the context")
            let several = try await mint(#"{"tenant_id": "acme", "capabilities": ["worker", "auditor", "worker"]}"#)
            #expect(several.json["capabilities"] == ["worker", "auditor"])
            #expect(try await api.send(.get, "/api-keys", headers: [.apiKey: Self.root]).json.arrayValue?.count == 1)
        }
    }

    @Test func aTenantKeyCannotManageKeys() async throws {
        try await APIHarness().run(Self.secured) { api in
            let key = try await KeyClient.mint(api)
            let id = try #require(try await api.send(.get, "/api-keys", headers: [.apiKey: Self.root]).json[0]?["id"])
            for mount in ["/api/v1", ""] {
                let mint = try await key.send(.post, "/api-keys", #"{"tenant_id": "acme"}"#, mount: mount)
                #expect(mint.status == .forbidden)
                #expect(mint.error == "forbidden: API key management requires the root API key")
                #expect(try await key.send(.get, "/api-keys", mount: mount).status == .forbidden)
                let revoke = try await key.send(.delete, "/api-keys/\(id.stringValue ?? "")", mount: mount)
                #expect(revoke.status == .forbidden)
            }
            #expect(try await key.send(.get, "/sequences").status == .ok, "the key was not revoked")
        }
    }

    @Test func unknownExpiredAndMismatchedKeysAreRefused() async throws {
        try await APIHarness().run(Self.secured) { api in
            let unknown = KeyClient(api: api, key: "o8_" + String(repeating: "x", count: 40))
            let refused = try await unknown.send(.get, "/sequences")
            #expect(refused.status == .unauthorized)
            #expect(refused.text.isEmpty)

            // An expiry in the past cannot be minted: the store is given one directly.
            let secret = "o8_expired-key"
            try await api.store.createAPIKey(
                APIKeyRecord(
                    id: UUID(),
                    tenantID: "acme",
                    capabilities: [.operator],
                    keyHash: APIKeyRecord.hash(of: secret),
                    prefix: "o8_expired",
                    createdAt: Date().addingTimeInterval(-120),
                    expiresAt: Date().addingTimeInterval(-60)
                )
            )
            let expired = try await KeyClient(api: api, key: secret).send(.get, "/sequences", mount: "")
            #expect(expired.status == .unauthorized)
            #expect(expired.text.isEmpty)

            let key = try await KeyClient.mint(api)
            for mount in ["/api/v1", ""] {
                let mismatch = try await key.send(.get, "/sequences", tenant: "globex", mount: mount)
                #expect(mismatch.status == .forbidden)
                #expect(mismatch.text.isEmpty)
                #expect(try await key.send(.get, "/sequences", tenant: "acme", mount: mount).status == .ok)
                #expect(
                    try await key.send(.get, "/sequences", tenant: nil, mount: mount).status == .ok,
                    "no header needed"
                )
            }
        }
    }

    @Test(arguments: ["/api/v1", ""])
    func eachCapabilityReachesOnlyItsRoutes(mount: String) async throws {
        try await APIHarness().run(Self.secured) { api in
            let root = KeyClient(api: api, key: Self.root)
            let sequence = UUID()
            let created = try await root.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: sequence, name: "nap", blocks: Self.napping)
            )
            #expect(created.status == .created, "\(created.text)")
            let instanceBody = APIClient.instanceJSON(sequence)
            let instance = try await root.send(.post, "/instances", instanceBody)
            let instanceID = try #require(instance.json["id"]?.stringValue)

            let worker = try await KeyClient.mint(api, capabilities: ["worker"])
            let poll = #"{"handler_name": "scan", "worker_id": "w1"}"#
            #expect(try await worker.send(.post, "/workers/tasks/poll", poll, mount: mount).status == .ok)
            #expect(try await worker.send(.get, "/handlers", mount: mount).status == .ok)
            try await Self.expectRefused(worker.send(.post, "/sequences", "{}", mount: mount))
            try await Self.expectRefused(worker.send(.get, "/instances", mount: mount))

            let publisher = try await KeyClient.mint(api, capabilities: ["publisher"])
            let published = try await publisher.send(
                .post,
                "/sequences",
                APIClient.sequenceJSON(id: UUID(), name: "published", blocks: Self.napping),
                mount: mount
            )
            #expect(published.status == .created, "\(published.text)")
            let plugin = #"{"name": "scorer", "plugin_type": "grpc", "source": "localhost:50051/Svc.Method"}"#
            #expect(try await publisher.send(.post, "/plugins", plugin, mount: mount).status == .created)
            #expect(try await publisher.send(.get, "/sequences/\(sequence.wire)", mount: mount).status == .ok)
            try await Self.expectRefused(publisher.send(.post, "/instances", instanceBody, mount: mount))
            try await Self.expectRefused(publisher.send(.get, "/handlers", mount: mount))

            let auditor = try await KeyClient.mint(api, capabilities: ["auditor"])
            #expect(try await auditor.send(.get, "/instances", mount: mount).status == .ok)
            #expect(try await auditor.send(.get, "/instances/\(instanceID)", mount: mount).status == .ok)
            #expect(try await auditor.send(.get, "/sequences/\(sequence.wire)", mount: mount).status == .ok)
            try await Self.expectRefused(auditor.send(.post, "/instances", instanceBody, mount: mount))
            try await Self.expectRefused(auditor.send(.delete, "/plugins/scorer", mount: mount))

            let approver = try await KeyClient.mint(api, capabilities: ["approver"])
            #expect(try await approver.send(.get, "/approvals", mount: mount).status == .ok)
            let signal = #"{"signal_type": "update_context", "payload": {"data": {"approved": true}}}"#
            let sent = try await approver.send(.post, "/instances/\(instanceID)/signals", signal, mount: mount)
            #expect(sent.status == .created, "\(sent.text)")
            try await Self.expectRefused(approver.send(.get, "/instances/\(instanceID)", mount: mount))
            try await Self.expectRefused(approver.send(.post, "/instances/\(instanceID)/retry", "{}", mount: mount))

            let device = try await KeyClient.mint(api, capabilities: ["device"])
            try await Self.expectRefused(device.send(.get, "/sequences", mount: mount))

            // Capabilities add up.
            let both = try await KeyClient.mint(api, capabilities: ["worker", "auditor"])
            #expect(try await both.send(.get, "/instances", mount: mount).status == .ok)
            #expect(try await both.send(.post, "/workers/tasks/poll", poll, mount: mount).status == .ok)
            try await Self.expectRefused(both.send(.post, "/instances", instanceBody, mount: mount))
        }
    }

    @Test func aTenantKeyNeverSeesAnotherTenantsResources() async throws {
        try await APIHarness().run(Self.secured) { api in
            // globex's resources, made with the root key.
            let root = KeyClient(api: api, key: Self.root)
            let sequence = UUID()
            let json = APIClient.sequenceJSON(id: sequence, name: "theirs", blocks: Self.napping)
                .replacingOccurrences(of: #""tenant_id": "acme""#, with: #""tenant_id": "globex""#)
            #expect(try await root.send(.post, "/sequences", json, tenant: "globex").status == .created)
            let instanceBody = APIClient.instanceJSON(sequence)
                .replacingOccurrences(of: #""tenant_id": "acme""#, with: #""tenant_id": "globex""#)
            let instance = try await root.send(.post, "/instances", instanceBody, tenant: "globex")
            let instanceID = try #require(instance.json["id"]?.stringValue)
            let plugin = #"{"name": "theirs", "plugin_type": "grpc", "source": "localhost:50051/Svc.Method"}"#
            #expect(try await root.send(.post, "/plugins", plugin, tenant: "globex").status == .created)
            #expect(try await root.send(.get, "/plugins/theirs", tenant: "globex").status == .ok)

            let key = try await KeyClient.mint(api)
            for mount in ["/api/v1", ""] {
                for path in ["/sequences/\(sequence.wire)", "/instances/\(instanceID)", "/plugins/theirs"] {
                    #expect(try await key.send(.get, path, mount: mount).status == .notFound, "\(path)")
                    #expect(try await key.send(.get, path, tenant: nil, mount: mount).status == .notFound, "\(path)")
                }
                let signal = #"{"signal_type": "cancel"}"#
                let cancel = try await key.send(.post, "/instances/\(instanceID)/signals", signal, mount: mount)
                #expect(cancel.status == .notFound)
                // Everything under the instance, the plugin and the sequence: reads and changes alike.
                let attempts: [(HTTPRequest.Method, String, String?)] = [
                    (.get, "/instances/\(instanceID)/outputs", nil), (.get, "/instances/\(instanceID)/tree", nil),
                    (.get, "/instances/\(instanceID)/children", nil), (.get, "/instances/\(instanceID)/logs", nil),
                    (.patch, "/instances/\(instanceID)/context", #"{"context": {"data": {"taken": true}}}"#),
                    (.patch, "/instances/\(instanceID)/state", #"{"state": "paused"}"#),
                    (.post, "/instances/\(instanceID)/retry", nil),
                    (.patch, "/plugins/theirs", #"{"enabled": false}"#), (.delete, "/plugins/theirs", nil),
                    (.get, "/sequences/by-name?tenant_id=globex&namespace=default&name=theirs", nil),
                    (.post, "/sequences/\(sequence.wire)/deprecate", nil),
                    (.delete, "/sequences/\(sequence.wire)", nil),
                ]
                for (method, path, body) in attempts {
                    let reply = try await key.send(method, path, body, mount: mount)
                    #expect([.notFound, .forbidden].contains(reply.status), "\(method) \(path): \(reply.status)")
                    #expect(!reply.text.contains("globex"), "\(method) \(path): \(reply.text)")
                }
                let versions = try await key.send(
                    .get,
                    "/sequences/versions?tenant_id=globex&namespace=default&name=theirs",
                    mount: mount
                )
                #expect(!versions.text.contains(sequence.wire), "\(versions.text)")
                for path in ["/sequences", "/instances", "/plugins"] {
                    let listed = try await key.send(.get, path + "?tenant_id=globex", tenant: nil, mount: mount)
                    #expect(listed.status == .ok)
                    #expect(!listed.text.contains("theirs") && !listed.text.contains(instanceID), "\(path)")
                }
            }
            // The root key, for comparison, sees them, none of them changed.
            let all = try await root.send(.get, "/instances", tenant: "globex")
            #expect(all.text.contains(instanceID))
            let theirs = try await root.send(.get, "/instances/\(instanceID)", tenant: "globex").json
            #expect(
                theirs["state"] != nil && theirs["state"] != "paused" && theirs["context"]?["data"]?["taken"] == nil,
                "\(theirs)"
            )
            #expect(try await root.send(.get, "/plugins/theirs", tenant: "globex").json["enabled"] == true)
            let kept = try await root.send(.get, "/sequences/\(sequence.wire)", tenant: "globex")
            #expect(kept.status == .ok && kept.json["deprecated"] == false, "\(kept.text)")
        }
    }

    @Test func withoutARootKeyATenantKeyStillScopesAndRevocationHolds() async throws {
        try await APIHarness().run(APIConfiguration()) { api in
            let minted = try await api.send(.post, "/api-keys", #"{"tenant_id": "acme", "capabilities": ["auditor"]}"#)
            #expect(minted.status == .created, "insecure mode is admin")
            let secret = try #require(minted.json["key"]?.stringValue)
            let key = KeyClient(api: api, key: secret)
            #expect(try await key.send(.get, "/sequences").status == .ok)
            #expect(try await key.send(.get, "/sequences", tenant: "globex").status == .forbidden)
            try await Self.expectRefused(key.send(.post, "/sequences", "{}"))
            #expect(try await key.send(.post, "/api-keys", #"{"tenant_id": "acme"}"#).status == .forbidden)
            // Anything else in the header is ignored, as without a key.
            #expect(
                try await KeyClient(api: api, key: "whatever").send(.post, "/api-keys", #"{"tenant_id": "acme"}"#)
                    .status == .created
            )

            let id = try #require(minted.json["id"]?.stringValue)
            #expect(try await api.send(.delete, "/api-keys/\(id)").status == .noContent)
            #expect(try await key.send(.get, "/sequences").status == .unauthorized)
        }
    }

    /// A bare 403 with an empty body, as the capability check answers.
    static func expectRefused(
        _ reply: Reply,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == .forbidden, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.text.isEmpty, sourceLocation: sourceLocation)
    }

    /// The bytes of the SQLite database and its write-ahead log, where recent writes still are.
    static func databaseBytes(_ path: String) throws -> Data {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        if let wal = FileManager.default.contents(atPath: path + "-wal") { bytes.append(wal) }
        return bytes
    }
}

/// Requests that present one API key, with `x-tenant-id: acme` unless told otherwise.
struct KeyClient: Sendable {
    let api: APIClient
    let key: String

    /// Mints a key of `acme` with `capabilities` (nil: the default) through the root key.
    static func mint(_ api: APIClient, capabilities: [String]? = nil) async throws -> KeyClient {
        let names = capabilities.map { #", "capabilities": ["# + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let reply = try await api.send(
            .post,
            "/api-keys",
            #"{"tenant_id": "acme""# + (names ?? "") + "}",
            headers: [.apiKey: APIKeyTests.root]
        )
        #expect(reply.status == .created, "\(reply.text)")
        return KeyClient(api: api, key: try #require(reply.json["key"]?.stringValue))
    }

    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        _ body: String? = nil,
        tenant: String? = "acme",
        mount: String? = nil
    ) async throws -> Reply {
        var api = self.api
        api.tenant = tenant
        return try await api.send(method, path, body, headers: [.apiKey: key], mount: mount)
    }
}
