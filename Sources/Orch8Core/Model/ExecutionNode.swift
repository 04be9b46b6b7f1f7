public import Foundation

/// One node of an instance's execution tree, one per evaluated block (`GET /instances/{id}/tree`).
public struct ExecutionNode: Sendable, Hashable {
    /// Node id.
    public var id: UUID
    /// The instance.
    public var instanceID: UUID
    /// The block this node evaluates.
    public var blockID: String
    /// The composite node it belongs to; null for top-level blocks.
    public var parentID: UUID?
    /// The block's type.
    public var blockType: BlockType
    /// Which child list of the parent it sits in (see ``BlockDefinition/childLists``); null at top level.
    public var branchIndex: Int?
    /// Node state.
    public var state: NodeState
    /// When it first ran.
    public var startedAt: Date?
    /// When it reached a terminal state.
    public var completedAt: Date?

    /// Creates a node.
    public init(
        id: UUID,
        instanceID: UUID,
        blockID: String,
        parentID: UUID? = nil,
        blockType: BlockType,
        branchIndex: Int? = nil,
        state: NodeState = .pending,
        startedAt: Date? = nil,
        completedAt: Date? = nil
    ) {
        self.id = id
        self.instanceID = instanceID
        self.blockID = blockID
        self.parentID = parentID
        self.blockType = blockType
        self.branchIndex = branchIndex
        self.state = state
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

extension ExecutionNode: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case instanceID = "instance_id"
        case blockID = "block_id"
        case parentID = "parent_id"
        case blockType = "block_type"
        case branchIndex = "branch_index"
        case state
        case startedAt = "started_at"
        case completedAt = "completed_at"
    }

    /// Writes every field, nulls included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(instanceID, forKey: .instanceID)
        try c.encode(blockID, forKey: .blockID)
        try c.encodeOrNull(parentID, forKey: .parentID)
        try c.encode(blockType, forKey: .blockType)
        try c.encodeOrNull(branchIndex, forKey: .branchIndex)
        try c.encode(state, forKey: .state)
        try c.encodeOrNull(startedAt, forKey: .startedAt)
        try c.encodeOrNull(completedAt, forKey: .completedAt)
    }
}
