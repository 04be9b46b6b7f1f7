import HTTPTypes
import Hummingbird
import Orch8Engine

/// `GET /metrics` (ORCH8-SPEC §1.4): the engine's metrics, and the API's own request counter, as
/// Prometheus text. Root-only, but unlike the health routes behind the API-key and tenant checks;
/// and for the root key only (or an open server): the series span every tenant (plugin names and
/// call counts), which a tenant's key must not read.
struct MetricsController {
    /// The text exposition format's media type, as Prometheus scrapers ask for it.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let engine: Engine

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("metrics") { _, context in
            guard context.isAdmin else { return Response(status: .forbidden) }
            let text = engine.metrics.exposition()
            return Response(
                status: .ok,
                headers: [.contentType: Self.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text))
            )
        }
    }
}
