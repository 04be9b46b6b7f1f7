/// The syntax tree of a parsed expression.
///
/// Chains of the same precedence (`a + b - c`, `a && b && c`) are one node with a list of operands
/// rather than a left-leaning tree, so a long chain costs no evaluation depth: the parser bounds
/// nesting at ``ExpressionParser/maxDepth`` and evaluation recursion is bounded with it.
indirect enum ExpressionNode: Sendable {
    case literal(JSON)
    case path(ValuePath)
    case array([ExpressionNode])
    case call(String, [ExpressionNode])
    case not(ExpressionNode)
    case negate(ExpressionNode)
    case or([ExpressionNode])
    case and([ExpressionNode])
    /// A left-to-right chain: `first op₁ x₁ op₂ x₂ …`.
    case chain(ExpressionNode, [Operation])
    case conditional(ExpressionNode, then: ExpressionNode, else: ExpressionNode)

    struct Operation: Sendable {
        var op: BinaryOperator
        var operand: ExpressionNode
    }
}

enum BinaryOperator: Sendable {
    case equal, notEqual, greater, greaterOrEqual, less, lessOrEqual, isIn
    case plus, minus, times, divide
}
