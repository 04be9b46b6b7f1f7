extension KeyedDecodingContainer {
    /// Decodes a request body's `tenant_id`, refusing an empty or whitespace-only one at decoding time
    /// (ORCH8-SPEC §0: the original's `TenantId` type does, so such bodies get a 422, not a 400).
    func decodeTenantID(forKey key: Key) throws -> String {
        let tenant = try decode(String.self, forKey: key)
        guard !tenant.allSatisfy(\.isWhitespace) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath + [key], debugDescription: "must not be empty or whitespace")
            )
        }
        return tenant
    }
}
