/// The arguments of one filter application, with checks that name the filter in their errors
/// (`truncate: length must be a non-negative integer, got string`).
struct FilterArguments: Sendable {
    /// The filter's name, for error messages.
    var filter: String
    var values: [JSON]

    func error(_ problem: String) -> TemplateError { TemplateError("\(filter): \(problem)") }

    func resultTooLarge() -> TemplateError {
        error("result exceeds \(TemplateFilters.maxResultBytes / 1024 / 1024) MiB")
    }

    /// Checks the argument count.
    func expect(_ counts: ClosedRange<Int>) throws(TemplateError) {
        guard !counts.contains(values.count) else { return }
        let expected =
            switch (counts.lowerBound, counts.upperBound) {
            case (0, 0): "no arguments"
            case (let n, let m) where n == m: n == 1 ? "1 argument" : "\(n) arguments"
            case (let n, let m): "\(n) to \(m) arguments"
            }
        throw error("takes \(expected), got \(values.count)")
    }

    /// Argument `index` as text: strings raw, numbers and booleans as JSON text; `fallback` if absent.
    func text(at index: Int, named name: String, default fallback: String) throws(TemplateError) -> String {
        guard values.indices.contains(index) else { return fallback }
        switch values[index] {
        case .string(let s): return s
        case .int, .double, .bool: return values[index].serialized()
        default: throw error("\(name) must be a string, got \(values[index].typeName)")
        }
    }

    /// Argument `index` as an integer (integral doubles and numeric strings accepted); `fallback` if
    /// absent.
    func integer(at index: Int, named name: String, default fallback: Int64) throws(TemplateError) -> Int64 {
        guard values.indices.contains(index) else { return fallback }
        guard let value = Numeric(values[index])?.exactInteger else {
            throw error("\(name) must be an integer, got \(describe(values[index]))")
        }
        return value
    }

    /// The text a text filter works on: nil for null (which passes through), strings raw, numbers and
    /// booleans as JSON text. Arrays and objects are JSON text only when `serializingContainers`.
    func input(_ value: JSON, serializingContainers: Bool = false) throws(TemplateError) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .int, .double, .bool: return value.serialized()
        case .array, .object:
            guard serializingContainers else { throw error("expected a string, got \(value.typeName)") }
            return value.serialized()
        }
    }

    private func describe(_ value: JSON) -> String {
        switch value {
        case .double: return "number \(value.serialized())"
        case .string(let s): return "string '\(s.prefix(40))'"
        default: return value.typeName
        }
    }
}
