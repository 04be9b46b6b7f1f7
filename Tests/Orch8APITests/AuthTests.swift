import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// The API-key and tenant-header checks of ORCH8-SPEC §1.2: bare status codes, empty bodies.
@Suite struct AuthTests {
    @Test func aMissingOrWrongAPIKeyIs401WithAnEmptyBody() async throws {
        try await APIHarness().run(APIConfiguration(apiKey: "s3cret")) { api in
            let missing = try await api.send(.get, "/sequences")
            #expect(missing.status == .unauthorized)
            #expect(missing.text.isEmpty)
            let wrong = try await api.send(.get, "/sequences", headers: [.apiKey: "s3cre7"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.isEmpty)
            let longer = try await api.send(.get, "/sequences", headers: [.apiKey: "s3cret-and-more"])
            #expect(longer.status == .unauthorized)
            let bare = try await api.send(.get, "/sequences", mount: "")
            #expect(bare.status == .unauthorized)
            let right = try await api.send(.get, "/sequences", headers: [.apiKey: "s3cret"])
            #expect(right.status == .ok)
            // Health and info stay public.
            #expect(try await api.send(.get, "/health/live", mount: "").status == .ok)
        }
    }

    @Test func theKeyIsCheckedBeforeTheTenantHeader() async throws {
        try await APIHarness().run(APIConfiguration(apiKey: "s3cret")) { api in
            var anonymous = api
            anonymous.tenant = nil
            let withoutKey = try await anonymous.send(.get, "/sequences")
            #expect(withoutKey.status == .unauthorized)
            let withKey = try await anonymous.send(.get, "/sequences", headers: [.apiKey: "s3cret"])
            #expect(withKey.status == .badRequest)
        }
    }

    @Test func aMissingOrEmptyTenantHeaderIs400WhenRequired() async throws {
        try await APIHarness().run { api in
            var anonymous = api
            anonymous.tenant = nil
            let missing = try await anonymous.send(.get, "/instances")
            #expect(missing.status == .badRequest)
            #expect(missing.text.isEmpty)
            let empty = try await anonymous.send(.get, "/instances", headers: [.tenantID: ""])
            #expect(empty.status == .badRequest)
            #expect(try await anonymous.send(.get, "/handlers", mount: "").status == .badRequest)
        }
    }

    @Test func withoutTheHeaderRequirementTenantChecksArePermissive() async throws {
        try await APIHarness().run(APIConfiguration(requireTenantHeader: false)) { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "a", "handler": "noop"}]"#)
            var anonymous = api
            anonymous.tenant = nil
            #expect(try await anonymous.send(.get, "/sequences/\(sequence.wire)").status == .ok)
            // Another tenant's header hides it.
            var other = api
            other.tenant = "globex"
            let hidden = try await other.send(.get, "/sequences/\(sequence.wire)")
            #expect(hidden.status == .notFound)
            #expect(hidden.error == "not found: sequence \(sequence.wire)")
        }
    }

    @Test func configurationRefusesAKeyWithoutTenantIsolation() {
        #expect(throws: APIConfigurationError.self) {
            try APIConfiguration(apiKey: "k", requireTenantHeader: false).validate()
        }
        #expect(throws: Never.self) {
            try APIConfiguration(apiKey: "k", requireTenantHeader: false, allowNoTenantIsolation: true).validate()
        }
    }
}
