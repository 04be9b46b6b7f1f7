extension KeyedEncodingContainer {
    /// Encodes `value`, or an explicit `null` when it is nil: for fields the wire always carries
    /// (`next_fire_at|null`), unlike the optional ones that are omitted.
    mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value {
            try encode(value, forKey: key)
        } else {
            try encodeNil(forKey: key)
        }
    }
}
