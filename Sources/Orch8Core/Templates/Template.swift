/// A JSON value with `{{ … }}` templates in its strings (step `params`, `cache_key`, a for_each
/// `collection`), compiled once so that rendering does no parsing (ORCH8-SPEC §3.1).
///
/// - A string that is one whole template (`"{{ outputs.fetch.body }}"`) renders to the value's own
///   JSON type; a missing path gives `null`.
/// - A string with text around templates renders as text: strings inserted as they are, other values
///   as compact JSON, a missing value as `null`.
/// - Strings without `{{`, object keys, and everything else are kept as they are. A `{{` that is never
///   closed is kept as text.
///
/// A template that cannot work (an unknown root or filter, a malformed literal) does not fail
/// compilation: it throws its ``TemplateError`` when rendered, which fails the step without retry,
/// and it is listed in ``problems`` so that sequence creation can warn about it.
public struct Template: Sendable {
    private let root: TemplateNode

    /// Every template in the value that will fail to render whatever the context.
    public let problems: [TemplateError]

    /// Compiles the templates in `value`.
    public init(_ value: JSON) {
        var problems: [TemplateError] = []
        root = TemplateNode.compile(value, problems: &problems)
        self.problems = problems
    }

    /// Whether the value has no template at all, so rendering returns it unchanged.
    public var isConstant: Bool {
        if case .constant = root { return true }
        return false
    }

    /// The value with every template replaced by what it resolves to in `scope`. The scope is only
    /// built when there is a template to render: constant params (most steps' params) cost nothing.
    /// - Throws: ``TemplateError`` for an unresolvable template or a failing filter.
    public func render(in scope: @autoclosure () -> EvaluationScope) throws(TemplateError) -> JSON {
        if case .constant(let value) = root { return value }
        return try root.render(in: scope())
    }
}

indirect enum TemplateNode: Sendable {
    case constant(JSON)
    case whole(TemplateExpression)
    case inline([InlinePiece])
    case array([TemplateNode])
    case object([String: TemplateNode])
    case invalid(TemplateError)

    enum InlinePiece: Sendable {
        case text(String)
        case template(TemplateExpression)
    }

    static func compile(_ value: JSON, problems: inout [TemplateError]) -> TemplateNode {
        switch value {
        case .string(let text):
            return compile(text: text, problems: &problems)
        case .array(let elements):
            let nodes = elements.map { compile($0, problems: &problems) }
            return nodes.allSatisfy(\.isConstant) ? .constant(value) : .array(nodes)
        case .object(let members):
            let nodes = members.mapValues { compile($0, problems: &problems) }
            return nodes.values.allSatisfy(\.isConstant) ? .constant(value) : .object(nodes)
        default:
            return .constant(value)
        }
    }

    private static func compile(text: String, problems: inout [TemplateError]) -> TemplateNode {
        guard text.utf8.count >= 4, text.contains("{{") else { return .constant(.string(text)) }
        let bytes = Array(text.utf8)
        var pieces: [Result<InlinePiece, TemplateError>] = []
        var literalStart = 0
        var cursor = 0
        while cursor + 1 < bytes.count {
            guard bytes[cursor] == UInt8(ascii: "{"), bytes[cursor + 1] == UInt8(ascii: "{") else {
                cursor += 1
                continue
            }
            guard let close = TemplateSplitter.closingBraces(in: bytes, from: cursor + 2) else { break }
            if literalStart < cursor {
                pieces.append(.success(.text(String(decoding: bytes[literalStart..<cursor], as: UTF8.self))))
            }
            let body = Substring(String(decoding: bytes[(cursor + 2)..<close], as: UTF8.self))
            do throws(TemplateError) {
                pieces.append(.success(.template(try TemplateExpression(parsing: body))))
            } catch {
                problems.append(error)
                pieces.append(.failure(error))
            }
            cursor = close + 2
            literalStart = cursor
        }
        if literalStart == 0 { return .constant(.string(text)) }
        if literalStart < bytes.count {
            pieces.append(.success(.text(String(decoding: bytes[literalStart...], as: UTF8.self))))
        }
        if pieces.count == 1 {
            switch pieces[0] {
            case .success(.template(let expression)): return .whole(expression)
            case .failure(let error): return .invalid(error)
            case .success(.text): break
            }
        }
        if case .failure(let error) = pieces.first(where: { if case .failure = $0 { true } else { false } }) {
            return .invalid(error)
        }
        return .inline(pieces.compactMap { try? $0.get() })
    }

    var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }

    func render(in scope: EvaluationScope) throws(TemplateError) -> JSON {
        switch self {
        case .constant(let value):
            return value
        case .whole(let expression):
            return try expression.evaluate(in: scope)
        case .inline(let pieces):
            var text = ""
            for piece in pieces {
                switch piece {
                case .text(let literal): text += literal
                case .template(let expression):
                    let value = try expression.evaluate(in: scope)
                    if case .string(let s) = value { text += s } else { text += value.serialized() }
                }
                guard text.utf8.count <= TemplateFilters.maxResultBytes else {
                    throw TemplateError("rendered text exceeds \(TemplateFilters.maxResultBytes / 1024 / 1024) MiB")
                }
            }
            return .string(text)
        case .array(let nodes):
            var elements: [JSON] = []
            elements.reserveCapacity(nodes.count)
            for node in nodes { elements.append(try node.render(in: scope)) }
            return .array(elements)
        case .object(let nodes):
            var members: [String: JSON] = [:]
            members.reserveCapacity(nodes.count)
            for (key, node) in nodes { members[key] = try node.render(in: scope) }
            return .object(members)
        case .invalid(let error):
            throw error
        }
    }
}
