import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

/// The root-only public routes of ORCH8-SPEC §1.4: liveness, readiness and build information. They
/// sit outside the API-key and tenant checks.
struct HealthController {
    /// `version` of `GET /info`.
    static let version = "0.1.0"
    /// `storage_schema_version` of `GET /info`: the original's schema version, which clients compare.
    static let storageSchemaVersion = 80
    /// `contract_schema_version` of `GET /info`.
    static let contractSchemaVersion = 1

    let store: any Store
    let engine: Engine
    let configuration: APIConfiguration

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("health/live") { _, _ in Response.empty(.ok) }
        router.get("health/ready") { _, context in await ready(context) }
        router.get("info") { _, _ in info() }
    }

    /// 200 while the engine loop runs and the store answers, else 503; empty either way.
    func ready(_ context: APIRequestContext) async -> Response {
        guard engine.isAlive else { return .empty(.serviceUnavailable) }
        do {
            try await store.ping()
            return .empty(.ok)
        } catch {
            context.logger.warning("readiness check: store ping failed", metadata: ["error": "\(error)"])
            return .empty(.serviceUnavailable)
        }
    }

    func info() -> Response {
        .json([
            "version": .string(Self.version),
            "storage_schema_version": .int(Int64(Self.storageSchemaVersion)),
            "contract_schema_version": .int(Int64(Self.contractSchemaVersion)),
            "env_label": configuration.environmentLabel.map(JSON.string) ?? .null,
            "env_color": configuration.environmentColor.map(JSON.string) ?? .null,
        ])
    }
}
