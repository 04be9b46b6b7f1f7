public import Foundation
import GRDB
public import Orch8Core

extension SQLiteStore {
    public func executionTree(instanceID: UUID) async throws -> [ExecutionNode] {
        let rows = try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(NodeColumns.list) FROM execution_tree WHERE instance_id = ? ORDER BY seq"
                ),
                arguments: [SQLiteRows.id(instanceID)]
            ).map(NodeColumns.init)
        }
        return try rows.map { try $0.decode() }
    }

    public func childInstances(parentID: UUID) async throws -> [TaskInstance] {
        let rows = try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(InstanceColumns.list) FROM instances WHERE parent_instance_id = ?
                        ORDER BY created_at, id
                        """
                ),
                arguments: [SQLiteRows.id(parentID)]
            ).map(InstanceColumns.init)
        }
        return try rows.map { try $0.decode() }
    }
}

/// An `execution_tree` row copied out of a transaction.
struct NodeColumns: Sendable {
    static let list = "id, instance_id, block_id, parent_id, block_type, branch_index, state, started_at, completed_at"

    /// Inserts a node, or moves a known one to its new state and times.
    static let upsertSQL = """
        INSERT INTO execution_tree (\(list)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
            completed_at = excluded.completed_at
        """

    let id: String
    let instanceID: String
    let blockID: String
    let parentID: String?
    let blockType: String
    let branchIndex: Int64?
    let state: String
    let startedAt: Int64?
    let completedAt: Int64?

    @inline(never) init(_ row: Row) {
        id = row[0]
        instanceID = row[1]
        blockID = row[2]
        parentID = row[3]
        blockType = row[4]
        branchIndex = row[5]
        state = row[6]
        startedAt = row[7]
        completedAt = row[8]
    }

    @inline(never) func decode() throws -> ExecutionNode {
        guard let type = BlockType(rawValue: blockType) else {
            throw SQLiteStoreError("corrupt block type '\(blockType)' of node \(id)")
        }
        guard let state = NodeState(rawValue: state) else {
            throw SQLiteStoreError("corrupt state '\(state)' of node \(id)")
        }
        return ExecutionNode(
            id: try SQLiteRows.uuid(id, "execution_tree.id"),
            instanceID: try SQLiteRows.uuid(instanceID, "execution_tree.instance_id"),
            blockID: blockID,
            parentID: try parentID.map { try SQLiteRows.uuid($0, "execution_tree.parent_id") },
            blockType: type,
            branchIndex: branchIndex.map { Int(clamping: $0) },
            state: state,
            startedAt: startedAt.map(SQLiteRows.date),
            completedAt: completedAt.map(SQLiteRows.date)
        )
    }

    /// The column values of `node` for ``upsertSQL``, in ``list`` order.
    static func values(_ node: ExecutionNode) -> [DatabaseValue] {
        let values: [(any DatabaseValueConvertible)?] = [
            SQLiteRows.id(node.id), SQLiteRows.id(node.instanceID), node.blockID, node.parentID.map(SQLiteRows.id),
            node.blockType.rawValue, node.branchIndex.map { Int64($0) }, node.state.rawValue,
            node.startedAt.map(SQLiteRows.millis), node.completedAt.map(SQLiteRows.millis),
        ]
        return values.map { $0?.databaseValue ?? .null }
    }
}
