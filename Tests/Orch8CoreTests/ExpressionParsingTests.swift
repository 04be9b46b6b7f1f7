import Testing

@testable import Orch8Core

/// Syntax errors, strict versus lenient parsing, and the depth limit.
@Suite struct ExpressionParsingTests {
    @Test func syntaxErrorsSayWhereAndWhat() {
        #expect(
            parseError("a ? b")?.description
                == "invalid expression at byte 5: expected ':' of the conditional, found end of expression"
        )
        #expect(parseError("a = 1")?.reason == "unexpected character '=' (comparison is '==')")
        #expect(parseError("a | b")?.reason == "unexpected character '|' (logical or is '||')")
        #expect(parseError("a & b")?.reason == "unexpected character '&' (logical and is '&&')")
        #expect(parseError("'open")?.reason == "unterminated string")
        #expect(parseError("(1 + 2")?.reason == "expected ')', found end of expression")
        #expect(parseError("1 +")?.reason == "expected a value, found end of expression")
        #expect(parseError("f(1 2)")?.reason == "expected ')', found number 2")
        #expect(parseError("1 2")?.offset == 2)
        #expect(parseError("")?.reason == "empty expression")
        #expect(parseError("{{ }}")?.reason == "empty expression")
        #expect(parseError("in [1]")?.reason == "'in' needs a value on its left")
        #expect(parseError("3abc")?.reason == "a name cannot start with a digit")
        #expect(parseError("a # b")?.reason == "unexpected character '#'")
    }

    @Test func strictParsingThrowsAndLenientParsingIsFalse() {
        #expect(throws: ExpressionParseError.self) { try Expression(parsing: "seats >") }
        let lenient = Expression(lenient: "seats >")
        #expect(lenient.evaluate(in: sampleScope) == .null)
        #expect(!lenient.isTrue(in: sampleScope))
        #expect(Expression(lenient: "seats > 1").isTrue(in: sampleScope))
    }

    @Test func nestingIsLimitedTo64Levels() throws {
        let ok = String(repeating: "(", count: 63) + "1" + String(repeating: ")", count: 63)
        #expect(try evaluate(ok) == 1)
        let deep = String(repeating: "(", count: 65) + "1" + String(repeating: ")", count: 65)
        #expect(parseError(deep)?.reason == "expression nested deeper than 64 levels")
        #expect(parseError(String(repeating: "!", count: 100) + "a") != nil)
        #expect(parseError(String(repeating: "[", count: 100)) != nil)
    }

    @Test func longFlatChainsDoNotNest() throws {
        let sum = (0..<10_000).map { _ in "1" }.joined(separator: " + ")
        #expect(try evaluate(sum) == 10_000)
        let conjunction = (0..<5_000).map { _ in "flag" }.joined(separator: " && ")
        #expect(try evaluate(conjunction) == true)
    }

    @Test func stringsHaveNoEscapes() throws {
        #expect(try evaluate(#"'a\n'"#) == #"a\n"#)
        #expect(try evaluate(#""it's""#) == "it's")
    }

    @Test func numbersKeepTheirKind() throws {
        #expect(same(try evaluate("42"), 42))
        #expect(same(try evaluate("4.0"), 4.0))
        #expect(same(try evaluate("1e3"), 1000.0))
        #expect(same(try evaluate("99999999999999999999"), 1e20))
    }

    @Test func theSourceIsKeptWithoutBraces() throws {
        #expect(try Expression(parsing: "  {{ a == 1 }} ").source == "a == 1")
        #expect(Expression(lenient: "{{x}}").source == "x")
    }
}
