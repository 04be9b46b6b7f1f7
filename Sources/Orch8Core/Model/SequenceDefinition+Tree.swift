extension SequenceDefinition {
    /// Visits every block of the main tree (not the cleanup trees), depth-first in document order;
    /// `depth` is 0 for top-level blocks.
    public func walk(_ visit: (_ block: BlockDefinition, _ depth: Int) throws -> Void) rethrows {
        for block in blocks {
            try block.walk(visit)
        }
    }

    /// The first block of the main tree with the given id.
    public func block(withID id: String) -> BlockDefinition? {
        for root in blocks {
            if let found = root.block(withID: id) { return found }
        }
        return nil
    }

    /// Whether every top-level block is a step: the shape the engine may run without an execution tree.
    public var isFlat: Bool { blocks.allSatisfy { $0.step != nil } }
}
