/// The functions callable from expressions (`len(x)`, `contains(a, b)`, …), ORCH8-SPEC §3.2.
///
/// Every function is total: an unknown name, a wrong number of arguments or an argument of the wrong
/// type yields `null` (falsy in conditions) instead of an error, and no input can make one trap.
///
/// Rules shared by all functions:
/// - Numbers keep their kind: integer math stays `Int64` unless it overflows, then it becomes a double.
///   Numeric strings (`"12"`, `"1.5"`) count as numbers wherever a number is expected; booleans do not.
///   A result that is not finite is `null`.
/// - Functions taking an array (or an object) refuse more than ``maxCollectionCount`` elements
///   (`null`); `len` and `json` are exempt, since they do not walk the elements one by one.
/// - Equality (`contains`, `count`, `unique`) is JSON equality: numbers by value (`1 == 1.0`),
///   objects without regard to key order.
/// - String matching (`contains`, `starts_with`, `ends_with`) compares UTF-8 bytes, like the original.
public enum ExpressionFunctions {
    /// Every function name the expression language knows.
    public static let names: Set<String> = Set(table.keys)

    /// The largest array or object a function walks; larger ones yield `null` (ORCH8-SPEC §3.2).
    public static let maxCollectionCount = 100_000

    /// Calls function `name` with already evaluated `arguments`. Unknown functions, wrong arity and
    /// arguments of the wrong type yield `null`; this never traps on any input.
    public static func call(_ name: String, _ arguments: [JSON], environment: EvaluationEnvironment) -> JSON {
        guard let function = table[name] else { return .null }
        return function(arguments, environment) ?? .null
    }

    /// A function body; nil stands for `null`, so bodies can bail out with `guard … else { return nil }`.
    typealias Implementation = @Sendable (_ arguments: [JSON], _ environment: EvaluationEnvironment) -> JSON?

    private static let table: [String: Implementation] = [
        // Values and text
        "len": { args, _ in unary(args, len) },
        "json": { args, _ in unary(args) { .string($0.serialized()) } },
        "contains": { args, _ in binary(args, contains) },
        "starts_with": { args, _ in binary(args, startsWith) },
        "ends_with": { args, _ in binary(args, endsWith) },
        // Numbers
        "abs": { args, _ in unary(args) { Numeric($0)?.magnitude.json } },
        "sum": { args, _ in unary(args, sum) },
        "avg": { args, _ in unary(args, average) },
        "min": { args, _ in extreme(args, keepingLower: true) },
        "max": { args, _ in extreme(args, keepingLower: false) },
        "change_pct": { args, _ in binary(args, changePercent) },
        "clamp": { args, _ in clamp(args) },
        "random": { args, env in random(args, env) },
        // Arrays and objects
        "keys": { args, _ in unary(args, keys) },
        "values": { args, _ in unary(args, values) },
        "first": { args, _ in unary(args) { array($0)?.first } },
        "last": { args, _ in unary(args) { array($0)?.last } },
        "slice": { args, _ in slice(args) },
        "sort": { args, _ in sort(args) },
        "unique": { args, _ in unary(args, unique) },
        "count": { args, _ in binary(args, count) },
        // Time and identity
        "now": { args, env in args.isEmpty ? .string(RFC3339.format(env.now())) : nil },
        "uuid": { args, env in args.isEmpty ? .string(env.uuid()) : nil },
        "format_date": { args, _ in formatDate(args) },
        "day_of_week": { args, _ in unary(args, dayOfWeek) },
    ]

    static func unary(_ args: [JSON], _ body: (JSON) -> JSON?) -> JSON? {
        args.count == 1 ? body(args[0]) : nil
    }

    static func binary(_ args: [JSON], _ body: (JSON, JSON) -> JSON?) -> JSON? {
        args.count == 2 ? body(args[0], args[1]) : nil
    }

    /// The elements of an array no longer than ``maxCollectionCount``.
    static func array(_ value: JSON) -> [JSON]? {
        guard case .array(let elements) = value, elements.count <= maxCollectionCount else { return nil }
        return elements
    }

    /// An integer argument: integers, integral doubles and integral numeric strings.
    static func integer(_ value: JSON) -> Int64? {
        Numeric(value)?.exactInteger
    }
}
