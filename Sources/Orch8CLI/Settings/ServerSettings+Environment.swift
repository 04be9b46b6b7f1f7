extension ServerSettings {
    /// `ORCH8_*` variables read by something other than a setting of `orch8 serve`: the client
    /// commands, the configuration file's location, and the `llm_call` handler's per-provider models.
    static let environmentReadElsewhere: Set<String> = ["ORCH8_CONFIG", "ORCH8_URL", "ORCH8_TENANT_ID"]
    static let environmentPrefixesReadElsewhere = ["ORCH8_LLM_DEFAULT_MODEL_"]

    /// A warning for every `ORCH8_*` variable that nothing reads: a misspelt name, or a setting of
    /// the original server that this one does not implement, would otherwise be ignored silently.
    static func environmentWarnings(_ environment: [String: String]) -> [String] {
        let known = Set(keys.flatMap(\.environment)).union(environmentReadElsewhere)
        return environment.keys.sorted().compactMap { name in
            guard name.hasPrefix("ORCH8_"), !known.contains(name),
                !environmentPrefixesReadElsewhere.contains(where: { name.hasPrefix($0) })
            else { return nil }
            let suggestion = closest(to: name, among: known.sorted()).map { " (did you mean \($0)?)" } ?? ""
            return "environment variable \(name) is not a setting of this server; ignored\(suggestion)"
        }
    }
}
