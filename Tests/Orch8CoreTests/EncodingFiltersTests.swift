import Orch8Core
import Testing

@Suite struct EncodingFiltersTests {
    @Test func urlEncodeKeepsOnlyUnreservedCharacters() throws {
        #expect(try filter("url_encode", "AZaz09-._~") == "AZaz09-._~")
        #expect(try filter("url_encode", "a b&c=d/e?f+g%") == "a%20b%26c%3Dd%2Fe%3Ff%2Bg%25")
        #expect(try filter("url_encode", "é✓") == "%C3%A9%E2%9C%93")
        #expect(try filter("url_encode", ["a": 1]) == "%7B%22a%22%3A1%7D")
        #expect(try filter("url_encode", 12) == "12")
        #expect(try filter("url_encode", nil) == .null)
        #expect(filterError("url_encode", "x", 1) == "url_encode: takes no arguments, got 1")
    }

    @Test func urlEncodeRefusesAnOversizedResult() {
        let input = JSON.string(String(repeating: " ", count: 1_500_000))
        #expect(filterError("url_encode", input) == "url_encode: result exceeds 4 MiB")
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"), ("é✓", "w6ninJM="),
    ])
    func base64RoundTripsTheRFC4648Vectors(text: String, encoded: String) throws {
        #expect(try filter("base64", .string(text)) == .string(encoded))
        #expect(try filter("base64_decode", .string(encoded)) == .string(text))
    }

    @Test func base64OfOtherValues() throws {
        #expect(try filter("base64", [1, 2]) == "WzEsMl0=")
        #expect(try filter("base64", nil) == .null)
        #expect(try filter("base64", true) == "dHJ1ZQ==")
    }

    @Test func base64DecodeAcceptsMissingPadding() throws {
        #expect(try filter("base64_decode", "Zg") == "f")
        #expect(try filter("base64_decode", "Zm8") == "fo")
        #expect(try filter("base64_decode", nil) == .null)
    }

    @Test(arguments: ["Z", "Zg=", "Zm9v=", "Zm9v====", "Zm 9v", "Zm9v\n", "Zm-_", "=", "Zg==Zg==", "é"])
    func base64DecodeRejectsInvalidInput(input: String) {
        #expect(filterError("base64_decode", .string(input)) == "base64_decode: input is not valid base64")
    }

    @Test func base64DecodeRejectsBinary() {
        // 0xFF 0xFE is not UTF-8.
        #expect(filterError("base64_decode", "//4=") == "base64_decode: decoded bytes are not UTF-8 text")
        #expect(filterError("base64_decode", ["a"]) == "base64_decode: expected a string, got array")
    }

    @Test func hashIsLowercaseHexSHA256() throws {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(try filter("hash", "abc", "sha256") == .string(abc))
        #expect(try filter("hash", "abc") == .string(abc))
        #expect(try filter("hash", "abc", "SHA-256") == .string(abc))
        #expect(try filter("hash", ["b": 1, "a": 2]) == .string(SHA256.hexDigest("{\"a\":2,\"b\":1}".utf8)))
        #expect(try filter("hash", nil, "sha256") == .null)
        #expect(filterError("hash", "abc", "md5") == "hash: unsupported algorithm 'md5' (supported: sha256)")
        #expect(filterError("hash", "abc", "sha256", 1) == "hash: takes 0 to 1 arguments, got 2")
    }
}
