import Foundation

extension JSONSchema {
    /// Every way `value` fails the schema, each `at <JSON pointer>: <problem>` (`/` is the value
    /// itself), worded as the original's validator words them. Empty when it passes. Keywords that are
    /// malformed are skipped (``problems()`` reports them).
    public func violations(of value: JSON) -> [String] {
        var violations: [Violation] = []
        Self.validate(value, against: schema, at: [], into: &violations)
        return violations.map(\.description)
    }

    struct Violation: CustomStringConvertible {
        var path: [String]
        var message: String

        var description: String {
            let pointer = path.map {
                "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            }
            return "at \(pointer.isEmpty ? "/" : pointer.joined()): \(message)"
        }
    }

    static func validate(_ value: JSON, against schema: JSON, at path: [String], into violations: inout [Violation]) {
        func fail(_ message: String) { violations.append(Violation(path: path, message: message)) }

        switch schema {
        case .bool(true): return
        case .bool(false):
            fail("False schema does not allow \(show(value))")
            return
        case .object: break
        default: return
        }
        if let type = schema["type"], !matches(value, type: type) {
            let expected = (type.arrayValue ?? [type]).compactMap(\.stringValue).map { "\"\($0)\"" }
            fail("\(show(value)) is not of type\(expected.count > 1 ? "s" : "") \(expected.joined(separator: ", "))")
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            fail("\(show(value)) is not one of \(show(.array(options)))")
        }
        if let constant = schema["const"], constant != value {
            fail("\(show(constant)) was expected")
        }
        validateNumber(value, schema, fail)
        validateString(value, schema, fail)
        if case .array(let elements) = value {
            validateArray(elements, schema, path, &violations)
        }
        if case .object(let members) = value {
            validateObject(members, schema, path, &violations)
        }
        validateCombinators(value, schema, path, &violations)
    }

    private static func matches(_ value: JSON, type: JSON) -> Bool {
        let names = (type.arrayValue ?? [type]).compactMap(\.stringValue)
        // A malformed `type` is reported when the schema is checked; here it constrains nothing.
        guard !names.isEmpty else { return true }
        return names.contains { name in
            switch (name, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object):
                true
            case ("number", .int), ("number", .double): true
            // JSON Schema: an integer is any number with a zero fractional part, `1.0` included.
            case ("integer", .int): true
            case ("integer", .double): value.intValue != nil
            default: false
            }
        }
    }

    private static func validateNumber(_ value: JSON, _ schema: JSON, _ fail: (String) -> Void) {
        guard value.isNumber else { return }
        let shown = show(value)
        if let bound = schema["minimum"], bound.isNumber, compare(value, bound) < 0 {
            fail("\(shown) is less than the minimum of \(show(bound))")
        }
        if let bound = schema["maximum"], bound.isNumber, compare(value, bound) > 0 {
            fail("\(shown) is greater than the maximum of \(show(bound))")
        }
        if let bound = schema["exclusiveMinimum"], bound.isNumber, compare(value, bound) <= 0 {
            fail("\(shown) is less than or equal to the minimum of \(show(bound))")
        }
        if let bound = schema["exclusiveMaximum"], bound.isNumber, compare(value, bound) >= 0 {
            fail("\(shown) is greater than or equal to the maximum of \(show(bound))")
        }
    }

