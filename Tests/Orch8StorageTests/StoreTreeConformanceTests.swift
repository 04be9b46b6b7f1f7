import Foundation
import Orch8Core
import Testing

/// The execution tree: nodes written with the engine's commit, read back in creation order.
@Suite struct StoreTreeConformanceTests {
    private func running(_ store: any Store) async throws -> UUID {
        let instance = Fixtures.instance()
        _ = try await store.createInstances([instance])
        _ = try await store.claimDueInstances(
            now: Fixtures.epoch,
            limit: 1,
            owner: "n",
            leaseUntil: Fixtures.epoch(plus: 30_000)
        )
        return instance.id
    }

    @Test(arguments: StoreBackend.all)
    func nodesCommitWithTheirUpdateAndKeepTheirPlace(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let id = try await running(store)
        let root = ExecutionNode(
            id: UUID(),
            instanceID: id,
            blockID: "route",
            blockType: .router,
            state: .running,
            startedAt: Fixtures.epoch
        )
        let child = ExecutionNode(
            id: UUID(),
            instanceID: id,
            blockID: "a",
            parentID: root.id,
            blockType: .step,
            branchIndex: 1
        )
        var first = Fixtures.update(id, owner: "n")
        first.nodes = [root, child]
        #expect(try await store.commit([first]) == [true])
        #expect(try await store.executionTree(instanceID: id) == [root, child])

        // A later write moves a node on; its parent, block and branch stay as first written.
        var done = child
        done.state = .completed
        done.startedAt = Fixtures.epoch(plus: 5)
        done.completedAt = Fixtures.epoch(plus: 9)
        var moved = done
        moved.parentID = nil
        moved.branchIndex = 7
        var second = Fixtures.update(id, owner: "n")
        second.nodes = [moved]
        #expect(try await store.commit([second]) == [true])
        #expect(try await store.executionTree(instanceID: id) == [root, done])
        #expect(try await store.executionTree(instanceID: UUID()).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func aRefusedUpdateWritesNoNodes(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let id = try await running(store)
        var update = Fixtures.update(id, owner: "someone else")
        update.nodes = [ExecutionNode(id: UUID(), instanceID: id, blockID: "a", blockType: .step)]
        #expect(try await store.commit([update]) == [false])
        #expect(try await store.executionTree(instanceID: id).isEmpty)
    }
}
