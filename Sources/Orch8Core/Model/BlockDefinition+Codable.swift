extension BlockDefinition: Codable {
    private enum TagKey: String, CodingKey {
        case type
    }

    /// Decodes the block named by `type` from the same object.
    /// - Throws: `DecodingError` for a missing or unknown `type` (listing the accepted ones) or a bad field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TagKey.self)
        let tag = try container.decode(String.self, forKey: .type)
        guard let type = BlockType(rawValue: tag) else {
            throw DecodingError.dataCorruptedError(
                forKey: .type,
                in: container,
                debugDescription: "unknown block type `\(tag)`, expected one of \(BlockType.wireSpellings)"
            )
        }
        switch type {
        case .step: self = .step(try StepDefinition(from: decoder))
        case .parallel: self = .parallel(try ParallelBlock(from: decoder))
        case .race: self = .race(try RaceBlock(from: decoder))
        case .loop: self = .loop(try LoopBlock(from: decoder))
        case .forEach: self = .forEach(try ForEachBlock(from: decoder))
        case .router: self = .router(try RouterBlock(from: decoder))
        case .tryCatch: self = .tryCatch(try TryCatchBlock(from: decoder))
        case .subSequence: self = .subSequence(try SubSequenceBlock(from: decoder))
        case .abSplit: self = .abSplit(try ABSplitBlock(from: decoder))
        case .cancellationScope: self = .cancellationScope(try CancellationScopeBlock(from: decoder))
        case .saga: self = .saga(try SagaBlock(from: decoder))
        }
    }

    /// Encodes the payload's fields and the `type` tag into one object.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .step(let b): try b.encode(to: encoder)
        case .parallel(let b): try b.encode(to: encoder)
        case .race(let b): try b.encode(to: encoder)
        case .loop(let b): try b.encode(to: encoder)
        case .forEach(let b): try b.encode(to: encoder)
        case .router(let b): try b.encode(to: encoder)
        case .tryCatch(let b): try b.encode(to: encoder)
        case .subSequence(let b): try b.encode(to: encoder)
        case .abSplit(let b): try b.encode(to: encoder)
        case .cancellationScope(let b): try b.encode(to: encoder)
        case .saga(let b): try b.encode(to: encoder)
        }
        var container = encoder.container(keyedBy: TagKey.self)
        try container.encode(type, forKey: .type)
    }
}
