import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import Orch8API
import Orch8Core
import Orch8Engine
import Orch8Plugins
import Testing

@testable import Orch8Handlers

/// `GET /metrics` through the real application (ORCH8-SPEC §1.4, §10), and the metadata of the
/// engine's log lines. Every test's engine has its own registry, so exact counts hold while other
/// tests run in the same process.
@Suite struct MetricsTests {
    @Test func countersAndHistogramsFollowWhatTheEngineDid() async throws {
        let harness = try APIHarness()
        let module = try PluginModules.write(
            PluginModules.plugin(returning: #"{"ok": true}"#),
            to: harness.directory,
            as: "ok.wasm"
        )
        try await Self.run(harness, extraHandlers: ["flaky": FailsTwice()]) { api in
            let registered = try await api.send(
                .post,
                "/plugins",
                #"{"name": "answer", "plugin_type": "wasm", "source": "\#(module)"}"#
            )
            #expect(registered.status == .created, "\(registered.text)")
            let threeSteps = try await api.createSequence(
                """
                [{"type": "step", "id": "a", "handler": "noop"}, {"type": "step", "id": "b", "handler": "noop"},
                 {"type": "step", "id": "c", "handler": "noop"}]
                """
            )
            let failing = try await api.createSequence(
                #"[{"type": "step", "id": "broken", "handler": "fail", "params": {"message": "no"}}]"#
            )
            let retrying = try await api.createSequence(
                """
                [{"type": "step", "id": "shaky", "handler": "flaky",
                  "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}]
                """
            )
            let plugin = try await api.createSequence(#"[{"type": "step", "id": "p", "handler": "wasm://answer"}]"#)
            let worker = try await api.createSequence(#"[{"type": "step", "id": "w", "handler": "metrics_worker"}]"#)

            try await api.waitFor(try await api.createInstance(threeSteps), "completed")
            try await api.waitFor(try await api.createInstance(failing), "failed")
            try await api.waitFor(try await api.createInstance(retrying), "completed")
            try await api.waitFor(try await api.createInstance(plugin), "completed")
            let waiting = try await api.createInstance(worker)
            try await api.waitFor(waiting, "waiting")
            let cancel = try await api.send(.post, "/instances/\(waiting.wire)/signals", #"{"signal_type": "cancel"}"#)
            #expect(cancel.status == .created, "\(cancel.text)")
            try await api.waitFor(waiting, "cancelled")

            // The counts follow the commits by a moment, and the last run leaves after its commit.
            let scrape = try await api.metrics {
                $0["orch8_instances_completed_total"] == 3 && $0["orch8_active_tasks"] == 0
            }
            let values = scrape.values
            #expect(values["orch8_instances_completed_total"] == 3)
            #expect(values["orch8_instances_failed_total"] == 1)
            // 3 noop steps, 1 failure, 3 attempts of the flaky step, 1 plugin call.
            #expect(values["orch8_steps_executed_total"] == 8)
            #expect(values["orch8_steps_failed_total"] == 1)
            #expect(values["orch8_steps_retried_total"] == 2)
            #expect(values["orch8_tasks_pushed_total"] == 1)
            #expect(values["orch8_signals_delivered_total"] == 1)
            // Each instance at least once; the retrying one once per attempt, the worker's twice.
            #expect((values["orch8_instances_claimed_total"] ?? 0) >= 8)
            #expect(values["orch8_cron_triggered_total"] == 0)
            #expect(values["orch8_cron_skipped_total"] == 0)
            #expect(values["orch8_recovery_stale_instances_total"] == 0)
            // Every in-process call is timed: the 8 step executions above.
            #expect(values["orch8_step_duration_seconds_count"] == 8)
            #expect(values[#"orch8_step_duration_seconds_bucket{le="+Inf"}"#] == 8)
            #expect((values["orch8_instance_processing_seconds_count"] ?? 0) >= 8)
            #expect((values["orch8_tick_duration_seconds_count"] ?? 0) >= 1)
            #expect(values["orch8_queue_depth"] != nil)

            let labels = #"{plugin="answer",kind="wasm"}"#
            #expect(values["orch8_plugin_calls_total\(labels)"] == 1)
            #expect(values["orch8_plugin_errors_total\(labels)"] == 0)
            #expect(values["orch8_plugin_duration_seconds_count\(labels)"] == 1)
            #expect((values["orch8_plugin_fuel_consumed_total\(labels)"] ?? 0) > 0)
            #expect(scrape.text.contains("# TYPE orch8_step_duration_seconds histogram"))
            #expect(scrape.text.contains("# TYPE orch8_steps_executed_total counter"))
            #expect(!scrape.text.contains(waiting.wire), "no instance ids in labels")
            // The API's own requests: the creates above answered 2xx.
            #expect((values[#"orch8_http_requests_total{method="POST",status="2xx"}"#] ?? 0) >= 11)
        }
    }

    @Test func aPluginThatCannotBeResolvedCountsAsAnError() async throws {
        try await Self.run(try APIHarness()) { api in
            let sequence = try await api.createSequence(#"[{"type": "step", "id": "p", "handler": "wasm://nowhere"}]"#)
            try await api.waitFor(try await api.createInstance(sequence), "failed")
            let values = try await api.metrics { $0["orch8_instances_failed_total"] == 1 }.values
            let labels = #"{plugin="unresolved",kind="wasm"}"#
            #expect(values["orch8_plugin_calls_total\(labels)"] == 1)
            #expect(values["orch8_plugin_errors_total\(labels)"] == 1)
            #expect(values["orch8_plugin_fuel_consumed_total\(labels)"] == 0)
        }
    }

    @Test func grpcPluginCallsAreCountedUnderTheRegisteredName() async throws {
        try await HTTP2TestServer.with { server in
            try await Self.run(try APIHarness()) { api in
                let registered = try await api.send(
                    .post,
                    "/plugins",
                    #"{"name": "enrich", "plugin_type": "grpc", "source": "grpc://127.0.0.1:\#(server.port)/Test.Echo"}"#
                )
                #expect(registered.status == .created, "\(registered.text)")
                let echo = try await api.createSequence(#"[{"type": "step", "id": "e", "handler": "grpc://enrich"}]"#)
                // An endpoint called directly counts under the plugin registered for its host.
                let reject = try await api.createSequence(
                    #"[{"type": "step", "id": "r", "handler": "grpc://127.0.0.1:\#(server.port)/Test.Reject"}]"#
                )
                try await api.waitFor(try await api.createInstance(echo), "completed")
                try await api.waitFor(try await api.createInstance(reject), "failed")
                let values = try await api.metrics { $0["orch8_instances_failed_total"] == 1 }.values
                let labels = #"{plugin="enrich",kind="grpc"}"#
                #expect(values["orch8_plugin_calls_total\(labels)"] == 2)
                #expect(values["orch8_plugin_errors_total\(labels)"] == 1)
                #expect(values["orch8_plugin_duration_seconds_count\(labels)"] == 2)
                #expect(values["orch8_plugin_fuel_consumed_total\(labels)"] == 0)
            }
        }
    }

    @Test func metricsAreRootOnlyWithThePrometheusContentType() async throws {
        try await Self.run(try APIHarness()) { api in
            let metrics = try await api.send(.get, "/metrics", mount: "")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.text.contains("orch8_instances_claimed_total 0"))
            #expect(try await api.send(.get, "/metrics").status == .notFound, "not under /api/v1")
        }
    }

    @Test func metricsSitBehindTheAPIKeyAndTheTenantHeader() async throws {
        try await Self.run(try APIHarness(), APIConfiguration(apiKey: "s3cret")) { api in
            var anonymous = api
            anonymous.tenant = nil
            #expect(try await api.send(.get, "/metrics", mount: "").status == .unauthorized)
            let wrong = try await api.send(.get, "/metrics", headers: [.apiKey: "nope"], mount: "")
            #expect(wrong.status == .unauthorized)
            let noTenant = try await anonymous.send(.get, "/metrics", headers: [.apiKey: "s3cret"], mount: "")
            #expect(noTenant.status == .badRequest, "the tenant header is required by default")
            let right = try await api.send(.get, "/metrics", headers: [.apiKey: "s3cret"], mount: "")
            #expect(right.status == .ok)
            #expect(right.text.contains("# TYPE orch8_instances_completed_total counter"))
            let versioned = try await api.send(.get, "/metrics", headers: [.apiKey: "s3cret"])
            #expect(versioned.status == .notFound)
            // The refused scrape was counted too.
            let values = Scrape(text: right.text).values
            #expect((values[#"orch8_http_requests_total{method="GET",status="4xx"}"#] ?? 0) >= 3)
        }
    }

    @Test func theEnginesLogLinesCarryTheInstanceAndTheStep() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "orch8.engine.test") { _ in handler }
        let (retriedID, failedID) = try await Self.run(
            try APIHarness(),
            extraHandlers: ["flaky": FailsTwice()],
            logger: logger
        ) { api in
            let retrying = try await api.createSequence(
                """
                [{"type": "step", "id": "shaky", "handler": "flaky",
                  "retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}]
                """
            )
            let failing = try await api.createSequence(
                #"[{"type": "step", "id": "broken", "handler": "fail", "params": {"message": "no"}}]"#
            )
            let retried = try await api.createInstance(retrying)
            try await api.waitFor(retried, "completed")
            let failed = try await api.createInstance(failing)
            try await api.waitFor(failed, "failed")
            return (retried, failed)
        }
        let entries = handler.entries
        let retries = entries.filter { $0.message == "step failed, retrying" }
        #expect(retries.count == 2, "\(entries)")
        for (attempt, entry) in retries.enumerated() {
            #expect(entry.metadata["instance_id"] == "\(retriedID.wire)")
            #expect(entry.metadata["tenant_id"] == "acme")
            #expect(entry.metadata["block_id"] == "shaky")
            #expect(entry.metadata["handler"] == "flaky")
            #expect(entry.metadata["attempt"] == "\(attempt)")
        }
        let failure = try #require(entries.first { $0.message == "instance failed" }, "\(entries)")
        #expect(failure.level == .warning)
        #expect(failure.metadata["instance_id"] == "\(failedID.wire)")
        #expect(failure.metadata["tenant_id"] == "acme")
        #expect(failure.metadata["block_id"] == "broken")
        #expect(failure.metadata["attempt"] == "0")
    }

    /// What the built-in handlers' own lines (the `log` step's) add to their metadata.
    @Test func handlerLogLinesCarryTheStep() {
        let id = UUID()
        let invocation = StepInvocation(
            instanceID: id,
            tenantID: "acme",
            blockID: "say",
            handler: "log",
            params: ["message": "hello"],
            context: ExecutionContext(),
            attempt: 2
        )
        #expect(
            invocation.logMetadata() == [
                "instance_id": "\(id.wire)", "tenant_id": "acme", "block_id": "say", "handler": "log", "attempt": "2",
            ]
        )
    }

    /// The application as ``APIHarness`` builds it, with the engine's logger given.
    private static func run<T: Sendable>(
        _ harness: APIHarness,
        _ configuration: APIConfiguration = APIConfiguration(),
        extraHandlers: [String: any StepHandler] = [:],
        logger: Logger = Logger(label: "orch8.engine"),
        _ body: @Sendable (APIClient) async throws -> T
    ) async throws -> T {
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.tickInterval = .milliseconds(20)
        engineConfiguration.shutdownGracePeriod = .seconds(2)
        var wasm = WasmConfiguration()
        wasm.threads = 1
        let plugins = PluginHost(store: harness.store, wasm: WasmRuntime(configuration: wasm))
        let engine = Engine(
            store: harness.store,
            configuration: engineConfiguration,
            handlers: BuiltinHandlers.standard().merging(extraHandlers) { _, extra in extra },
            plugins: plugins,
            logger: logger
        )
        let app = buildApplication(
            configuration: configuration,
            store: harness.store,
            engine: engine,
            services: [engine],
            logger: Logger(label: "orch8.api.test")
        )
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        return try await app.test(.router) { client in
            try await body(APIClient(client: client, store: harness.store))
        }
    }
}

/// A scrape of `/metrics`: its text, and its samples by series (`name{labels}`, or `name`).
struct Scrape {
    var text: String

    var values: [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            values[String(line[..<space])] = value
        }
        return values
    }
}

extension APIClient {
    /// Scrapes `/metrics` until `ready` holds of its samples (10 s at most), and returns that scrape.
    func metrics(until ready: ([String: Double]) -> Bool) async throws -> Scrape {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let reply = try await send(.get, "/metrics", mount: "")
            #expect(reply.status == .ok)
            let scrape = Scrape(text: reply.text)
            if ready(scrape.values) || ContinuousClock.now > deadline { return scrape }
            try await Task.sleep(for: .milliseconds(25))
        }
    }
}
