import Foundation
import Orch8Core
import Testing

/// Our id text must be Foundation's, byte for byte, in both directions: it is what rows, responses
/// and SDKs hold.
@Suite struct UUIDTextTests {
    @Test func formatsAndParsesAsFoundationDoes() {
        var random = SplitMix64(seed: 16)
        for _ in 0..<5_000 {
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &random) }
            let id = bytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
            let text = id.lowercasedText
            #expect(text == id.uuidString.lowercased())
            #expect(UUID(text: text) == id)
            #expect(UUID(text: id.uuidString) == id, "upper case is accepted, as Foundation does")
        }
        let edges = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))] + [UUIDv7.generate()]
        for id in edges { #expect(UUID(text: id.lowercasedText) == id) }
        #expect(
            UUID(text: "FFFFFFFF-ffff-FfFf-ffff-ffffffffffff")?.lowercasedText == "ffffffff-ffff-ffff-ffff-ffffffffffff"
        )
    }

    @Test(arguments: [
        "", "0", "0189c1a2-3b4c-7d5e-8f60-71829304a5b", "0189c1a2-3b4c-7d5e-8f60-71829304a5b6c",
        "0189c1a23b4c7d5e8f6071829304a5b6", "{0189c1a2-3b4c-7d5e-8f60-71829304a5b6}",
        "0189c1a2-3b4c-7d5e-8f60_71829304a5b6", "0189c1a2-3b4c-7d5e-8f6-071829304a5b6",
        "0189c1a2-3b4c-7d5e-8f60-71829304a5bg", "g189c1a2-3b4c-7d5e-8f60-71829304a5b6",
        " 0189c1a2-3b4c-7d5e-8f60-71829304a5b6", "0189c1a2-3b4c-7d5e-8f60-71829304a5b6 ",
        "0189c1a2-3b4c-7d5e-8f60-71829304a5\u{e9}", "0189c1a2+3b4c-7d5e-8f60-71829304a5b6",
    ])
    func refusesWhatFoundationRefuses(_ text: String) {
        #expect(UUID(uuidString: text) == nil, "the case itself is invalid")
        #expect(UUID(text: text) == nil)
        #expect(UUID(text: Substring(text)) == nil)
    }
}
