import WasmParser

/// Looks through a module's code for the instructions that change an instance's tables or
/// segments, state that a reused instance could not have restored.
enum StateMutationScan {
    /// True if any function uses `table.set/grow/fill/copy/init`, `elem.drop` or `data.drop`, and
    /// also when the module cannot be read (so that it is not pooled).
    static func mutatesTablesOrSegments(_ bytes: [UInt8]) -> Bool {
        var parser = Parser(bytes: bytes)
        var finder = Finder()
        do {
            while let payload = try parser.parseNext() {
                guard case .codeSection(let functions) = payload else { continue }
                for function in functions {
                    var expression = ExpressionParser(code: function)
                    while let visit = try expression.parse() {
                        visit(visitor: &finder)
                        if finder.found { return true }
                    }
                }
            }
        } catch {
            return true
        }
        return false
    }

    private struct Finder: AnyInstructionVisitor {
        typealias VisitorError = Never
        var binaryOffset = 0
        var found = false

        mutating func visit(_ instruction: Instruction) {
            switch instruction {
            case .tableSet, .tableGrow, .tableFill, .tableCopy, .tableInit, .elemDrop, .dataDrop: found = true
            default: break
            }
        }
    }
}
