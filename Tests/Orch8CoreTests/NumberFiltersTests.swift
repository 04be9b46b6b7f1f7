import Orch8Core
import Testing

@Suite struct NumberFiltersTests {
    @Test func absOfNumbers() throws {
        #expect(same(try filter("abs", -3), 3))
        #expect(same(try filter("abs", -3.5), 3.5))
        #expect(same(try filter("abs", "-7"), 7))
        #expect(same(try filter("abs", .int(.min)), .double(9.223_372_036_854_775_808e18)))
        #expect(try filter("abs", nil) == .null)
        #expect(filterError("abs", "seven") == "abs: expected a number, got string")
        #expect(filterError("abs", -1, 2) == "abs: takes no arguments, got 1")
    }

    @Test(
        arguments: [
            (3.14159, 2, 3.14),
            (2.5, 0, 3),
            (-2.5, 0, -3),
            (2.4, nil, 2),
            (1234.5678, -2, 1200),
            (1234, -2, 1200),
            (1250, -2, 1300),
            (42, 2, 42),
            ("2.345", 1, 2.3),
            (0.1, 400, 0.1),
            (123.0, -400, 0),
            (1e300, 10, 1e300),
            (1e300, 0, 1e300),
            (.int(.max), -1, .double(9.223_372_036_854_775_808e18)),
            (.int(.max), .int(.max), .int(.max)),
            (9_007_199_254_740_993, -1, 9_007_199_254_740_990),
            (-1_234_567_890_123_456_789, -18, -1_000_000_000_000_000_000),
            (-15, -1, -20),
            (.int(.min), -19, -1e19),
            (.int(.min), -20, 0),
            (4_999_999_999_999_999_999, -19, 0),
            (5.5, .int(.min), 0),
        ] as [(JSON, JSON, JSON)]
    )
    func roundToDecimals(value: JSON, decimals: JSON, expected: JSON) throws {
        let result = decimals.isNull ? try filter("round", value) : try filter("round", value, decimals)
        #expect(same(result, expected), "\(value) | round(\(decimals)) = \(result)")
    }

    @Test func roundRejectsBadArguments() throws {
        #expect(try filter("round", nil, 2) == .null)
        #expect(filterError("round", "x", 2) == "round: expected a number, got string")
        #expect(filterError("round", 1.5, 0.5) == "round: decimals must be an integer, got number 0.5")
        #expect(filterError("round", 1.5, 1, 2) == "round: takes 0 to 1 arguments, got 2")
    }
}
