import Testing

@testable import Orch8Core

/// Random and mutated input never crashes the expression parser, the evaluator or the template
/// engine: every outcome is a value or a clean error.
@Suite struct ExpressionFuzzTests {
    private static let vocabulary = [
        "a", "plan", "seats", "data.tags.0", "outputs.fetch.body.ids", "context.data.items.1.qty", "runtime.attempt",
        "state.counter", "instance_id", "input.email", "context.audit", "steps.score.value", "_error.message", "0", "1",
        "-1", "2.5", "1e308", "9223372036854775807", "'s'", "\"t\"", "''", "true", "false", "null", "in", "(", ")", "[",
        "]", ",", "?", ":", "||", "&&", "==", "!=", ">", ">=", "<", "<=", "+", "-", "*", "/", "!", "len(", "sum(",
        "slice(", "sort(", "format_date(", "now()", "random(", "unique(", "change_pct(", "clamp(", "nosuch(", " ",
        "{{", "}}", "|", "=", "é", "👩‍👩‍👧", "\n",
    ]

    private static let seeds = [
        "plan == 'enterprise' && seats > 10", "seats > 10 ? len(data.tags) * 2 : -1",
        "contains(_error.message, \"timeout\") || runtime.attempt >= 3", "plan in ['a', 'b', 'enterprise']",
        "sum(outputs.fetch.body.ids) / (seats - 12)", "!(a || b) && [1, 2, [3]] == data.tags",
        "format_date(now(), '%Y') + '-' + slice(data.tags, 0, 1)",
    ]

    @Test func randomTokenSequencesNeverCrash() {
        var rng = SplitMix64(seed: 0xe1e7)
        for _ in 0..<3_000 {
            let count = Int.random(in: 1...14, using: &rng)
            let text = (0..<count).map { _ in Self.vocabulary.randomElement(using: &rng)! }.joined(separator: " ")
            check(text)
        }
    }

    @Test func mutatedExpressionsNeverCrash() {
        var rng = SplitMix64(seed: 0x3a7e)
        let alphabet = Array("()[]'\",.?:|&=!<>+-*/ 0123456789abcxyz_{}é")
        for _ in 0..<3_000 {
            var characters = Array(Self.seeds.randomElement(using: &rng)!)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0...characters.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: characters.insert(alphabet.randomElement(using: &rng)!, at: position)
                case 1 where position < characters.count: characters.remove(at: position)
                default:
                    let end = min(characters.count, position + Int.random(in: 1...8, using: &rng))
                    characters.insert(contentsOf: characters[position..<end], at: position)
                }
            }
            check(String(characters))
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 0xb17e5)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...127, using: &rng) }
            check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func arithmeticMatchesIntegerArithmetic() throws {
        var rng = SplitMix64(seed: 0xa417)
        for _ in 0..<2_000 {
            let a = Int64.random(in: -1_000_000...1_000_000, using: &rng)
            let b = Int64.random(in: -1_000...1_000, using: &rng)
            let scope = EvaluationScope(data: ["a": .int(a), "b": .int(b)])
            #expect(same(try evaluate("a + b", in: scope), .int(a + b)))
            #expect(same(try evaluate("a - b * 2", in: scope), .int(a - b * 2)))
            #expect(try evaluate("a < b", in: scope) == .bool(a < b))
            #expect(try evaluate("a == b || a > b", in: scope) == .bool(a >= b))
            if b != 0, a % b == 0 { #expect(same(try evaluate("a / b", in: scope), .int(a / b))) }
        }
    }

    /// Parses `text` both ways and evaluates it; also compiles and renders it as a template.
    private func check(_ text: String) {
        do {
            let expression = try Expression(parsing: text)
            #expect(expression.evaluate(in: sampleScope).isFinite, "\(text)")
        } catch {
            #expect(error.offset >= 0 && error.offset <= text.utf8.count, "\(text): \(error)")
            #expect(!error.reason.isEmpty)
        }
        #expect(Expression(lenient: text).evaluate(in: sampleScope).isFinite)
        for candidate in [text, "{{ \(text) }}", "x {{\(text)}} y"] {
            let template = Template(.string(candidate))
            do {
                _ = try template.render(in: sampleScope)
            } catch {
                #expect(!error.message.isEmpty, "\(candidate)")
            }
        }
    }
}
