import Foundation
import Orch8Core

/// A pinned environment: Sunday 2026-03-08T12:34:56Z, `random` returns the upper bound, a fixed UUID.
let fixedEnvironment = EvaluationEnvironment(
    now: { Date(timeIntervalSince1970: 1_772_973_296) },
    randomInteger: { $0.upperBound },
    uuid: { "01890a5d-ac96-774b-bcce-b302099a8057" }
)

/// Calls an expression function in the pinned environment.
func call(_ name: String, _ arguments: JSON...) -> JSON {
    ExpressionFunctions.call(name, arguments, environment: fixedEnvironment)
}

/// Applies a template filter.
func filter(_ name: String, _ value: JSON, _ arguments: JSON...) throws(TemplateError) -> JSON {
    try TemplateFilters.apply(name, to: value, arguments: arguments)
}

/// The error a filter throws, or nil if it succeeds.
func filterError(_ name: String, _ value: JSON, _ arguments: JSON...) -> String? {
    do {
        _ = try TemplateFilters.apply(name, to: value, arguments: arguments)
        return nil
    } catch {
        return error.message
    }
}

/// Exactly the same JSON, kind included: `==` on JSON says `1 == 1.0`, these tests care about which.
func same(_ lhs: JSON, _ rhs: JSON) -> Bool {
    switch (lhs, rhs) {
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
    case (.int, _), (.double, _), (_, .int), (_, .double): return false
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy(same)
    case (.object(let a), .object(let b)):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { same(value, $0) } ?? false }
    default: return lhs == rhs
    }
}
