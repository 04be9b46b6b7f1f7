/// The inside of one `{{ … }}`: a value, fallbacks tried while it is null, then filters
/// (ORCH8-SPEC §3.1). For example `context.data.name | outputs.lookup.name | 'anonymous' | upper`.
struct TemplateExpression: Sendable {
    /// A value in a fallback chain or a filter argument.
    enum Operand: Sendable {
        case literal(JSON)
        case path(ValuePath)
        /// `json(path)` or `len(path)`.
        case function(String, ValuePath)

        func value(in scope: EvaluationScope) -> JSON {
            switch self {
            case .literal(let value): value
            case .path(let path): path.resolve(in: scope)
            case .function(let name, let path):
                ExpressionFunctions.call(name, [path.resolve(in: scope)], environment: scope.environment)
            }
        }
    }

    struct Filter: Sendable {
        var name: String
        var arguments: [Operand]
    }

    /// The functions that may wrap a path.
    static let functions: Set<String> = ["json", "len"]

    var alternatives: [Operand]
    var filters: [Filter]

    /// The value: the first alternative that is not null, passed through the filters in order.
    func evaluate(in scope: EvaluationScope) throws(TemplateError) -> JSON {
        var value = JSON.null
        for alternative in alternatives {
            value = alternative.value(in: scope)
            if !value.isNull { break }
        }
        for filter in filters {
            let arguments = filter.arguments.map { $0.value(in: scope) }
            value = try TemplateFilters.apply(filter.name, to: value, arguments: arguments)
        }
        return value
    }

    /// Parses the text between the braces.
    init(parsing body: Substring) throws(TemplateError) {
        alternatives = []
        filters = []
        for (position, raw) in TemplateSplitter.split(body, at: UInt8(ascii: "|")).enumerated() {
            let segment = raw.trimmingASCIIWhitespace()
            guard !segment.isEmpty else {
                throw TemplateError("empty segment between '|' in {{\(body.prefix(80))}}")
            }
            let call = Self.call(in: segment)
            let name = call?.name ?? segment
            let isBase = position == 0
            if !isBase, TemplateFilters.names.contains(name) || !filters.isEmpty {
                guard TemplateFilters.names.contains(name) else { throw TemplateError("unknown filter: \(name)") }
                let arguments = try call.map { (c) throws(TemplateError) in try Self.arguments(c.arguments) } ?? []
                filters.append(Filter(name: name, arguments: arguments))
                continue
            }
            if let call {
                guard Self.functions.contains(call.name) else {
                    throw TemplateError(isBase ? "unknown function: \(call.name)" : "unknown filter: \(call.name)")
                }
                let argument = call.arguments.trimmingASCIIWhitespace()
                guard case .success(let path) = ValuePath.parse(argument) else {
                    throw Self.rootError(argument, function: call.name)
                }
                alternatives.append(.function(call.name, path))
                continue
            }
            alternatives.append(try Self.operand(segment, bareWordsAreLiterals: !isBase))
        }
    }

    /// `name(arguments)` when the segment has that shape.
    private static func call(in segment: String) -> (name: String, arguments: Substring)? {
        guard segment.hasSuffix(")"), let open = segment.firstIndex(of: "("), !segment.hasPrefix("'"),
            !segment.hasPrefix("\"")
        else { return nil }
        let name = segment[..<open].trimmingASCIIWhitespace()
        guard !name.isEmpty, name.utf8.allSatisfy({ isNameByte($0) }) else { return nil }
        return (name, segment[segment.index(after: open)..<segment.index(before: segment.endIndex)])
    }

    private static func arguments(_ text: Substring) throws(TemplateError) -> [Operand] {
        if text.trimmingASCIIWhitespace().isEmpty { return [] }
        var operands: [Operand] = []
        for raw in TemplateSplitter.split(text, at: UInt8(ascii: ",")) {
            let argument = raw.trimmingASCIIWhitespace()
            guard !argument.isEmpty else { throw TemplateError("empty filter argument in (\(text.prefix(80)))") }
            operands.append(try operand(argument, bareWordsAreLiterals: true))
        }
        return operands
    }

    /// A quoted string, a number, `true`/`false`/`null`, or a path. A word that is not a path root is
    /// an error in first position and a string literal elsewhere (`| anonymous`).
    private static func operand(_ text: String, bareWordsAreLiterals: Bool) throws(TemplateError) -> Operand {
        if let quote = text.utf8.first, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") {
            guard text.utf8.count >= 2, text.utf8.last == quote,
                !text.utf8.dropFirst().dropLast().contains(quote)
            else { throw TemplateError("malformed string literal: \(text.prefix(80))") }
            return .literal(.string(String(text.dropFirst().dropLast())))
        }
        switch text {
        case "true": return .literal(true)
        case "false": return .literal(false)
        case "null": return .literal(.null)
        default: break
        }
        if let first = text.utf8.first, isNumberStart(first), let number = try? JSON.parse(text), number.isNumber {
            return .literal(number)
        }
        switch ValuePath.parse(text) {
        case .success(let path): return .path(path)
        case .failure(.unknownRoot) where bareWordsAreLiterals: return .literal(.string(text))
        case .failure(let problem): throw problem.templateError
        }
    }

    private static func rootError(_ argument: String, function: String) -> TemplateError {
        if argument.isEmpty { return TemplateError("\(function)() needs a path") }
        if case .failure(let problem) = ValuePath.parse(argument) { return problem.templateError }
        return TemplateError("\(function)() takes a path, got \(argument.prefix(80))")
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    private static func isNumberStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-")
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> String { String(self).trimmingASCIIWhitespace() }
}
