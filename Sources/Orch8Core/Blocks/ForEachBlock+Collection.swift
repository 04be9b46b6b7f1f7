extension ForEachBlock {
    /// The collection to iterate (ORCH8-SPEC §2.2): a `{{…}}` template, which may read outputs, or
    /// else a dotted path relative to `context.data` (`"order.lines"`). Nil when it does not resolve.
    public func collectionValue(in scope: EvaluationScope) -> JSON? {
        if collection.contains("{{") { return try? Template(.string(collection)).render(in: scope) }
        return ValuePath.inData(collection).resolve(in: scope)
    }
}
