/// The pipe filters of templates (`{{ x | upper }}`), ORCH8-SPEC §3.1.
///
/// Rules shared by all filters:
/// - `null` passes through every filter unchanged (except `default`, which exists to replace it), so
///   a missing value can still reach a later `default`.
/// - Text filters (`upper`, `lower`, `trim`, `truncate`, `replace`, `split`, `base64_decode`) take a
///   string; a number or boolean is used as its JSON text (`42` → `"42"`), an array or object is an
///   error. The encoders (`url_encode`, `base64`, `hash`) also take arrays and objects, as their
///   compact JSON text, so that a payload can be encoded or hashed whole.
/// - Numeric filters (`abs`, `round`) take numbers and numeric strings.
/// - Each result is capped at ``maxResultBytes`` (UTF-8 bytes of a string, compact JSON of anything
///   else).
public enum TemplateFilters {
    /// Every filter name templates know.
    public static let names: Set<String> = Set(table.keys)

    /// The largest result a filter may produce: 4 MiB (ORCH8-SPEC §3.1).
    public static let maxResultBytes = 4 * 1024 * 1024

    /// Applies filter `name` to `value` with already evaluated `arguments`.
    /// - Throws: ``TemplateError`` for an unknown filter, bad arguments, or a result over 4 MiB.
    public static func apply(_ name: String, to value: JSON, arguments: [JSON]) throws(TemplateError) -> JSON {
        guard let filter = table[name] else { throw TemplateError("unknown filter: \(name)") }
        let arguments = FilterArguments(filter: name, values: arguments)
        let result = try filter(value, arguments)
        guard JSONSize.fits(result, within: maxResultBytes) else { throw arguments.resultTooLarge() }
        return result
    }

    typealias Filter = @Sendable (_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON

    private static let table: [String: Filter] = [
        "upper": upper,
        "lower": lower,
        "trim": trim,
        "truncate": truncate,
        "replace": replace,
        "split": split,
        "join": join,
        "default": defaultValue,
        "abs": abs,
        "round": round,
        "url_encode": urlEncode,
        "base64": base64,
        "base64_decode": base64Decode,
        "hash": hash,
    ]
}
