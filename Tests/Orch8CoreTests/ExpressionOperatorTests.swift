import Testing

@testable import Orch8Core

/// One test per operator of ORCH8-SPEC §3.2, plus precedence.
@Suite struct ExpressionOperatorTests {
    @Test func equalityComparesNumbersByValueAndEverythingElseStructurally() throws {
        #expect(try evaluate("1 == 1.0") == true)
        #expect(try evaluate("seats == 12") == true)
        #expect(try evaluate("plan == 'enterprise'") == true)
        #expect(try evaluate("plan == \"free\"") == false)
        #expect(try evaluate("tags == ['a', 'b']") == true)
        #expect(try evaluate("nothing == null") == true)
        #expect(try evaluate("missing == null") == true)
        #expect(try evaluate("count_text == 7") == false)
        #expect(try evaluate("outputs.fetch.body == outputs.fetch.body") == true)
    }

    @Test func inequality() throws {
        #expect(try evaluate("seats != 12") == false)
        #expect(try evaluate("plan != 'free'") == true)
        #expect(try evaluate("1 != 1.0") == false)
    }

    @Test func greaterThan() throws {
        #expect(try evaluate("seats > 10") == true)
        #expect(try evaluate("seats > 12") == false)
        #expect(try evaluate("'b' > 'a'") == true)
        #expect(try evaluate("price > 9") == true)
    }

    @Test func greaterOrEqual() throws {
        #expect(try evaluate("seats >= 12") == true)
        #expect(try evaluate("seats >= 13") == false)
        #expect(try evaluate("'abc' >= 'abc'") == true)
    }

    @Test func lessThan() throws {
        #expect(try evaluate("seats < 13") == true)
        #expect(try evaluate("price < 9.5") == false)
        #expect(try evaluate("'Z' < 'a'") == true, "strings order by UTF-8 bytes")
    }

    @Test func lessOrEqual() throws {
        #expect(try evaluate("price <= 9.5") == true)
        #expect(try evaluate("9007199254740993 <= 9007199254740992.0") == false, "exact int/double order")
    }

    @Test func orderingOfMixedTypesIsAlwaysFalse() throws {
        for op in [">", ">=", "<", "<="] {
            #expect(try evaluate("count_text \(op) 1") == false, "numeric strings do not order: \(op)")
            #expect(try evaluate("nothing \(op) 0") == false)
            #expect(try evaluate("tags \(op) tags") == false)
        }
    }

    @Test func inLooksIntoArraysStringsAndObjectKeys() throws {
        #expect(try evaluate("plan in ['free', 'enterprise']") == true)
        #expect(try evaluate("plan in ['free', 'pro']") == false)
        #expect(try evaluate("12 in [12.0]") == true)
        #expect(try evaluate("'ter' in plan") == true)
        #expect(try evaluate("'deep' in nested") == true)
        #expect(try evaluate("1 in 'abc'") == false)
        #expect(try evaluate("'a' in missing") == false)
    }

    @Test func plusAddsNumbersAndConcatenatesStrings() throws {
        #expect(same(try evaluate("1 + 2"), 3))
        #expect(same(try evaluate("1 + 2.5"), 3.5))
        #expect(try evaluate("'a' + 'b'") == "ab")
        #expect(same(try evaluate("count_text + 1"), 8), "numeric strings are numbers in arithmetic")
        #expect(same(try evaluate("true + true"), 2), "booleans count as 1 and 0")
        #expect(try evaluate("'a' + 1") == .null)
        #expect(try evaluate("nothing + 1") == .null)
        #expect(same(try evaluate("9223372036854775807 + 1"), 9_223_372_036_854_775_808.0))
    }

    @Test func minus() throws {
        #expect(same(try evaluate("seats - 2"), 10))
        #expect(same(try evaluate("price - 0.5"), 9.0))
        #expect(try evaluate("tags - 1") == .null)
    }

    @Test func times() throws {
        #expect(same(try evaluate("seats * 2"), 24))
        #expect(same(try evaluate("price * 2"), 19.0))
        #expect(same(try evaluate("4611686018427387904 * 4"), 18_446_744_073_709_551_616.0))
    }

    @Test func divide() throws {
        #expect(same(try evaluate("seats / 4"), 3))
        #expect(same(try evaluate("7 / 2"), 3.5))
        #expect(try evaluate("1 / 0") == .null)
        #expect(try evaluate("1.5 / 0") == .null)
        #expect(try evaluate("1 / zero") == .null)
        #expect(same(try evaluate("(-9223372036854775807 - 1) / -1"), 9_223_372_036_854_775_808.0))
    }

    @Test func logicalOrAndAnd() throws {
        #expect(try evaluate("flag || missing") == true)
        #expect(try evaluate("empty || zero") == false)
        #expect(try evaluate("flag && seats") == true)
        #expect(try evaluate("flag && empty") == false)
        #expect(try evaluate("missing.x.y && (1 / 0)") == false)
    }

    @Test func notAndNegation() throws {
        #expect(try evaluate("!flag") == false)
        #expect(try evaluate("!missing") == true)
        #expect(try evaluate("!!tags") == true)
        #expect(same(try evaluate("-seats"), -12))
        #expect(same(try evaluate("-price"), -9.5))
        #expect(same(try evaluate("--3"), 3))
        #expect(try evaluate("-plan") == .null)
    }

    @Test func ternary() throws {
        #expect(try evaluate("seats > 10 ? 'big' : 'small'") == "big")
        #expect(try evaluate("zero ? 'yes' : 'no'") == "no")
        #expect(try evaluate("flag ? seats > 100 ? 'huge' : 'big' : 'small'") == "big", "right-associative")
    }

    @Test func precedenceFollowsTheGrammar() throws {
        #expect(same(try evaluate("1 + 2 * 3"), 7))
        #expect(same(try evaluate("(1 + 2) * 3"), 9))
        #expect(same(try evaluate("10 - 4 - 3"), 3), "left-associative")
        #expect(same(try evaluate("12 / 2 / 3"), 2))
        #expect(try evaluate("1 + 1 == 2 && 2 * 2 == 4") == true)
        #expect(try evaluate("false && false || true") == true, "&& binds tighter than ||")
        #expect(try evaluate("true || false ? 'a' : 'b'") == "a", "ternary is lowest")
        #expect(try evaluate("!flag == false") == true, "unary binds tighter than comparison")
        #expect(same(try evaluate("-2 * -3"), 6))
    }

    @Test func truthiness() {
        let falsy: [JSON] = [.null, false, 0, 0.0, "", []]
        let truthy: [JSON] = [true, 1, -1, 0.5, "0", "false", [0], [:], ["a": nil]]
        for value in falsy { #expect(!value.isTruthy, "\(value)") }
        for value in truthy { #expect(value.isTruthy, "\(value)") }
    }

    @Test func arrayLiteralsEvaluateTheirElements() throws {
        #expect(try evaluate("[seats, plan, 1 + 1, [true]]") == [12, "enterprise", 2, [true]])
        #expect(try evaluate("[]") == [])
        #expect(try evaluate("[1, 2,]") == [1, 2], "a trailing comma is accepted")
    }
}
