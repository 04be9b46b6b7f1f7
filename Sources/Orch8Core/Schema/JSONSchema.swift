/// The subset of JSON Schema that `input_schema` (checked against `context.data` when an instance is
/// created) and step `output_schema` may use (ORCH8-SPEC §1.5, §1.6).
///
/// Keywords: `type` (one or a list of `null`, `boolean`, `integer`, `number`, `string`, `array`,
/// `object`), `enum`, `const`, `required`, `properties`, `additionalProperties` (boolean or schema),
/// `minProperties`, `maxProperties`, `items` (one schema for every element), `minItems`, `maxItems`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `pattern`,
/// `allOf`, `anyOf`, `oneOf`, `not`, and the boolean schemas `true` and `false`. Other keywords
/// (`$schema`, `title`, `description`, `format`, `default`, …) are ignored, as a validator ignores
/// what it does not know; `$ref` is not resolved.
///
/// Checking a schema (``problems(in:)``) and validating a value (``violations(of:)``) are separate so
/// that a malformed schema is refused when the sequence is created, not when an instance starts.
public struct JSONSchema: Sendable {
    /// The schema document.
    public let schema: JSON

    public init(_ schema: JSON) {
        self.schema = schema
    }

    /// The JSON types `type` may name.
    static let typeNames: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

    /// Keywords whose value is a non-negative integer.
    static let countKeywords = [
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    ]

    /// Keywords whose value is a number.
    static let boundKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]

    /// How `value` appears in messages: compact JSON, cut short when long.
    static func show(_ value: JSON) -> String {
        let text = value.serialized()
        guard text.count > 80 else { return text }
        return String(text.prefix(77)) + "..."
    }
}
