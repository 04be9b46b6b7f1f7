import Orch8Core
import Testing

@Suite struct JSONTests {
    @Test func integersStayIntegersAndFloatsStayFloats() throws {
        #expect(try JSON.parse("3000") == .int(3000))
        if case .double(let d) = try JSON.parse("3000.0") {
            #expect(d == 3000)
        } else {
            Issue.record("3000.0 must parse as a double")
        }
        #expect(try JSON.parse("3000").serialized() == "3000")
        #expect(try JSON.parse("3000.0").serialized() == "3000.0")
        #expect(try JSON.parse("1e3").serialized() == "1000.0")
        #expect(try JSON.parse("-0.5").serialized() == "-0.5")
    }

    @Test func integerLimits() throws {
        #expect(try JSON.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSON.parse("-9223372036854775808") == .int(Int64.min))
        // Beyond Int64 the value is kept as a double rather than refused.
        #expect(try JSON.parse("9223372036854775808") == .double(9.223_372_036_854_775_808e18))
    }

    @Test func keyOrderDoesNotMatterForEquality() throws {
        let a = try JSON.parse(#"{"a":1,"b":[true,null,"x"]}"#)
        let b = try JSON.parse(#"{ "b" : [ true , null , "x" ] , "a" : 1 }"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }

    @Test func numbersCompareByValue() {
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.int(1).hashValue == JSON.double(1.0).hashValue)
        #expect(JSON.int(1) != JSON.double(1.5))
        #expect(JSON.int(1) != JSON.string("1"))
        #expect(JSON.bool(true) != JSON.int(1))
    }

    @Test func serializationSortsKeysAndEscapes() {
        let value: JSON = ["b": 1, "a": "line\n\"quoted\"\\ \u{01} é 😀", "c": [nil, false, 2.5]]
        #expect(value.serialized() == #"{"a":"line\n\"quoted\"\\ \u0001 é 😀","b":1,"c":[null,false,2.5]}"#)
    }

    @Test func roundTripsThroughText() throws {
        let text = #"{"n":-12,"f":0.1,"big":1.5e+300,"s":"\u00e9\ud83d\ude00\t","a":[[],{}],"t":true,"z":null}"#
        let value = try JSON.parse(text)
        #expect(try JSON.parse(value.serialized()) == value)
        #expect(value["s"] == "é😀\t")
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSON.parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "expected a string key in object"),
        ("[1,]", "unexpected character ']'"),
        ("01", "leading zeros are not allowed"),
        ("1.", "expected digits after '.'"),
        ("\"abc", "unterminated string"),
        ("\"a\u{01}\"", "control character in string"),
        (#""\x""#, "invalid escape sequence"),
        (#""\ud800""#, "unpaired surrogate in \\u escape"),
        ("tru", "invalid literal"),
        ("{} x", "unexpected trailing characters"),
        ("1e999", "number out of range"),
        ("NaN", "unexpected character 'N'"),
    ])
    func malformedInputIsRejected(text: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        do {
            _ = try JSON.parse(text)
        } catch {
            #expect(error.reason == reason)
            #expect(error.description.hasPrefix("invalid JSON at byte "))
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func deepNestingIsRefusedWithoutCrashing() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        let ok = String(repeating: "[", count: JSON.maxParseDepth) + String(repeating: "]", count: JSON.maxParseDepth)
        _ = try JSON.parse(ok)
    }

    @Test func nonFiniteDoublesSerializeAsNull() {
        #expect(JSON.array([.double(.infinity), .double(.nan)]).serialized() == "[null,null]")
    }

    @Test func accessors() throws {
        let value = try JSON.parse(#"{"a":[1,2.0,"x"],"o":{"k":true}}"#)
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.intValue == 2)
        #expect(value["a"]?[2]?.stringValue == "x")
        #expect(value["a"]?[9] == nil)
        #expect(value["o"]?["k"]?.boolValue == true)
        #expect(value["missing"] == nil)
        #expect(JSON.double(2.5).intValue == nil)
        #expect(JSON.double(1e300).intValue == nil)
        #expect(value.typeName == "object")
    }
}