    /// -1, 0 or 1 as `a` is below, equal to or above `b`; exact for two integers.
    private static func compare(_ a: JSON, _ b: JSON) -> Int {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.doubleValue ?? 0
        let y = b.doubleValue ?? 0
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    private static func validateString(_ value: JSON, _ schema: JSON, _ fail: (String) -> Void) {
        guard case .string(let text) = value else { return }
        // Lengths count code points, as JSON Schema says.
        let length = text.unicodeScalars.count
        if let bound = schema["minLength"]?.intValue, length < bound {
            fail("\(show(value)) is shorter than \(bound) character\(bound == 1 ? "" : "s")")
        }
        if let bound = schema["maxLength"]?.intValue, length > bound {
            fail("\(show(value)) is longer than \(bound) character\(bound == 1 ? "" : "s")")
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = try? Regex(pattern),
            (try? regex.firstMatch(in: text)) == nil
        {
            fail("\(show(value)) does not match \"\(pattern)\"")
        }
    }

    private static func validateArray(
        _ elements: [JSON],
        _ schema: JSON,
        _ path: [String],
        _ violations: inout [Violation]
    ) {
        let shown = show(.array(elements))
        if let bound = schema["minItems"]?.intValue, elements.count < bound {
            violations.append(
                Violation(path: path, message: "\(shown) has less than \(bound) item\(bound == 1 ? "" : "s")")
            )
        }
        if let bound = schema["maxItems"]?.intValue, elements.count > bound {
            violations.append(
                Violation(path: path, message: "\(shown) has more than \(bound) item\(bound == 1 ? "" : "s")")
            )
        }
        if let items = schema["items"] {
            for (index, element) in elements.enumerated() {
                validate(element, against: items, at: path + [String(index)], into: &violations)
            }
        }
    }

    private static func validateObject(
        _ members: [String: JSON],
        _ schema: JSON,
        _ path: [String],
        _ violations: inout [Violation]
    ) {
        for name in schema["required"]?.arrayValue ?? [] {
            if let key = name.stringValue, members[key] == nil {
                violations.append(Violation(path: path, message: "\"\(key)\" is a required property"))
            }
        }
        if let bound = schema["minProperties"]?.intValue, members.count < bound {
            violations.append(
                Violation(path: path, message: "\(show(.object(members))) has less than \(bound) properties")
            )
        }
        if let bound = schema["maxProperties"]?.intValue, members.count > bound {
            violations.append(
                Violation(path: path, message: "\(show(.object(members))) has more than \(bound) properties")
            )
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        var unexpected: [String] = []
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            if let subschema = properties[key] {
                validate(member, against: subschema, at: path + [key], into: &violations)
                continue
            }
            switch schema["additionalProperties"] {
            case .bool(false)?: unexpected.append(key)
            case let subschema? where subschema.objectValue != nil:
                validate(member, against: subschema, at: path + [key], into: &violations)
            default: break
            }
        }
        if !unexpected.isEmpty {
            let names = unexpected.map { "'\($0)'" }.joined(separator: ", ")
            let verb = unexpected.count == 1 ? "was" : "were"
            violations.append(
                Violation(path: path, message: "Additional properties are not allowed (\(names) \(verb) unexpected)")
            )
        }
    }

    private static func validateCombinators(
        _ value: JSON,
        _ schema: JSON,
        _ path: [String],
        _ violations: inout [Violation]
    ) {
        func passes(_ subschema: JSON) -> Bool {
            var scratch: [Violation] = []
            validate(value, against: subschema, at: path, into: &scratch)
            return scratch.isEmpty
        }
        for subschema in schema["allOf"]?.arrayValue ?? [] {
            validate(value, against: subschema, at: path, into: &violations)
        }
        if let options = schema["anyOf"]?.arrayValue, !options.isEmpty, !options.contains(where: passes) {
            violations.append(
                Violation(
                    path: path,
                    message: "\(show(value)) is not valid under any of the schemas listed in the 'anyOf' keyword"
                )
            )
        }
        if let options = schema["oneOf"]?.arrayValue, !options.isEmpty {
            let passing = options.filter(passes).count
            if passing == 0 {
                violations.append(
                    Violation(
                        path: path,
                        message: "\(show(value)) is not valid under any of the schemas listed in the 'oneOf' keyword"
                    )
                )
            } else if passing > 1 {
                violations.append(
                    Violation(
                        path: path,
                        message:
                            "\(show(value)) is valid under more than one of the schemas listed in the 'oneOf' keyword"
                    )
                )
            }
        }
        if let negated = schema["not"], passes(negated) {
            violations.append(Violation(path: path, message: "\(show(negated)) is not allowed for \(show(value))"))
        }
    }
}
