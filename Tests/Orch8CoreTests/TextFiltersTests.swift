import Orch8Core
import Testing

@Suite struct TextFiltersTests {
    @Test func upperAndLower() throws {
        #expect(try filter("upper", "Straße é") == "STRASSE É")
        #expect(try filter("lower", "ÉCOLE Mixed") == "école mixed")
        #expect(try filter("upper", 42) == "42")
        #expect(try filter("lower", true) == "true")
        #expect(try filter("upper", nil) == .null)
        #expect(filterError("upper", [1]) == "upper: expected a string, got array")
        #expect(filterError("lower", "x", "y") == "lower: takes no arguments, got 1")
    }

    @Test func trimRemovesUnicodeWhitespace() throws {
        #expect(try filter("trim", "  hello world \n\t") == "hello world")
        #expect(try filter("trim", "\u{00A0}\u{2003}x\u{3000}") == "x")
        #expect(try filter("trim", "   ") == "")
        #expect(try filter("trim", "") == "")
        #expect(try filter("trim", 1.5) == "1.5")
        #expect(try filter("trim", nil) == .null)
        #expect(filterError("trim", ["a": 1]) == "trim: expected a string, got object")
    }

    @Test func truncateAppendsTheSuffixOnlyWhenItCuts() throws {
        #expect(try filter("truncate", "Hello world", 5) == "Hello")
        #expect(try filter("truncate", "Hello world", 5, "…") == "Hello…")
        #expect(try filter("truncate", "Hello", 5, "…") == "Hello")
        #expect(try filter("truncate", "Hello", 0, "…") == "…")
        #expect(try filter("truncate", "👩‍👩‍👧ab", 1) == "👩‍👩‍👧")
        #expect(try filter("truncate", "abc", .int(.max)) == "abc")
        #expect(try filter("truncate", "abcdef", "3") == "abc")
        #expect(try filter("truncate", 123_456, 3) == "123")
        #expect(try filter("truncate", nil, 3) == .null)
        #expect(filterError("truncate", "abc", -1) == "truncate: length must not be negative, got -1")
        #expect(filterError("truncate", "abc", "x") == "truncate: length must be an integer, got string 'x'")
        #expect(filterError("truncate", "abc", 1.5) == "truncate: length must be an integer, got number 1.5")
        #expect(filterError("truncate", "abc") == "truncate: takes 1 to 2 arguments, got 0")
        #expect(filterError("truncate", "abc", 1, [1]) == "truncate: suffix must be a string, got array")
    }

    @Test func replaceEveryOccurrence() throws {
        #expect(try filter("replace", "a-b-c", "-", "+") == "a+b+c")
        #expect(try filter("replace", "aaa", "aa", "b") == "ba")
        #expect(try filter("replace", "abc", "x", "y") == "abc")
        #expect(try filter("replace", "abc", "", "y") == "abc")
        #expect(try filter("replace", "abc", "b", "") == "ac")
        #expect(try filter("replace", "héllo", "é", "e") == "hello")
        #expect(try filter("replace", "id: X", "X", 42) == "id: 42")
        #expect(try filter("replace", "id: X", "X", nil) == "id: null")
        #expect(try filter("replace", "v=1", 1, ["a": 1]) == "v={\"a\":1}")
        #expect(try filter("replace", 1001, 0, 9) == "1991")
        #expect(try filter("replace", nil, "a", "b") == .null)
        #expect(filterError("replace", "abc", "b") == "replace: takes 2 arguments, got 1")
        #expect(filterError("replace", "abc", nil, "b") == "replace: search text must be a string, got null")
    }

    @Test func replaceRefusesAnOversizedResultBeforeBuildingIt() {
        let input = JSON.string(String(repeating: "a", count: 1_000_000))
        let replacement = JSON.string(String(repeating: "b", count: 1_000))
        #expect(filterError("replace", input, "a", replacement) == "replace: result exceeds 4 MiB")
    }

    @Test func splitOnASeparator() throws {
        #expect(try filter("split", "a,b,,c") == ["a", "b", "", "c"])
        #expect(try filter("split", "a::b", "::") == ["a", "b"])
        #expect(try filter("split", "abc", "x") == ["abc"])
        #expect(try filter("split", "", ",") == [""])
        #expect(try filter("split", "héé", "") == ["h", "é", "é"])
        #expect(try filter("split", "", "") == [])
        #expect(try filter("split", 1.5, ".") == ["1", "5"])
        #expect(try filter("split", nil, ",") == .null)
        #expect(filterError("split", ["a"], ",") == "split: expected a string, got array")
        #expect(filterError("split", "a", ",", ";") == "split: takes 0 to 1 arguments, got 2")
    }

    @Test func splitRefusesAnOversizedResult() {
        let input = JSON.string(String(repeating: "a,", count: 2_000_000))
        #expect(filterError("split", input, ",") == "split: result exceeds 4 MiB")
    }

    @Test func joinElements() throws {
        #expect(try filter("join", ["a", "b", "c"], ", ") == "a, b, c")
        #expect(try filter("join", ["a", 1, nil, true, ["x": [1]]], "|") == "a|1|null|true|{\"x\":[1]}")
        #expect(try filter("join", ["a", "b"]) == "a,b")
        #expect(try filter("join", [], "-") == "")
        #expect(try filter("join", nil, "-") == .null)
        #expect(filterError("join", "abc", "-") == "join: expected an array, got string")
        #expect(filterError("join", ["a"], ["-"]) == "join: separator must be a string, got array")
    }

    @Test func defaultReplacesNullAndEmptyString() throws {
        #expect(try filter("default", nil, "n/a") == "n/a")
        #expect(try filter("default", "", 0) == 0)
        #expect(try filter("default", "x", "n/a") == "x")
        #expect(try filter("default", 0, 5) == 0)
        #expect(try filter("default", false, true) == false)
        #expect(try filter("default", [], "n/a") == [])
        #expect(filterError("default", nil) == "default: takes 1 argument, got 0")
    }

    @Test func unknownFilterIsAnError() {
        #expect(filterError("shout", "x") == "unknown filter: shout")
        #expect(
            TemplateFilters.names == [
                "upper", "lower", "trim", "abs", "url_encode", "base64", "base64_decode", "default", "truncate",
                "join", "split", "hash", "round", "replace",
            ]
        )
    }

    @Test func passThroughResultsAreCappedToo() {
        let big = JSON.array(Array(repeating: "0123456789", count: 400_000))
        #expect(filterError("default", big, 1) == "default: result exceeds 4 MiB")
    }
}
