import Foundation
import Orch8Core
import Testing

/// Sequences: every Store keeps these rules.
@Suite struct StoreSequenceConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func createGetAndRejectDuplicates(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let sequence = try Fixtures.sequence()
        try await store.createSequence(sequence)
        #expect(try await store.sequence(id: sequence.id) == sequence)
        #expect(try await store.sequence(id: UUID()) == nil)
        await #expect(throws: StoreError.self) { try await store.createSequence(sequence) }
        var sameName = try Fixtures.sequence()
        sameName.name = sequence.name
        await #expect(throws: StoreError.self, "same tenant, namespace, name and version") {
            try await store.createSequence(sameName)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func listFiltersAndPages(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        for (tenant, name) in [("acme", "a"), ("acme", "b"), ("acme", "c"), ("other", "a")] {
            try await store.createSequence(try Fixtures.sequence(tenant: tenant, name: name))
        }
        #expect(try await store.sequences(SequenceQuery()).count == 4)
        #expect(try await store.sequences(SequenceQuery(tenantID: "acme")).map(\.name) == ["a", "b", "c"])
        #expect(
            try await store.sequences(SequenceQuery(tenantID: "acme", limit: 2, offset: 1)).map(\.name) == ["b", "c"]
        )
        #expect(try await store.sequences(SequenceQuery(tenantID: "acme", namespace: "nope")).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func versionsNewestFirstAndDeprecation(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let v1 = try Fixtures.sequence(version: 1)
        let v2 = try Fixtures.sequence(version: 2)
        try await store.createSequence(v1)
        try await store.createSequence(v2)
        #expect(
            try await store.sequenceVersions(tenantID: "acme", namespace: "default", name: "flow").map(\.version) == [
                2, 1,
            ]
        )
        #expect(try await store.deprecateSequence(id: v2.id))
        #expect(try await store.sequence(id: v2.id)?.deprecated == true)
        #expect(try await !store.deprecateSequence(id: UUID()))
    }

    @Test(arguments: StoreBackend.allCases)
    func deleteIsRefusedWhileInstancesAreActive(_ backend: StoreBackend) async throws {
        let store = try backend.make()
        let sequence = try Fixtures.sequence()
        try await store.createSequence(sequence)
        let instance = Fixtures.instance(sequence: sequence.id, state: .paused)
        _ = try await store.createInstances([instance])
        #expect(try await store.deleteSequence(id: sequence.id) == .activeInstances(1))
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
        #expect(try await store.deleteSequence(id: sequence.id) == .notFound)
    }
}
