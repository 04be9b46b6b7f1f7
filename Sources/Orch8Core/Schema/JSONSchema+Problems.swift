extension JSONSchema {
    /// Every way the schema itself is malformed, each `<keyword path>: <problem>` (empty when it is
    /// usable). A schema must be an object or a boolean.
    public func problems() -> [String] {
        var problems: [String] = []
        Self.check(schema, at: "", into: &problems)
        return problems
    }

    private static func check(_ schema: JSON, at path: String, into problems: inout [String]) {
        func report(_ keyword: String, _ message: String) {
            problems.append("\(path.isEmpty ? keyword : "\(path).\(keyword)"): \(message)")
        }
        func child(_ keyword: String) -> String { path.isEmpty ? keyword : "\(path).\(keyword)" }

        if case .bool = schema { return }
        guard case .object(let members) = schema else {
            problems.append(
                "\(path.isEmpty ? "schema" : path): expected an object or a boolean, found \(schema.typeName)"
            )
            return
        }
        if let type = members["type"] { checkType(type, report: report) }
        if let required = members["required"] {
            if required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
                report("required", "expected an array of strings")
            }
        }
        if let properties = members["properties"] {
            if case .object(let entries) = properties {
                for (name, subschema) in entries.sorted(by: { $0.key < $1.key }) {
                    check(subschema, at: "\(child("properties")).\(name)", into: &problems)
                }
            } else {
                report("properties", "expected an object, found \(properties.typeName)")
            }
        }
        for keyword in ["additionalProperties", "items", "not"] {
            if let subschema = members[keyword] { check(subschema, at: child(keyword), into: &problems) }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            guard let list = members[keyword] else { continue }
            guard case .array(let schemas) = list, !schemas.isEmpty else {
                report(keyword, "expected a non-empty array of schemas")
                continue
            }
            for (index, subschema) in schemas.enumerated() {
                check(subschema, at: "\(child(keyword))[\(index)]", into: &problems)
            }
        }
        if let list = members["enum"], list.arrayValue == nil { report("enum", "expected an array") }
        for keyword in countKeywords {
            if let value = members[keyword], (value.intValue ?? -1) < 0 || !value.isNumber {
                report(keyword, "expected a non-negative integer, found \(show(value))")
            }
        }
        for keyword in boundKeywords {
            if let value = members[keyword], !value.isNumber {
                report(keyword, "expected a number, found \(show(value))")
            }
        }
        if let pattern = members["pattern"] {
            if let text = pattern.stringValue {
                if (try? Regex(text)) == nil { report("pattern", "invalid regular expression '\(text)'") }
            } else {
                report("pattern", "expected a string, found \(pattern.typeName)")
            }
        }
    }

    private static func checkType(_ type: JSON, report: (String, String) -> Void) {
        let names: [JSON]
        switch type {
        case .string: names = [type]
        case .array(let list) where !list.isEmpty: names = list
        default:
            report("type", "expected a type name or a non-empty array of them, found \(show(type))")
            return
        }
        for name in names {
            guard let text = name.stringValue, typeNames.contains(text) else {
                report(
                    "type",
                    "unknown type \(show(name)), expected one of \(typeNames.sorted().joined(separator: ", "))"
                )
                return
            }
        }
    }
}
