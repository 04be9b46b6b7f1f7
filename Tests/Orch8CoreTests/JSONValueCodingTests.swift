import Foundation
import Orch8Core
import Testing

@Suite struct JSONValueCodingTests {
    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var ratio: Double
        var tags: [String]
        var nested: Nested?
        var raw: JSON
        var when: Date
        var id: UUID

        struct Nested: Codable, Equatable {
            var flag: Bool
        }
    }

    let sample = Sample(
        name: "n",
        count: 3,
        ratio: 0.5,
        tags: ["a"],
        nested: .init(flag: true),
        raw: ["x": 3000.0],
        when: Date(timeIntervalSince1970: 1_767_225_600.25),
        id: UUID(uuidString: "0195F0C2-0000-7000-8000-000000000001")!
    )

    @Test func roundTrip() throws {
        let json = try JSONValueEncoder().encode(sample)
        #expect(json["when"] == "2026-01-01T00:00:00.250Z")
        #expect(json["id"] == "0195f0c2-0000-7000-8000-000000000001")
        #expect(json["raw"]?["x"]?.serialized() == "3000.0")
        #expect(try JSONValueDecoder().decode(Sample.self, from: json) == sample)
        #expect(try JSONValueDecoder().decode(Sample.self, from: Array(json.serialized().utf8)) == sample)
    }

    @Test func optionalNilIsOmitted() throws {
        var value = sample
        value.nested = nil
        let json = try JSONValueEncoder().encode(value)
        #expect(json["nested"] == nil)
    }

    @Test func errorsNameTheField() throws {
        var json = try JSONValueEncoder().encode(sample)
        json["count"] = "three"
        #expect(message(json) == "count: expected integer, found string")
        json["count"] = 1.5
        #expect(message(json) == "count: expected integer, found number")
        json["count"] = 2.0
        #expect(message(json) == nil)
        json["tags"] = [1]
        #expect(message(json) == "tags[0]: expected string, found integer")
        json["tags"] = []
        json["nested"] = ["flag": "yes"]
        #expect(message(json) == "nested.flag: expected boolean, found string")
        json["nested"] = nil
        json["name"] = nil
        #expect(message(json) == "name: missing field")
        json["name"] = "n"
        json["when"] = "yesterday"
        #expect(message(json) == "when: invalid RFC 3339 timestamp 'yesterday'")
    }

    @Test func unsignedRejectsNegatives() {
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt32.self, from: JSON.int(-1)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt8.self, from: JSON.int(300)) }
    }

    @Test func everyIntegerTypeAndFloatRoundTrip() throws {
        struct Widths: Codable, Equatable {
            var i8: Int8, i16: Int16, u: UInt, u16: UInt16, big: UInt64, f: Float
        }
        let value = Widths(i8: -128, i16: 32_767, u: 7, u16: 65_535, big: .max, f: 1.5)
        let json = try JSONValueEncoder().encode(value)
        #expect(json["i8"] == -128)
        #expect(json["big"] == .double(Double(UInt64.max)), "beyond Int64 only a double carries it")
        let small = Widths(i8: 1, i16: 2, u: 3, u16: 4, big: 5, f: 0.25)
        #expect(try JSONValueDecoder().decode(Widths.self, from: JSONValueEncoder().encode(small)) == small)
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Int8.self, from: JSON.int(128)) }
    }

    @Test func jsonWorksWithFoundationCoders() throws {
        let value: JSON = ["a": [1, "b", nil, true, 2.5]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSON.self, from: data) == value)
    }

    func message(_ json: JSON) -> String? {
        do {
            _ = try JSONValueDecoder().decode(Sample.self, from: json)
            return nil
        } catch let error as DecodingError {
            return error.wireMessage
        } catch {
            return "\(error)"
        }
    }
}
