import Orch8Core
import Testing

@Suite struct MillisecondsTests {
    private struct Holder: Codable, Equatable {
        var timeout: Milliseconds
    }

    @Test(arguments: [
        ("0", UInt64(0)),
        ("1500", 1500),
        ("3000", 3000),
        ("1.5", 1500),
        ("3000.0", 3_000_000),
        ("0.001", 1),
        ("4.35", 4350),
        ("0.0", 0),
        ("1e3", 1_000_000),
    ])
    func integersAreMillisecondsAndFloatsAreSeconds(wire: String, milliseconds: UInt64) throws {
        #expect(try decode(Holder.self, #"{"timeout": \#(wire)}"#).timeout == Milliseconds(milliseconds))
    }

    @Test(arguments: ["-1", "-0.5", "-3000.0"])
    func negativeIsRejected(wire: String) throws {
        let message = try #require(decodingFailure(Holder.self, #"{"timeout": \#(wire)}"#))
        #expect(message.hasPrefix("timeout: duration must not be negative"))
    }

    @Test func nonNumberIsRejected() {
        #expect(
            decodingFailure(Holder.self, #"{"timeout": "5s"}"#)
                == "timeout: expected duration in milliseconds (number), found string"
        )
    }

    @Test func hugeFloatIsRejected() throws {
        let message = try #require(decodingFailure(Holder.self, #"{"timeout": 1e300}"#))
        #expect(message.hasSuffix("out of range"))
    }

    @Test func encodesAsIntegerMilliseconds() throws {
        let decoded = try decode(Holder.self, #"{"timeout": 1.5}"#)
        #expect(try encode(decoded) == ["timeout": .int(1500)])
        #expect(try encode(decoded).serialized() == #"{"timeout":1500}"#)
        #expect(try encode(Holder(timeout: Milliseconds(.max))) == ["timeout": .int(.max)])
    }

    @Test func conversions() {
        let value = Milliseconds.seconds(2)
        #expect(value == 2000)
        #expect(value.duration == .seconds(2))
        #expect(value.seconds == 2.0)
        #expect(Milliseconds(1) < Milliseconds(2))
        #expect(Milliseconds.seconds(.max) == Milliseconds(.max))
    }
}
