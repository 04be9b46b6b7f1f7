extension KeyedDecodingContainer {
    /// Decodes an optional field, substituting `defaultValue` when it is absent or null, as serde's
    /// `#[serde(default)]` does for the original engine's wire types.
    func decode<T: Decodable>(_ key: Key, default defaultValue: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue()
    }
}
