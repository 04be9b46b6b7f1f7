// STUB: to be implemented (filters of ORCH8-SPEC §3.1).

/// The pipe filters of templates (`{{ x | upper }}`).
public enum TemplateFilters {
    /// Every filter name templates know.
    public static let names: Set<String> = []

    /// Applies filter `name` to `value` with already evaluated `arguments`.
    /// - Throws: ``TemplateError`` for an unknown filter, bad arguments, or a result over 4 MiB.
    public static func apply(_ name: String, to value: JSON, arguments: [JSON]) throws(TemplateError) -> JSON {
        throw TemplateError("unknown filter: \(name)")
    }
}
