import Foundation
import Orch8Core
import Testing

/// Sequences: every Store keeps these rules.
@Suite struct StoreSequenceConformanceTests {
    @Test(arguments: StoreBackend.all)
    func createGetAndRejectDuplicates(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let sequence = try Fixtures.sequence()
        try await store.createSequence(sequence)
        #expect(try await store.sequence(id: sequence.id) == sequence)
        #expect(try await store.sequence(id: UUID()) == nil)
        await #expect {
            try await store.createSequence(try Fixtures.sequence(id: sequence.id, name: "other"))
        } throws: { error in
            alreadyExists(error, naming: sequence.id.uuidString.lowercased())
        }
        await #expect(throws: StoreError.self) { try await store.createSequence(sequence) }
        let sameName = try Fixtures.sequence()
        await #expect("same tenant, namespace, name and version") {
            try await store.createSequence(sameName)
        } throws: { error in
            alreadyExists(error, naming: "'flow' version 1")
        }
        try await store.createSequence(try Fixtures.sequence(version: 2))
        try await store.createSequence(try Fixtures.sequence(tenant: "other"))
        try await store.createSequence(try Fixtures.sequence(namespace: "billing"))
    }

    @Test(arguments: StoreBackend.all)
    func listFiltersAndPages(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        for (tenant, name) in [("other", "a"), ("acme", "c"), ("acme", "a"), ("acme", "b")] {
            try await store.createSequence(try Fixtures.sequence(tenant: tenant, name: name))
        }
        try await store.createSequence(try Fixtures.sequence(tenant: "acme", namespace: "billing", name: "z"))
        try await store.createSequence(try Fixtures.sequence(tenant: "acme", name: "a", version: 10))
        try await store.createSequence(try Fixtures.sequence(tenant: "acme", name: "a", version: 2))
        let all = try await store.sequences(SequenceQuery()).map {
            "\($0.tenantID)/\($0.namespace)/\($0.name)@\($0.version)"
        }
        #expect(
            all == [
                "acme/billing/z@1", "acme/default/a@1", "acme/default/a@2", "acme/default/a@10", "acme/default/b@1",
                "acme/default/c@1", "other/default/a@1",
            ],
            "ordered by tenant, namespace, name, then version as a number"
        )
        let acme = SequenceQuery(tenantID: "acme", namespace: "default")
        #expect(try await store.sequences(acme).map(\.name) == ["a", "a", "a", "b", "c"])
        #expect(
            try await store.sequences(SequenceQuery(tenantID: "acme", namespace: "default", limit: 2, offset: 3))
                .map(\.name) == ["b", "c"]
        )
        #expect(try await store.sequences(SequenceQuery(namespace: "billing")).map(\.name) == ["z"])
        #expect(try await store.sequences(SequenceQuery(tenantID: "acme", namespace: "nope")).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func versionsNewestFirstAndDeprecation(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let v1 = try Fixtures.sequence(version: 1)
        let v2 = try Fixtures.sequence(version: 2)
        try await store.createSequence(v1)
        try await store.createSequence(v2)
        #expect(
            try await store.sequenceVersions(tenantID: "acme", namespace: "default", name: "flow").map(\.version) == [
                2, 1,
            ]
        )
        #expect(try await store.sequenceVersions(tenantID: "acme", namespace: "default", name: "nope").isEmpty)
        #expect(try await store.deprecateSequence(id: v2.id))
        var deprecated = v2
        deprecated.deprecated = true
        #expect(try await store.sequence(id: v2.id) == deprecated, "only the flag changes")
        #expect(
            try await store.sequenceVersions(tenantID: "acme", namespace: "default", name: "flow").first?.deprecated
                == true
        )
        #expect(try await !store.deprecateSequence(id: UUID()))
    }

    @Test(arguments: StoreBackend.all)
    func deleteIsRefusedWhileInstancesAreActive(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let sequence = try Fixtures.sequence()
        try await store.createSequence(sequence)
        let instance = Fixtures.instance(sequence: sequence.id, state: .paused)
        let others: [TaskInstance] = [.scheduled, .running, .waiting, .completed, .failed, .cancelled].map {
            Fixtures.instance(sequence: sequence.id, state: $0)
        }
        _ = try await store.createInstances([instance] + others)
        #expect(try await store.deleteSequence(id: sequence.id) == .activeInstances(4))
        #expect(try await store.sequence(id: sequence.id) != nil, "refused: still there")
        for other in others.prefix(3) {
            #expect(
                try await store.setInstanceState(
                    id: other.id,
                    from: other.state,
                    to: .cancelled,
                    nextFireAt: nil,
                    now: Date()
                )
            )
        }
        #expect(try await store.deleteSequence(id: sequence.id) == .activeInstances(1), "terminal ones do not count")
        #expect(
            try await store.setInstanceState(
                id: instance.id,
                from: .paused,
                to: .cancelled,
                nextFireAt: nil,
                now: Date()
            )
        )
        #expect(try await store.deleteSequence(id: sequence.id) == .deleted)
        #expect(try await store.sequence(id: sequence.id) == nil)
        #expect(try await store.deleteSequence(id: sequence.id) == .notFound)
    }
}

/// Whether `error` is ``StoreError/alreadyExists(_:)`` with a message that names the taken key.
func alreadyExists(_ error: any Error, naming key: String) -> Bool {
    guard case StoreError.alreadyExists(let message) = error else { return false }
    return message.contains(key)
}
