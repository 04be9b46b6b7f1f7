import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Orch8Core
import Orch8Storage
import Synchronization
import Testing

/// Several `orch8 serve` processes on one PostgreSQL database (scripts/postgres sets
/// `ORCH8_TEST_POSTGRES_URL`): work shared with no step run twice, a dead node's work finished by the
/// other, timers resumed anywhere, plugin changes seen everywhere.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["ORCH8_TEST_POSTGRES_URL"] != nil))
struct MultiNodeTests {
    /// A fresh database, a scratch directory for logs, and a store to read results with.
    struct Cluster {
        let url: String
        let directory: URL
        let store: PostgresStore

        init() async throws {
            let server = ProcessInfo.processInfo.environment["ORCH8_TEST_POSTGRES_URL"] ?? ""
            let name = "orch8_nodes_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            url = try await PostgresStore.createDatabase(name, onServerOf: server)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "orch8-nodes-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try await PostgresStore.connect(url: url, maximumConnections: 2)
        }

        func node(_ id: String, _ environment: [String: String] = [:]) -> ServerProcess {
            ServerProcess(
                databaseURL: url,
                logBase: directory.appendingPathComponent(id).path,
                environment: ["ORCH8_NODE_ID": id, "ORCH8_ALLOW_INTERNAL_URLS": "1"].merging(environment) { _, new in
                    new
                }
            )
        }

        /// How many instances are in `state`.
        func count(_ state: InstanceState) async throws -> Int {
            try await store.instances(InstanceQuery(states: [state], limit: 100_000)).count
        }

        /// Waits until `count` instances are completed (or two minutes pass); returns how many are.
        func completed(reaching count: Int) async throws -> Int {
            let deadline = ContinuousClock.now + .seconds(120)
            var done = 0
            while ContinuousClock.now < deadline {
                done = try await self.count(.completed)
                if done >= count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            return done
        }
    }

    /// Counts the calls each (instance number, step) makes to it: the steps' side effect.
    final class Hits: Sendable {
        let calls = Mutex<[String: Int]>([:])
        var snapshot: [String: Int] { calls.withLock { $0 } }

