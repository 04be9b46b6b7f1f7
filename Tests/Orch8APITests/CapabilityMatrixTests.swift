import Foundation
import HTTPTypes
import Orch8Core
import Testing

/// Every route the router serves, on both mounts, against a key of every capability: the capability
/// check must stand in front of each of them (a route registered outside the checked group would be
/// open to any key), refusing exactly what ORCH8-SPEC §1.2 gives the capability no right to.
@Suite struct CapabilityMatrixTests {
    static let capabilities = ["operator", "worker", "publisher", "auditor", "approver", "device"]

    /// Routes that answer without a key at all.
    static let open: Set<String> = ["/health/live", "/health/ready", "/info", "/api-docs/openapi.json"]

    /// Whether a tenant key with `capability` may reach `method path` (a router path with `{…}`
    /// captures), as the spec's table lists the capabilities.
    static func reaches(_ capability: String, _ method: String, _ path: String) -> Bool {
        var segments = path.split(separator: "/").map(String.init)
        if segments.starts(with: ["api", "v1"]) { segments.removeFirst(2) }
        // Root-only whatever the capability: key management, and metrics spanning every tenant.
        if segments.first == "api-keys" || segments == ["metrics"] { return false }
        switch capability {
        case "operator": return true
        case "worker": return segments.first == "workers" || segments == ["handlers"]
        case "publisher": return ["sequences", "plugins", "releases"].contains(segments.first ?? "")
        case "auditor": return method == "GET" || method == "HEAD"
        case "approver":
            return segments.first == "approvals" || segments == ["instances", "{id}", "signals"]
        default: return segments.first == "mobile"
        }
    }

    /// `path` with its captures filled in with values that name nothing.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
            .replacingOccurrences(of: "{name}", with: "nothing-here")
            .replacingOccurrences(of: "{slug}", with: "nothing-here")
    }

    @Test func everyRouteRefusesExactlyWhatEachCapabilityMayNotDo() async throws {
        let routes = try OpenAPITests.servedRoutes().sorted()
        #expect(routes.count > 80)
        try await APIHarness().run(APIKeyTests.secured) { api in
            var keys: [String: KeyClient] = [:]
            for capability in Self.capabilities {
                keys[capability] = try await KeyClient.mint(api, capabilities: [capability])
            }
            var checked = 0
            for route in routes {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let (method, path) = (parts[0], parts[1])
                guard !Self.open.contains(path) else { continue }
                let body: String? = ["POST", "PUT", "PATCH"].contains(method) ? "{}" : nil
                for capability in Self.capabilities {
                    let key = try #require(keys[capability])
                    let reply = try await key.send(
                        HTTPRequest.Method(method)!,
                        Self.concrete(path),
                        body,
                        mount: ""
                    )
                    checked += 1
                    if Self.reaches(capability, method, path) {
                        #expect(reply.status != .forbidden && reply.status != .unauthorized, "\(capability) \(route)")
                    } else {
                        #expect(reply.status == .forbidden, "\(capability) \(route): \(reply.status) \(reply.text)")
                    }
                }
            }
            #expect(checked > 450)
        }
    }
}
