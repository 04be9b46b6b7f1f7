import Orch8Core
import Testing

@Suite struct JSONTests {
    @Test func integersStayIntegers() throws {
        #expect(try JSON.parse("3000") == .int(3000))
        #expect(try JSON.parse("3000").serialized() == "3000")
        #expect(try JSON.parse("3000.0").serialized() == "3000.0")
    }
}
