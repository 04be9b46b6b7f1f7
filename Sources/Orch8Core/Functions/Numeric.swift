/// A number taken from a JSON value: integers stay exact `Int64`, everything else is a `Double`.
///
/// Functions and filters share one coercion rule so users learn it once: JSON numbers are numbers, and
/// so are strings holding a JSON number (`"12"`, `" -1.5e3 "`), because form inputs and HTTP outputs
/// often carry numbers as text. Booleans, null, arrays and objects are not numbers.
enum Numeric: Sendable {
    case int(Int64)
    case double(Double)

    /// Numeric strings longer than this are not worth parsing: no useful number is that long.
    private static let maxNumericStringBytes = 256

    /// The number in `value`, coercing numeric strings; nil for anything else.
    init?(_ value: JSON) {
        switch value {
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s):
            guard s.utf8.count <= Self.maxNumericStringBytes, let parsed = try? JSON.parse(s) else { return nil }
            switch parsed {
            case .int(let i): self = .int(i)
            case .double(let d): self = .double(d)
            default: return nil
            }
        default: return nil
        }
    }

    /// The number as JSON, or nil when it is not finite (JSON cannot carry NaN or infinities).
    var json: JSON? {
        switch self {
        case .int(let i): return .int(i)
        case .double(let d): return d.isFinite ? .double(d) : nil
        }
    }

    var double: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }

    /// The exact integer value, for integers and integral doubles in `Int64` range.
    var exactInteger: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d): return JSON.double(d).intValue
        }
    }

    /// The absolute value; `Int64.min` has none in `Int64`, so it becomes a `Double`.
    var magnitude: Numeric {
        switch self {
        case .int(let i): return i == .min ? .double(-Double(i)) : .int(Swift.abs(i))
        case .double(let d): return .double(Swift.abs(d))
        }
    }

    /// The sum, staying an integer unless it overflows.
    static func + (lhs: Numeric, rhs: Numeric) -> Numeric {
        if case .int(let a) = lhs, case .int(let b) = rhs {
            let (sum, overflow) = a.addingReportingOverflow(b)
            if !overflow { return .int(sum) }
        }
        return .double(lhs.double + rhs.double)
    }

    /// A total order: exact between integers and doubles (no rounding of large integers), NaN last.
    static func compare(_ lhs: Numeric, _ rhs: Numeric) -> Int {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)): return compareDoubles(a, b)
        case (.int(let a), .double(let b)): return compare(a, b)
        case (.double(let a), .int(let b)): return -compare(b, a)
        }
    }

    private static func compareDoubles(_ a: Double, _ b: Double) -> Int {
        if a.isNaN || b.isNaN { return a.isNaN ? (b.isNaN ? 0 : 1) : -1 }
        return a < b ? -1 : (a == b ? 0 : 1)
    }

    private static func compare(_ i: Int64, _ d: Double) -> Int {
        if d.isNaN || d >= 9.223_372_036_854_775_808e18 { return -1 }
        if d < -9.223_372_036_854_775_808e18 { return 1 }
        let floor = d.rounded(.down)
        let floorInt = Int64(floor)
        if i != floorInt { return i < floorInt ? -1 : 1 }
        return d == floor ? 0 : -1
    }
}
