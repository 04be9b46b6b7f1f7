/// Substring search over UTF-8 bytes, linear in the input (Knuth–Morris–Pratt).
///
/// Bytes rather than `Character`s: this is what the original engine (Rust `str`) does, and a valid
/// UTF-8 needle can only match on scalar boundaries of valid UTF-8 text, so results stay valid
/// strings. Linear time matters because both sides can come from user data: a naive search of
/// `"aaa…ab"` in `"aaa…a"` is quadratic.
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack`; 0 for an empty needle.
    static func firstMatch(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        if needle.isEmpty { return 0 }
        var found: Int?
        forEachMatch(of: needle, in: haystack) { offset in
            found = offset
            return false
        }
        return found
    }

    /// Calls `body` with the offset of each non-overlapping occurrence of `needle`, left to right,
    /// until `body` returns false. An empty needle matches nowhere.
    static func forEachMatch(of needle: [UInt8], in haystack: [UInt8], _ body: (Int) -> Bool) {
        guard !needle.isEmpty, needle.count <= haystack.count else { return }
        let failure = failureTable(needle)
        var matched = 0
        for (offset, byte) in haystack.enumerated() {
            while matched > 0, needle[matched] != byte { matched = failure[matched - 1] }
            if needle[matched] == byte { matched += 1 }
            if matched == needle.count {
                guard body(offset + 1 - needle.count) else { return }
                // Restart rather than fall back: matches must not overlap (`"aaa"` has one `"aa"`).
                matched = 0
            }
        }
    }

    /// `failure[i]`: the length of the longest proper prefix of `needle[0...i]` that is also its suffix.
    private static func failureTable(_ needle: [UInt8]) -> [Int] {
        var failure = [Int](repeating: 0, count: needle.count)
        var length = 0
        for i in needle.indices.dropFirst() {
            while length > 0, needle[i] != needle[length] { length = failure[length - 1] }
            if needle[i] == needle[length] { length += 1 }
            failure[i] = length
        }
        return failure
    }
}
