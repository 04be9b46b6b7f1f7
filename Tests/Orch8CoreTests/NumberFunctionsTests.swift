import Orch8Core
import Testing

@Suite struct NumberFunctionsTests {
    @Test func absKeepsTheKind() {
        #expect(same(call("abs", -5), 5))
        #expect(same(call("abs", -2.5), 2.5))
        #expect(same(call("abs", "-3"), 3))
        #expect(same(call("abs", .int(.min)), .double(9.223_372_036_854_775_808e18)))
        #expect(call("abs", "x") == .null)
        #expect(call("abs", true) == .null)
        #expect(call("abs") == .null)
        #expect(call("abs", 1, 2) == .null)
    }

    @Test func sumStaysIntegerUntilItOverflows() {
        #expect(same(call("sum", [1, 2, 3]), 6))
        #expect(same(call("sum", [1, 2.5]), 3.5))
        #expect(same(call("sum", []), 0))
        #expect(same(call("sum", ["1", 2]), 3))
        #expect(same(call("sum", [.int(.max), 1]), .double(9.223_372_036_854_775_808e18)))
        #expect(call("sum", [1, "x"]) == .null)
        #expect(call("sum", [1, nil]) == .null)
        #expect(call("sum", 5) == .null)
        #expect(call("sum", [1.7e308, 1.7e308]) == .null)
    }

    @Test func averageIsADouble() {
        #expect(same(call("avg", [1, 2]), 1.5))
        #expect(same(call("avg", [2, 4]), 3.0))
        #expect(call("avg", []) == .null)
        #expect(call("avg", [true]) == .null)
        #expect(call("avg", "12") == .null)
    }

    @Test func minAndMaxOverAnArrayOrArguments() {
        #expect(same(call("min", [3, 1.5, 2]), 1.5))
        #expect(same(call("max", [3, 1.5, 2]), 3))
        #expect(same(call("min", 4, 2, 8), 2))
        #expect(same(call("max", 4, "9", 8), 9))
        #expect(same(call("max", 7), 7))
        #expect(call("min", []) == .null)
        #expect(call("min") == .null)
        #expect(call("max", ["a", "b"]) == .null)
        #expect(call("max", [1, 2], 3) == .null)
    }

    @Test func minAndMaxCompareLargeIntegersExactly() {
        // 2^53 + 1 and the double 2^53 are different numbers, though Double(2^53 + 1) == 2^53.
        #expect(same(call("max", [9_007_199_254_740_993, 9_007_199_254_740_992.0]), 9_007_199_254_740_993))
        #expect(same(call("min", [.int(.max), 9.3e18]), .int(.max)))
    }

    @Test func changePercent() {
        #expect(same(call("change_pct", 100, 150), 50.0))
        #expect(same(call("change_pct", 200, 150), -25.0))
        #expect(same(call("change_pct", -10, -5), -50.0))
        #expect(call("change_pct", 0, 5) == .null)
        #expect(call("change_pct", "a", 5) == .null)
        #expect(call("change_pct", 1) == .null)
    }

    @Test func clampKeepsTheKindOfWhatItReturns() {
        #expect(same(call("clamp", 5, 0, 10), 5))
        #expect(same(call("clamp", -5, 0, 10), 0))
        #expect(same(call("clamp", 50, 0, 10.5), 10.5))
        #expect(same(call("clamp", 1.5, 1, 2), 1.5))
        #expect(call("clamp", 5, 10, 0) == .null)
        #expect(call("clamp", 5, 0) == .null)
        #expect(call("clamp", nil, 0, 1) == .null)
    }

    @Test func randomUsesTheEnvironmentWithDefaults() {
        // The fixed environment returns the upper bound.
        #expect(same(call("random"), 100))
        #expect(same(call("random", 10, 20), 20))
        #expect(same(call("random", 150), .null))
        #expect(same(call("random", 50), 100))
        #expect(same(call("random", 5, 5), 5))
        #expect(same(call("random", 1.0, 3.0), 3))
        #expect(same(call("random", .int(.min), .int(.max)), .int(.max)))
        #expect(call("random", 1.5, 3) == .null)
        #expect(call("random", "a") == .null)
        #expect(call("random", 1, 2, 3) == .null)
    }

    @Test func randomWithTheLiveEnvironmentStaysInRange() {
        for _ in 0..<100 {
            let value = ExpressionFunctions.call("random", [3, 7], environment: .live)
            #expect((3...7).contains(value.intValue ?? -1))
        }
    }
}
