import HTTPTypes
import Hummingbird
import Prometheus
import Synchronization

/// Counts answered requests in `orch8_http_requests_total{method, status}`, by method and status
/// class (`2xx`…`5xx`): two small label sets, so the series stay few whatever the paths. Sits
/// outside the error middleware, so that it sees the status the client got.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    private let counters: Counters

    init(registry: PrometheusCollectorRegistry) {
        counters = Counters(registry: registry)
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            counters.count(method: request.method.rawValue, status: status)
            throw error
        }
        counters.count(method: request.method.rawValue, status: response.status.code)
        return response
    }

    /// The counters by method and status class, made on first use.
    private final class Counters: Sendable {
        /// Methods counted under their own name; any other is `other`.
        private static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

        private struct Key: Hashable {
            var method: String
            var statusClass: Int
        }

        private let registry: PrometheusCollectorRegistry
        private let known = Mutex<[Key: Counter]>([:])

        init(registry: PrometheusCollectorRegistry) {
            self.registry = registry
        }

        func count(method: String, status: Int) {
            let key = Key(
                method: Self.methods.contains(method) ? method : "other",
                statusClass: min(max(status / 100, 1), 5)
            )
            let counter = known.withLock { known in
                if let counter = known[key] { return counter }
                let counter = registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        metricName: "orch8_http_requests_total",
                        unitName: "",
                        helpText: "HTTP requests answered, by method and status class."
                    ),
                    labels: [("method", key.method), ("status", "\(key.statusClass)xx")]
                )
                known[key] = counter
                return counter
            }
            counter.increment()
        }
    }
}
