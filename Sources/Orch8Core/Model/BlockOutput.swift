public import Foundation

/// One row of a block's append-only output history (`GET /instances/{id}/outputs`, ORCH8-SPEC §1.6).
public struct BlockOutput: Sendable, Hashable {
    /// Row id.
    public var id: UUID
    /// The instance.
    public var instanceID: UUID
    /// The block that produced it.
    public var blockID: String
    /// The output (or a composite marker such as `{"_iterations": n}`).
    public var output: JSON
    /// An externalized-payload key or an internal marker (`__in_progress__`, `__retry__`, `__error__`);
    /// written as null when unset.
    public var outputRef: String?
    /// Serialized size of `output` in bytes.
    public var outputSize: Int64
    /// The attempt that produced it.
    public var attempt: UInt32
    /// Creation time; the latest row is the current output.
    public var createdAt: Date
    /// What a plugin call cost (`duration_us`, and for WASM `fuel`, `peak_memory_pages`,
    /// `module_hash`); nil for every other row. An addition to the original's wire format.
    public var cost: JSON?

    /// Creates an output row.
    public init(
        id: UUID,
        instanceID: UUID,
        blockID: String,
        output: JSON,
        outputRef: String? = nil,
        outputSize: Int64,
        attempt: UInt32,
        createdAt: Date,
        cost: JSON? = nil
    ) {
        self.id = id
        self.instanceID = instanceID
        self.blockID = blockID
        self.output = output
        self.outputRef = outputRef
        self.outputSize = outputSize
        self.attempt = attempt
        self.createdAt = createdAt
        self.cost = cost
    }
}

extension BlockOutput: Codable {
    enum CodingKeys: String, CodingKey {
        case id
        case instanceID = "instance_id"
        case blockID = "block_id"
        case output
        case outputRef = "output_ref"
        case outputSize = "output_size"
        case attempt
        case createdAt = "created_at"
        case cost
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(instanceID, forKey: .instanceID)
        try c.encode(blockID, forKey: .blockID)
        try c.encode(output, forKey: .output)
        try c.encodeOrNull(outputRef, forKey: .outputRef)
        try c.encode(outputSize, forKey: .outputSize)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(cost, forKey: .cost)
    }
}
