public import Foundation

extension UUID {
    /// The canonical lowercase text, `8-4-4-4-12` hex digits. Foundation's `uuidString` goes
    /// through printf for every byte and `lowercased()` copies it again (about 0.5 µs together);
    /// ids are written to every row and response, so this is on the hot path of every step.
    public var lowercasedText: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var index = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = UUIDText.digits[Int(byte >> 4)]
                    buffer[index + 1] = UUIDText.digits[Int(byte & 0x0F)]
                    index += 2
                }
                return index
            }
        }
    }

    /// Parses `8-4-4-4-12` hex digits in either case, as `UUID(uuidString:)` does, without its
    /// scanf; nil for anything else.
    public init?(text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
            var utf8 = text.utf8.makeIterator()
            var count = 0
            var written = 0
            var high: UInt8?
            while let character = utf8.next() {
                defer { count += 1 }
                guard count < 36 else { return false }
                if count == 8 || count == 13 || count == 18 || count == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let nibble = UUIDText.nibble(character) else { return false }
                if let first = high {
                    output[written] = first << 4 | nibble
                    written += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return count == 36
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }
}

private enum UUIDText {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
