import Orch8Core
import Testing

/// Random and mutated documents must never crash the parser, and whatever parses must round-trip.
@Suite struct JSONFuzzTests {
    static let corpus = [
        #"{"id":"a","blocks":[{"type":"step","params":{"x":"{{context.data.x}}"}}]}"#,
        #"[1,-2.5e3,true,false,null,"\u00e9\n",{"k":[[]]}]"#,
        #""plain""#, "0", "-0.0", #"{"a":{"b":{"c":[1,2,{"d":null}]}}}"#,
    ]

    @Test func mutatedDocumentsNeverCrash() {
        var rng = SplitMix64(seed: 0x0_5EED)
        let alphabet = Array(#"{}[]:,"\-+.0123456789eEtrufalsn \u"#.utf8) + [0x00, 0xFF, 0xC3, 0x80]
        var parsed = 0
        for round in 0..<4000 {
            var bytes = Array(Self.corpus[round % Self.corpus.count].utf8)
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let position = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
                let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0 where !bytes.isEmpty: bytes.remove(at: position)
                case 1: bytes.insert(byte, at: position)
                default: if !bytes.isEmpty { bytes[position] = byte }
                }
            }
            if let value = try? JSON.parse(bytes) {
                parsed += 1
                #expect((try? JSON.parse(value.serialized())) == value)
            }
        }
        #expect(parsed > 0)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? JSON.parse(bytes)
        }
    }
}
