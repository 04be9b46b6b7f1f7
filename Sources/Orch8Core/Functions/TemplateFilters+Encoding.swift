extension TemplateFilters {
    /// `url_encode`: percent-encodes every UTF-8 byte outside the RFC 3986 unreserved set
    /// `A-Z a-z 0-9 - . _ ~` (a space becomes `%20`), with uppercase hex digits.
    static func urlEncode(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let text = try arguments.input(value, serializingContainers: true) else { return .null }
        guard PercentEncoding.encodedCount(text.utf8) <= maxResultBytes else { throw arguments.resultTooLarge() }
        return .string(PercentEncoding.encode(text.utf8))
    }

    /// `base64`: the standard alphabet with `=` padding, of the UTF-8 text.
    static func base64(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let text = try arguments.input(value, serializingContainers: true) else { return .null }
        guard Base64.encodedCount(text.utf8.count) <= maxResultBytes else { throw arguments.resultTooLarge() }
        return .string(Base64.encode(Array(text.utf8)))
    }

    /// `base64_decode`: the standard alphabet, padding optional. Input that is not base64, or that
    /// decodes to bytes which are not UTF-8 text, is an error: a template cannot carry binary data.
    static func base64Decode(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let text = try arguments.input(value) else { return .null }
        guard let bytes = Base64.decode(text.utf8) else { throw arguments.error("input is not valid base64") }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw arguments.error("decoded bytes are not UTF-8 text")
        }
        return .string(decoded)
    }

    /// `hash('sha256')`: the lowercase hex SHA-256 of the UTF-8 text. The algorithm defaults to
    /// SHA-256 and may be spelled `sha256` or `sha-256` in any case; any other is an error.
    static func hash(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...1)
        let algorithm = try arguments.text(at: 0, named: "algorithm", default: "sha256")
        guard ["sha256", "sha-256"].contains(algorithm.lowercased()) else {
            throw arguments.error("unsupported algorithm '\(algorithm.prefix(40))' (supported: sha256)")
        }
        guard let text = try arguments.input(value, serializingContainers: true) else { return .null }
        return .string(SHA256.hexDigest(text.utf8))
    }
}
