import Foundation
import Orch8Core
import Testing

@testable import Orch8Storage

/// What only the SQLite backend has: files, URLs, pragmas, migrations, query plans.
@Suite struct SQLiteStoreTests {
    @Test func aReopenedFileKeepsEverything() async throws {
        let path = try temporaryDatabasePath()
        let now = Fixtures.epoch
        let sequence = try Fixtures.sequence()
        let leased = Fixtures.instance(sequence: sequence.id, priority: .high)
        let waiting = Fixtures.instance(sequence: sequence.id, metadata: ["k": "v"], idempotencyKey: "key")
        let signal = Fixtures.signal(
            waiting.id,
            .custom("x"),
            payload: ["p": [1, 2.5]],
            at: Fixtures.epoch(plus: 7)
        )
        let plugin = PluginDefinition(
            name: "p",
            pluginType: .wasm,
            source: "/p.wasm",
            tenantID: "acme",
            createdAt: now,
            updatedAt: now
        )
        var update = Fixtures.update(leased.id, owner: "node")
        update.outputs = [Fixtures.output(leased.id, "a", ["x": 1])]
        update.stateWrites = ["s": "t"]
        update.context = ExecutionContext(data: ["after": true])
        do {
            let store = try SQLiteStore(path: path, durable: true)
            try await store.createSequence(sequence)
            _ = try await store.createInstances([leased, waiting])
            _ = try await store.claimDueInstances(
                now: now,
                limit: 1,
                owner: "node",
                leaseUntil: now.addingTimeInterval(60)
            )
            #expect(try await store.commit([update]) == [true])
            #expect(try await store.enqueueSignal(signal, now: now) == .enqueued(.scheduled))
            try await store.createPlugin(plugin)
            #expect(try await store.deprecateSequence(id: sequence.id))
        }
        for _ in 0..<2 {
            let reopened = try SQLiteStore(path: path)
            #expect(
                try await reopened.appliedMigrations() == [
                    "v1", "v2-plugins", "v3-claim-indexes", "v4-worker-tasks", "v5-execution-tree", "v6-wakes",
                    "v7-triggers", "v8-api-keys", "v9-cron", "v10-output-cost",
                ]
            )
            #expect(try await reopened.sequence(id: sequence.id)?.deprecated == true)
            #expect(try await reopened.instance(id: leased.id)?.context == update.context)
            #expect(try await reopened.outputs(instanceID: leased.id) == update.outputs)
            #expect(try await reopened.stateValues(instanceID: leased.id) == ["s": "t"])
            #expect(try await reopened.pendingSignals(instanceID: waiting.id) == [signal])
            var bumped = waiting
            bumped.nextFireAt = now
            bumped.updatedAt = now
            #expect(try await reopened.instance(id: waiting.id) == bumped)
            #expect(try await reopened.plugin(named: "p", tenantID: "acme") == plugin)
            #expect(
                try await reopened.createInstances([Fixtures.instance(idempotencyKey: "key")]) == [
                    .deduplicated(waiting.id)
                ]
            )
            #expect(try await reopened.releaseLeases(expiredBefore: now, orOwnedBy: nil) == 0, "the lease survives")
        }
    }

    @Test func durableSyncsEveryCommit() async throws {
        let path = try temporaryDatabasePath()
        let durable = try SQLiteStore(path: path, durable: true)
        #expect(try await durable.synchronousLevel() == 2, "FULL")
        #expect(try await durable.journalMode() == "wal")
        let normal = try SQLiteStore(path: try temporaryDatabasePath())
        #expect(try await normal.synchronousLevel() == 1, "NORMAL")
        try await normal.ping()
        try await SQLiteStore.inMemory().ping()
    }

    @Test func urlsNameAFileOrMemory() throws {
        #expect(try SQLiteLocation(url: "sqlite::memory:") == .memory)
        #expect(try SQLiteLocation(url: "sqlite://:memory:") == .memory)
        #expect(try SQLiteLocation(url: "sqlite://orch8.db") == .file(path: "orch8.db", mustExist: false))
        #expect(try SQLiteLocation(url: "sqlite:///var/lib/o.db") == .file(path: "/var/lib/o.db", mustExist: false))
        #expect(try SQLiteLocation(url: "sqlite:data/o.db") == .file(path: "data/o.db", mustExist: false))
        #expect(try SQLiteLocation(url: "sqlite://o.db?mode=rwc") == .file(path: "o.db", mustExist: false))
        #expect(try SQLiteLocation(url: "sqlite://o.db?mode=rw") == .file(path: "o.db", mustExist: true))
        #expect(try SQLiteLocation(url: "sqlite://x?mode=memory") == .memory)
    }

    @Test func opensByURL() async throws {
        let path = try temporaryDatabasePath()
        let sequence = try Fixtures.sequence()
        try await SQLiteStore.open(url: "sqlite://\(path)?mode=rwc").createSequence(sequence)
        #expect(try await SQLiteStore.open(url: "sqlite:\(path)").sequence(id: sequence.id) == sequence)
        #expect(try await SQLiteStore.open(url: "sqlite://\(path)?mode=rw").sequence(id: sequence.id) == sequence)
        #expect(try await SQLiteStore.open(url: "sqlite::memory:").sequence(id: sequence.id) == nil)
    }

    @Test(arguments: [
        ("postgres://localhost/db", "unsupported database URL 'postgres://localhost/db'"),
        ("orch8.db", "expected sqlite://PATH, sqlite:PATH or sqlite::memory:"),
        ("sqlite://", "has no path"),
        ("sqlite://o.db?cache=shared", "unsupported parameter 'cache=shared'"),
        ("sqlite:///no/such/orch8.db?mode=rw", "/no/such/orch8.db: no such file"),
    ])
    func badURLsAreNamed(_ url: String, _ message: String) {
        #expect {
            _ = try SQLiteStore.open(url: url)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func unusableLocationsFailWithAClearMessage() throws {
        #expect {
            _ = try SQLiteStore(path: "/proc/no-such-dir/orch8.db")
        } throws: { error in
            "\(error)".contains("cannot open SQLite database at /proc/no-such-dir/orch8.db")
        }
        let directory = URL(fileURLWithPath: try temporaryDatabasePath()).deletingLastPathComponent().path
        #expect {
            _ = try SQLiteStore(path: directory)
        } throws: { error in
            "\(error)".contains("cannot open SQLite database at \(directory)")
        }
        let notADatabase = directory + "/text.db"
        try Data("this is not a database, just some text that is long enough".utf8)
            .write(to: URL(fileURLWithPath: notADatabase))
        #expect {
            _ = try SQLiteStore(path: notADatabase)
        } throws: { error in
            "\(error)".contains("cannot open SQLite database at \(notADatabase)")
        }
    }

    @Test func claimsReadTheirIndexNotTheTable() async throws {
        let store = try SQLiteStore(path: try temporaryDatabasePath())
        let claim = try await store.queryPlan(
            SQLiteStore.claimSQL,
            named: ["now": "0", "limit": "1", "owner": "n", "until": "0"]
        )
        #expect(claim.components(separatedBy: "USING INDEX instances_claim").count == 5, "one range scan per priority")
        #expect(!claim.contains("SCAN instances"), "\(claim)")
        let nextDue = try await store.queryPlan(SQLiteStore.nextDueSQL)
        #expect(!nextDue.contains("SCAN instances"), "\(nextDue)")
        let release = try await store.queryPlan(
            "SELECT id FROM instances WHERE state = 'running' AND (lease_until IS NULL OR lease_until < 1 OR lease_owner = 'n')"
        )
        #expect(release.contains("instances_leases"), "\(release)")
    }
}