        /// Serves `POST /hit` (a JSON `{"n", "step"}` body) while `body` runs.
        func serve<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
            let router = Router()
            router.post("/hit") { request, _ in
                let bytes = try await request.body.collect(upTo: 1 << 16)
                let json = (try? JSON.parse(String(buffer: bytes))) ?? .null
                let key = "\(json["n"]?.intValue ?? -1)/\(json["step"]?.stringValue ?? "?")"
                self.calls.withLock { $0[key, default: 0] += 1 }
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: "{}"))
                )
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            return try await app.test(.live) { client in try await body(client.port ?? 0) }
        }
    }

    static func step(_ id: String, port: Int) -> String {
        #"""
        {"type": "step", "id": "\#(id)", "handler": "http_request",
         "params": {"url": "http://127.0.0.1:\#(port)/hit", "method": "POST", "body": {"n": "{{context.data.n}}", "step": "\#(id)"}},
         "retry": {"max_attempts": 5, "initial_backoff": 50, "max_backoff": 200}}
        """#
    }

    static func createSequence(_ node: ServerProcess, id: String, name: String, blocks: String) async throws {
        let (status, reply) = try await node.request(
            "POST",
            "/api/v1/sequences",
            body: try JSON.parse(
                """
                {"id": "\(id)", "tenant_id": "acme", "namespace": "default", "name": "\(name)", "version": 1,
                 "created_at": "2026-11-25T00:00:00Z", "blocks": \(blocks)}
                """
            )
        )
        #expect(status == 201, "\(reply)")
    }

    /// Starts `count` instances numbered from `first`, in batches of 500, through `node`.
    static func startInstances(_ node: ServerProcess, sequence: String, count: Int, first: Int = 0) async throws {
        var start = first
        while start < first + count {
            let end = min(start + 500, first + count)
            let batch: [JSON] = (start..<end).map { n in
                [
                    "sequence_id": .string(sequence), "tenant_id": "acme", "namespace": "default",
                    "context": ["data": ["n": .int(Int64(n))]],
                ]
            }
            let (status, reply) = try await node.request(
                "POST",
                "/api/v1/instances/batch",
                body: ["instances": .array(batch)]
            )
            #expect(status == 201, "\(reply)")
            start = end
        }
    }

    @Test func twoNodesRunTwoThousandInstancesWithNoStepTwiceAndNoneLost() async throws {
        let cluster = try await Cluster()
        let hits = Hits()
        try await hits.serve { port in
            let a = cluster.node("node-a")
            let b = cluster.node("node-b")
            try await a.start()
            try await b.start()
            defer {
                a.stop()
                b.stop()
            }
            let sequence = "0192f5a4-0000-7000-8000-0000000a0001"
            let blocks =
                "[\(Self.step("one", port: port)), \(Self.step("two", port: port)), \(Self.step("three", port: port))]"
            try await Self.createSequence(a, id: sequence, name: "shared", blocks: blocks)
            // Half the instances come in through each node.
            try await Self.startInstances(a, sequence: sequence, count: 1000)
            try await Self.startInstances(b, sequence: sequence, count: 1000, first: 1000)
            #expect(try await cluster.completed(reaching: 2000) == 2000)
            let calls = hits.snapshot
            #expect(calls.count == 6000, "every step of every instance ran")
            #expect(
                calls.values.allSatisfy { $0 == 1 },
                "no step ran twice: \(calls.filter { $0.value > 1 }.prefix(5))"
            )
        }
    }

    @Test func whenANodeDiesTheOtherFinishesItsWorkOnceTheLeasesExpire() async throws {
        let cluster = try await Cluster()
        let hits = Hits()
        try await hits.serve { port in
            // Short leases, so that the survivor takes the dead node's instances back soon.
            let lease = ["ORCH8_LEASE_SECS": "2"]
            let a = cluster.node("node-a", lease)
            let b = cluster.node("node-b", lease)
            try await a.start()
            try await b.start()
            defer { b.stop() }
            let sequence = "0192f5a4-0000-7000-8000-0000000a0002"
            let nap = #"{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 300}}"#
            let blocks = "[\(Self.step("one", port: port)), \(nap), \(Self.step("two", port: port))]"
            try await Self.createSequence(a, id: sequence, name: "survivor", blocks: blocks)
            try await Self.startInstances(a, sequence: sequence, count: 400)
            // Kill A while work is in flight: some done, some not.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, try await cluster.count(.completed) < 40 {
                try await Task.sleep(for: .milliseconds(20))
            }
            a.kill9()
            #expect(try await cluster.count(.completed) < 400, "A died mid-run")
            #expect(try await cluster.completed(reaching: 400) == 400, "B finished everything")
            let calls = hits.snapshot
            // At least once: a step A ran but did not commit runs again on B.
            for n in 0..<400 {
                #expect(calls["\(n)/one", default: 0] >= 1 && calls["\(n)/two", default: 0] >= 1, "instance \(n)")
            }
            // And the store holds one result per step, whoever ran it.
            for instance in try await cluster.store.instances(InstanceQuery(limit: 1000)) {
                let outputs = try await cluster.store.outputs(instanceID: instance.id).filter { $0.outputRef == nil }
                #expect(outputs.map(\.blockID) == ["one", "nap", "two"], "\(instance.id)")
            }
        }
    }

    @Test func aSleepStartedOnOneNodeIsResumedByTheOther() async throws {
        let cluster = try await Cluster()
        let a = cluster.node("node-a")
        let b = cluster.node("node-b")
        try await a.start()
        let sequence = "0192f5a4-0000-7000-8000-0000000a0003"
        try await Self.createSequence(
            a,
            id: sequence,
            name: "sleeper",
            blocks:
                #"[{"type": "step", "id": "nap", "handler": "sleep", "params": {"duration_ms": 2000}}, {"type": "step", "id": "after", "handler": "noop"}]"#
        )
        try await Self.startInstances(a, sequence: sequence, count: 5)
        // Parked on its timer by A (scheduled, due in about two seconds), then A goes away.
        let deadline = ContinuousClock.now + .seconds(30)
        var parked: [TaskInstance] = []
        while ContinuousClock.now < deadline {
            parked = try await cluster.store.instances(InstanceQuery(states: [.scheduled], limit: 10)).filter {
                ($0.nextFireAt ?? .distantPast) > $0.createdAt.addingTimeInterval(1)
            }
            if parked.count == 5 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(parked.count == 5, "parked on the sleep's timer")
        #expect(a.stop() == 0)
        try await b.start()
        defer { b.stop() }
        #expect(try await cluster.completed(reaching: 5) == 5)
    }

    @Test func aPluginChangedThroughOneNodeIsUsedByTheOthersNextCall() async throws {
        let cluster = try await Cluster()
        let module = try await PluginRunCommandTests.classifier(in: cluster.directory)
        let a = cluster.node("node-a")
        let b = cluster.node("node-b")
        try await a.start()
        try await b.start()
        defer { b.stop() }
        let (registered, reply) = try await a.request(
            "POST",
            "/api/v1/plugins",
            body: ["name": "classify", "plugin_type": "wasm", "source": .string(module), "tenant_id": "acme"]
        )
        #expect(registered == 201, "\(reply)")
        let sequence = "0192f5a4-0000-7000-8000-0000000a0004"
        try await Self.createSequence(
            a,
            id: sequence,
            name: "classify",
            blocks:
                #"[{"type": "step", "id": "c", "handler": "wasm://classify", "params": {"text": "buy now, limited offer"}}]"#
        )
        // Only B runs the engine from here: its registry caches the enabled plugin.
        #expect(a.stop() == 0)
        try await Self.startInstances(b, sequence: sequence, count: 1)
        #expect(try await cluster.completed(reaching: 1) == 1)

        // A disables it; B's next call sees that at once, without a restart.
        try await a.start()
        let (patched, _) = try await a.request("PATCH", "/api/v1/plugins/classify", body: ["enabled": false])
        #expect(patched == 200)
        #expect(a.stop() == 0)
        try await Self.startInstances(b, sequence: sequence, count: 1, first: 1)
        let failedBy = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < failedBy, try await cluster.count(.failed) < 1 {
            try await Task.sleep(for: .milliseconds(50))
        }
        let failed = try await cluster.store.instances(InstanceQuery(states: [.failed], limit: 10))
        #expect(failed.count == 1)
        if let instance = failed.first {
            let message = try await cluster.store.outputs(instanceID: instance.id).last?.output["message"]
            #expect(message?.stringValue?.contains("disabled") == true, "\(String(describing: message))")
        }
    }

    @Test func aCronScheduleFiresEachDueTimeOnceAcrossTwoNodes() async throws {
        let cluster = try await Cluster()
        // Both nodes look for due schedules ten times a second, so both race for every fire.
        let a = cluster.node("node-a", ["ORCH8_CRON_TICK_SECS": "0.1"])
        let b = cluster.node("node-b", ["ORCH8_CRON_TICK_SECS": "0.1"])
        try await a.start()
        try await b.start()
        defer {
            a.stop()
            b.stop()
        }
        let sequence = "0192f5a4-0000-7000-8000-0000000a0005"
        try await Self.createSequence(
            a,
            id: sequence,
            name: "every-second",
            blocks: #"[{"type": "step", "id": "tick", "handler": "noop"}]"#
        )
        let opened = ContinuousClock.now
        let (created, schedule) = try await a.request(
            "POST",
            "/api/v1/cron",
            body: [
                "tenant_id": "acme", "namespace": "default", "sequence_id": .string(sequence),
                "cron_expr": "* * * * * *",
            ]
        )
        #expect(created == 201, "\(schedule)")
        let id = try #require(schedule["id"]?.stringValue)
        try await Task.sleep(for: .seconds(6))
        let (disabled, _) = try await b.request("PUT", "/api/v1/cron/\(id)", body: ["enabled": false])
        #expect(disabled == 200)
        let open = opened.duration(to: .now).components.seconds

        let (listed, page) = try await a.request("GET", "/api/v1/instances?metadata.cron_schedule_id=\(id)&limit=1000")
        #expect(listed == 200)
        let fires = page["items"]?.arrayValue?.count ?? 0
        // One due time per second while the schedule was enabled: a time fired by both nodes
        // would show as about twice as many instances.
        #expect(fires >= 3, "the schedule fired while it was enabled")
        #expect(fires <= Int(open) + 1, "\(fires) instances in \(open) s: some second was fired twice")
        // Each node counts the fires it made, just after committing them; together they are the
        // instances, once each.
        var counted = 0
        let countedBy = ContinuousClock.now + .seconds(5)
        repeat {
            counted = try await Self.cronFires(a) + Self.cronFires(b)
            if counted >= fires { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < countedBy
        #expect(counted == fires)
        #expect(try await cluster.completed(reaching: fires) == fires)
    }

    /// `orch8_cron_triggered_total` on `node`'s `/metrics` (an open server serves it to any tenant).
    static func cronFires(_ node: ServerProcess) async throws -> Int {
        let (_, data) = try await loopbackRequest("GET", node.baseURL + "/metrics")
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first {
            $0.hasPrefix("orch8_cron_triggered_total")
        }
        return Int(Double(line?.split(separator: " ").last ?? "") ?? 0)
    }
}
