public import Foundation
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    public func executionTree(instanceID: UUID) async throws -> [ExecutionNode] {
        let rows = try await rows(
            """
            SELECT \(unescaped: NodeColumns.list) FROM execution_tree
            WHERE instance_id = \(PostgresRows.id(instanceID)) ORDER BY seq
            """
        )
        return try rows.map { try NodeColumns(postgres: $0).decode() }
    }

    public func childInstances(parentID: UUID) async throws -> [TaskInstance] {
        let rows = try await rows(
            """
            SELECT \(unescaped: InstanceColumns.list) FROM instances WHERE parent_instance_id = \(PostgresRows.id(parentID))
            ORDER BY created_at, id COLLATE "C"
            """
        )
        return try rows.map { try InstanceColumns(postgres: $0).decode() }
    }
}

extension NodeColumns {
    /// Reads a row selected with ``list``.
    @inline(never) init(postgres row: PostgresRow) throws {
        let cells = PostgresCells(row)
        id = try cells[0]
        instanceID = try cells[1]
        blockID = try cells[2]
        parentID = try cells[3]
        blockType = try cells[4]
        branchIndex = try cells[5]
        state = try cells[6]
        startedAt = try cells[7]
        completedAt = try cells[8]
    }
}
