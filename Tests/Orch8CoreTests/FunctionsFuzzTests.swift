import Orch8Core
import Testing

/// Random arguments for every function and filter: nothing traps, functions return finite JSON,
/// filters either succeed or throw an error that names them.
@Suite struct FunctionsFuzzTests {
    @Test func everyFunctionSurvivesRandomArguments() {
        var generator = RandomJSON(seed: 0x0c8_f00d)
        for name in ExpressionFunctions.names.sorted() {
            for _ in 0..<150 {
                let arguments = (0..<Int.random(in: 0...4, using: &generator.rng)).map { _ in generator.value() }
                let result = ExpressionFunctions.call(name, arguments, environment: fixedEnvironment)
                #expect(result.isFinite, "\(name)(\(arguments)) = \(result)")
            }
        }
    }

    @Test func everyFilterSurvivesRandomArguments() {
        var generator = RandomJSON(seed: 0x5eed)
        for name in TemplateFilters.names.sorted() {
            for _ in 0..<150 {
                let value = generator.value()
                let arguments = (0..<Int.random(in: 0...3, using: &generator.rng)).map { _ in generator.value() }
                do {
                    let result = try TemplateFilters.apply(name, to: value, arguments: arguments)
                    #expect(result.isFinite, "\(value) | \(name)(\(arguments)) = \(result)")
                } catch {
                    #expect(error.message.hasPrefix("\(name): "), "\(value) | \(name)(\(arguments)): \(error)")
                }
            }
        }
    }
}

/// Random JSON biased towards the values that break arithmetic, indexing and parsing.
struct RandomJSON {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    private static let edgeValues: [JSON] = [
        nil, true, false, 0, -1, 1, 2, 100, .int(.max), .int(.min), .int(.max - 1), .int(.min + 1), 0.5, -0.0, 1e308,
        -1e308, .double(.leastNonzeroMagnitude), 9.223_372_036_854_775_808e18, -9.3e18, 1e19, "", " ", "0", "-5", "1.5",
        "1e400", "abc", "é✓",
        "👩‍👩‍👧", "%Y-%m-%d %H:%M:%S %Z %z %j %%", "%", "2026-03-08", "2026-03-08T12:34:56Z",
        "2026-03-09T00:30:00+14:00", "9999-12-31T23:59:59.999999-23:59", "0000-01-01T00:00:00+23:59", "Zm9vYg==",
        "//4=", "sha256", "asc", "desc", ",", [], [:], [1, 2, 3], ["b", "a"], [1, "a", nil], ["k": 1],
    ]

    mutating func value(depth: Int = 0) -> JSON {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<4: return Self.edgeValues.randomElement(using: &rng) ?? nil
        case 4: return .int(Int64(bitPattern: rng.next()))
        case 5: return .int(Int64.random(in: -1000...1000, using: &rng))
        case 6: return .double(Double.random(in: -1e6...1e6, using: &rng))
        case 7: return .string(string())
        case 8 where depth < 3:
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth + 1) })
        case 9 where depth < 3:
            var members: [String: JSON] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) { members[string()] = value(depth: depth + 1) }
            return .object(members)
        default: return .int(Int64.random(in: -3...3, using: &rng))
        }
    }

    private mutating func string() -> String {
        let pieces = ["a", "b", "Z", "0", "9", " ", "-", ".", "%", "=", "/", "+", "é", "ß", "👩‍👩‍👧", "\u{0301}", "\n", ":"]
        return (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }
            .joined()
    }
}

extension JSON {
    /// No NaN or infinity anywhere: JSON cannot carry them.
    var isFinite: Bool {
        switch self {
        case .double(let d): return d.isFinite
        case .array(let elements): return elements.allSatisfy(\.isFinite)
        case .object(let members): return members.values.allSatisfy(\.isFinite)
        default: return true
        }
    }
}
