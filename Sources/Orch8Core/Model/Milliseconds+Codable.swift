extension Milliseconds: Codable {
    /// Decodes an integer as milliseconds and a float as seconds.
    /// - Throws: `DecodingError` for a negative, non-finite, out-of-range or non-numeric value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        switch try container.decode(JSON.self) {
        case .int(let ms):
            guard ms >= 0 else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "duration must not be negative, found \(ms)"
                )
            }
            self.init(UInt64(ms))
        case .double(let seconds):
            self.init(try Self.milliseconds(fromSeconds: seconds, in: container))
        case let other:
            throw DecodingError.typeMismatch(
                Milliseconds.self,
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "expected duration in milliseconds (number), found \(other.typeName)"
                )
            )
        }
    }

    /// Encodes integer milliseconds. Values beyond `Int64.max` (only constructible in code) are clamped,
    /// because a wire number that large would be written as a float and read back as seconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Int64(clamping: value))
    }

    // Rounds to the nanosecond first, then truncates to milliseconds, so that decimal fractions such as
    // 4.35 s (4349.999… ms in binary) land on 4350 ms, as the original engine's conversion does.
    private static func milliseconds(
        fromSeconds seconds: Double,
        in container: any SingleValueDecodingContainer
    ) throws -> UInt64 {
        guard seconds.isFinite, seconds >= 0 else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "duration must not be negative, found \(seconds)"
            )
        }
        let nanoseconds = (seconds * 1e9).rounded()
        guard nanoseconds < 18_446_744_073_709_551_615.0 else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "duration of \(seconds) seconds is out of range"
            )
        }
        return UInt64(nanoseconds) / 1_000_000
    }
}
