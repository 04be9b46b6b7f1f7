/// A duration of the sequence DSL (`timeout`, `retry.*_backoff`, `delay.*`, `deadline`, `sla.*`,
/// `wait_for_input.timeout`), in whole milliseconds.
///
/// On the wire a JSON integer is milliseconds and a JSON float is **seconds** (`1.5` → 1500 ms,
/// `3000.0` → 3,000,000 ms): the original engine's legacy rule, kept so existing definitions mean the
/// same thing. Negative values are rejected. Encoding always writes integer milliseconds.
public struct Milliseconds: Sendable, Hashable, Comparable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The number of milliseconds.
    public var value: UInt64

    /// A duration of `value` milliseconds.
    public init(_ value: UInt64) { self.value = value }

    /// A duration of `value` milliseconds.
    public init(integerLiteral value: UInt64) { self.value = value }

    /// A duration of whole seconds, saturating at the largest representable duration.
    public static func seconds(_ seconds: UInt64) -> Milliseconds {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return Milliseconds(overflow ? .max : product)
    }

    /// The zero duration.
    public static let zero = Milliseconds(0)

    /// The same length as a Swift `Duration`.
    public var duration: Duration { .milliseconds(Int64(clamping: value)) }

    /// The same length in seconds, for date arithmetic.
    public var seconds: Double { Double(value) / 1000 }

    public static func < (lhs: Milliseconds, rhs: Milliseconds) -> Bool { lhs.value < rhs.value }

    public var description: String { "\(value) ms" }
}
