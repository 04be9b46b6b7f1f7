import Orch8Core
import Testing

@Suite struct CollectionFunctionsTests {
    @Test func lenCountsCharactersElementsAndMembers() {
        #expect(call("len", "héllo") == 5)
        #expect(call("len", "👩‍👩‍👧") == 1)
        #expect(call("len", [1, 2, 3]) == 3)
        #expect(call("len", ["a": 1, "b": 2]) == 2)
        #expect(call("len", "") == 0)
        #expect(call("len", 42) == .null)
        #expect(call("len", nil) == .null)
        #expect(call("len") == .null)
    }

    @Test func jsonIsCompactText() {
        #expect(call("json", ["b": [1, 2.5], "a": nil]) == "{\"a\":null,\"b\":[1,2.5]}")
        #expect(call("json", "x") == "\"x\"")
        #expect(call("json", nil) == "null")
        #expect(call("json") == .null)
    }

    @Test func keysAreSortedAndValuesFollowThem() {
        let object: JSON = ["b": 2, "a": 1, "c": [3]]
        #expect(call("keys", object) == ["a", "b", "c"])
        #expect(call("values", object) == [1, 2, [3]])
        #expect(call("keys", [:]) == [])
        #expect(call("keys", [1]) == .null)
        #expect(call("values", "x") == .null)
    }

    @Test func containsArraysStringsAndObjects() {
        #expect(call("contains", [1, 2, 3], 2) == true)
        #expect(call("contains", [1, 2, 3], 2.0) == true)
        #expect(call("contains", [["a": 1]], ["a": 1]) == true)
        #expect(call("contains", [1, 2], "1") == false)
        #expect(call("contains", "hello world", "o w") == true)
        #expect(call("contains", "hello", "") == true)
        #expect(call("contains", "hello", "z") == false)
        #expect(call("contains", ["k": 1], "k") == true)
        #expect(call("contains", ["k": 1], "x") == false)
        #expect(call("contains", "hello", 1) == .null)
        #expect(call("contains", 5, 5) == .null)
        #expect(call("contains", [1]) == .null)
    }

    @Test func substringSearchIsLinear() {
        // A naive search would compare ~10^11 bytes here.
        let haystack = JSON.string(String(repeating: "a", count: 1_000_000))
        let needle = JSON.string(String(repeating: "a", count: 100_000) + "b")
        #expect(call("contains", haystack, needle) == false)
        #expect(call("contains", .string(haystack.stringValue! + "b"), needle) == true)
    }

    @Test func startsAndEndsWith() {
        #expect(call("starts_with", "orch8", "orc") == true)
        #expect(call("starts_with", "orch8", "rch") == false)
        #expect(call("starts_with", "orch8", "") == true)
        #expect(call("ends_with", "orch8", "h8") == true)
        #expect(call("ends_with", "8", "orch8") == false)
        #expect(call("ends_with", "café", "é") == true)
        #expect(call("starts_with", 123, "1") == .null)
        #expect(call("ends_with", "x") == .null)
    }

    @Test func firstAndLast() {
        #expect(call("first", [1, 2, 3]) == 1)
        #expect(call("last", [1, 2, 3]) == 3)
        #expect(call("first", []) == .null)
        #expect(call("last", []) == .null)
        #expect(call("first", "abc") == .null)
    }

    @Test(
        arguments: [
            (1, nil, [2, 3, 4, 5]),
            (1, 3, [2, 3]),
            (-2, nil, [4, 5]),
            (0, -1, [1, 2, 3, 4]),
            (-100, 100, [1, 2, 3, 4, 5]),
            (4, 2, []),
            (.int(.min), .int(.max), [1, 2, 3, 4, 5]),
            (.int(.max), .int(.min), []),
            (1.0, 2.0, [2]),
        ] as [(JSON, JSON, JSON)]
    )
    func sliceIsPythonLike(start: JSON, end: JSON, expected: JSON) {
        #expect(call("slice", [1, 2, 3, 4, 5], start, end) == expected)
    }

    @Test func sliceOfStringsAndBadArguments() {
        #expect(call("slice", [1, 2, 3], 1) == [2, 3])
        #expect(call("slice", "héllo", 1, 3) == "él")
        #expect(call("slice", "héllo", -3) == "llo")
        #expect(call("slice", [1, 2], 0.5) == .null)
        #expect(call("slice", [1, 2], "x") == .null)
        #expect(call("slice", 5, 0) == .null)
        #expect(call("slice", [1, 2]) == .null)
    }

    @Test func sortNumbersAndStrings() {
        #expect(same(call("sort", [3, 1.5, 2, -1]), [-1, 1.5, 2, 3]))
        #expect(same(call("sort", [3, 1.5, 2], "desc"), [3, 2, 1.5]))
        #expect(call("sort", ["b", "a", "B", "é"]) == ["B", "a", "b", "é"])
        #expect(call("sort", ["b", "a"], "desc") == ["b", "a"])
        #expect(call("sort", []) == [])
        #expect(call("sort", [1, "a"]) == .null)
        #expect(call("sort", [[1], [0]]) == .null)
        #expect(call("sort", [1, 2], "up") == .null)
        #expect(call("sort", "ba") == .null)
    }

    @Test func uniqueKeepsFirstOccurrences() {
        #expect(same(call("unique", [1, 2, 1.0, 3, 2]), [1, 2, 3]))
        #expect(call("unique", ["a", ["x": 1], "a", ["x": 1]]) == ["a", ["x": 1]])
        #expect(call("unique", []) == [])
        #expect(call("unique", "aa") == .null)
    }

    @Test func countOccurrences() {
        #expect(call("count", [1, 2, 1, 1.0], 1) == 3)
        #expect(call("count", ["a", "b"], "c") == 0)
        #expect(call("count", [nil, nil], nil) == 2)
        #expect(call("count", "aaa", "a") == .null)
        #expect(call("count", [1]) == .null)
    }

    @Test func arrayFunctionsRefuseHugeArrays() {
        let huge = JSON.array(Array(repeating: 1, count: ExpressionFunctions.maxCollectionCount + 1))
        let limit = JSON.array(Array(repeating: 1, count: ExpressionFunctions.maxCollectionCount))
        for name in ["sum", "avg", "min", "max", "first", "last", "sort", "unique"] {
            #expect(call(name, huge) == .null, "\(name)")
            #expect(call(name, limit) != .null, "\(name)")
        }
        #expect(call("contains", huge, 1) == .null)
        #expect(call("count", huge, 1) == .null)
        #expect(call("slice", huge, 0) == .null)
        #expect(call("len", huge) == .int(Int64(ExpressionFunctions.maxCollectionCount + 1)))
    }

    @Test func unknownFunctionsAreNull() {
        #expect(call("nope", 1) == .null)
        #expect(call("LEN", "abc") == .null)
        #expect(!ExpressionFunctions.names.contains("nope"))
    }

    @Test func namesListEveryFunctionOfTheSpec() {
        let spec: Set<String> = [
            "abs", "len", "json", "now", "uuid", "random", "format_date", "day_of_week", "keys", "values",
            "contains", "starts_with", "ends_with", "sum", "avg", "min", "max", "first", "last", "slice", "sort",
            "unique", "count", "change_pct", "clamp",
        ]
        #expect(ExpressionFunctions.names == spec)
    }
}
