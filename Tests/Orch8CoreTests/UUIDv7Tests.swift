import Foundation
import Orch8Core
import Testing

@Suite struct UUIDv7Tests {
    @Test func idsCarryVersionSevenAndIncrease() {
        let ids = (0..<2000).map { _ in UUIDv7.generate() }
        for id in ids {
            #expect(id.uuid.6 >> 4 == 7)
            #expect(id.uuid.8 >> 6 == 0b10)
        }
        let text = ids.map { $0.uuidString.lowercased() }
        #expect(text == text.sorted())
        #expect(Set(ids).count == ids.count)
    }
}
