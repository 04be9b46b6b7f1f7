import Foundation
import Orch8Core
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2026-05-05T12:00:00Z", 1_777_982_400.0),
        ("2026-05-05T12:00:00.5Z", 1_777_982_400.5),
        ("2026-05-05t12:00:00z", 1_777_982_400.0),
        ("2026-05-05 14:00:00+02:00", 1_777_982_400.0),
        ("2026-05-05T07:30:00-04:30", 1_777_982_400.0),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test(arguments: [
        "", "2026-05-05", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-05-05T24:00:00Z",
        "2026-05-05T12:00:00", "2026-05-05T12:00:00+2:00", "2026-05-05T12:00:00.Z", "2026-05-05T12:00:00Zjunk",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func formats() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_777_982_400)) == "2026-05-05T12:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_777_982_400.25)) == "2026-05-05T12:00:00.250Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_777_982_400.000123)) == "2026-05-05T12:00:00.000123Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func roundTripsAcrossCenturies() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let micros = Int64(bitPattern: rng.next() % 8_000_000_000_000_000) - 2_000_000_000_000_000
            let date = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let parsed = try #require(RFC3339.parse(RFC3339.format(date)))
            #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 2e-6)
        }
    }
}
