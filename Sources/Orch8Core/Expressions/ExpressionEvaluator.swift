/// Evaluates an ``ExpressionNode`` with the semantics of ORCH8-SPEC §3.2.
struct ExpressionEvaluator {
    /// Longest string `+` may build; longer concatenations yield `null` rather than exhaust memory.
    static let maxStringBytes = 4 * 1024 * 1024

    let scope: EvaluationScope

    func evaluate(_ node: ExpressionNode) -> JSON {
        switch node {
        case .literal(let value):
            return value
        case .path(let path):
            return path.resolve(in: scope)
        case .array(let elements):
            return .array(elements.map(evaluate))
        case .call(let name, let arguments):
            return ExpressionFunctions.call(name, arguments.map(evaluate), environment: scope.environment)
        case .not(let operand):
            return .bool(!evaluate(operand).isTruthy)
        case .negate(let operand):
            guard let number = Self.arithmeticOperand(evaluate(operand)) else { return .null }
            return Self.arithmetic(.minus, .int(0), number)
        case .or(let operands):
            return .bool(operands.contains { evaluate($0).isTruthy })
        case .and(let operands):
            return .bool(operands.allSatisfy { evaluate($0).isTruthy })
        case .chain(let first, let operations):
            var value = evaluate(first)
            for operation in operations {
                value = Self.apply(operation.op, value, evaluate(operation.operand))
            }
            return value
        case .conditional(let condition, let then, let otherwise):
            return evaluate(condition).isTruthy ? evaluate(then) : evaluate(otherwise)
        }
    }

    static func apply(_ op: BinaryOperator, _ lhs: JSON, _ rhs: JSON) -> JSON {
        switch op {
        case .equal: return .bool(lhs == rhs)
        case .notEqual: return .bool(lhs != rhs)
        case .greater: return .bool(order(lhs, rhs).map { $0 > 0 } ?? false)
        case .greaterOrEqual: return .bool(order(lhs, rhs).map { $0 >= 0 } ?? false)
        case .less: return .bool(order(lhs, rhs).map { $0 < 0 } ?? false)
        case .lessOrEqual: return .bool(order(lhs, rhs).map { $0 <= 0 } ?? false)
        case .isIn: return ExpressionFunctions.contains(rhs, lhs) ?? false
        case .plus:
            if case .string(let a) = lhs, case .string(let b) = rhs {
                guard a.utf8.count + b.utf8.count <= maxStringBytes else { return .null }
                return .string(a + b)
            }
            fallthrough
        case .minus, .times, .divide:
            guard let a = arithmeticOperand(lhs), let b = arithmeticOperand(rhs) else { return .null }
            return arithmetic(op, a, b)
        }
    }

    /// Ordering is defined between two numbers or two strings (by UTF-8 bytes); nil otherwise, which
    /// makes every ordering comparison false.
    private static func order(_ lhs: JSON, _ rhs: JSON) -> Int? {
        switch (lhs, rhs) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            guard let a = Numeric(lhs), let b = Numeric(rhs) else { return nil }
            if a.double.isNaN || b.double.isNaN { return nil }
            return Numeric.compare(a, b)
        case (.string(let a), .string(let b)):
            if a == b { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        default:
            return nil
        }
    }

    /// Arithmetic coerces numeric strings and booleans (true = 1); anything else is not a number.
    private static func arithmeticOperand(_ value: JSON) -> Numeric? {
        if case .bool(let b) = value { return .int(b ? 1 : 0) }
        return Numeric(value)
    }

    /// Integer arithmetic stays integer while exact; overflow and inexact division go to Double.
    /// Division by zero and non-finite results are `null`.
    private static func arithmetic(_ op: BinaryOperator, _ lhs: Numeric, _ rhs: Numeric) -> JSON {
        if case .int(let a) = lhs, case .int(let b) = rhs {
            switch op {
            case .plus:
                let (r, o) = a.addingReportingOverflow(b)
                if !o { return .int(r) }
            case .minus:
                let (r, o) = a.subtractingReportingOverflow(b)
                if !o { return .int(r) }
            case .times:
                let (r, o) = a.multipliedReportingOverflow(by: b)
                if !o { return .int(r) }
            case .divide:
                if b == 0 { return .null }
                let (q, o) = a.dividedReportingOverflow(by: b)
                if !o, q.multipliedReportingOverflow(by: b) == (a, false) { return .int(q) }
            default:
                return .null
            }
        }
        let (a, b) = (lhs.double, rhs.double)
        let result: Double
        switch op {
        case .plus: result = a + b
        case .minus: result = a - b
        case .times: result = a * b
        case .divide:
            if b == 0 { return .null }
            result = a / b
        default: return .null
        }
        return result.isFinite ? .double(result) : .null
    }
}
