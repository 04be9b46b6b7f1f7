/// A closed set of string values on the wire (states, types, statuses).
///
/// Decoding is strict and case-sensitive, and a value outside the set fails with a message that lists
/// the accepted spellings (`unknown variant `low`, expected one of `Low`, `Normal`, …`), which is what an
/// API user needs to fix a request.
public protocol WireEnum: RawRepresentable, CaseIterable, Codable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {}

extension WireEnum {
    /// Decodes the exact wire spelling.
    /// - Throws: `DecodingError.dataCorrupted` naming the unknown value and the accepted ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown variant `\(raw)`, expected one of \(Self.wireSpellings)"
            )
        }
        self = value
    }

    /// Encodes the wire spelling.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The wire spelling.
    public var description: String { rawValue }

    /// Every accepted spelling, back-quoted and comma-separated, for error messages.
    public static var wireSpellings: String {
        allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
    }
}
