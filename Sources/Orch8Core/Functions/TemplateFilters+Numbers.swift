extension TemplateFilters {
    /// The number a numeric filter works on: nil for null (which passes through).
    private static func number(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> Numeric? {
        if value.isNull { return nil }
        guard let number = Numeric(value) else { throw arguments.error("expected a number, got \(value.typeName)") }
        return number
    }

    /// `abs`: the absolute value, an integer for integers (`Int64.min` becomes a double).
    static func abs(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...0)
        guard let number = try number(value, arguments) else { return .null }
        return number.magnitude.json ?? .null
    }

    /// `round(decimals = 0)`: rounds half away from zero to `decimals` places (negative: to tens,
    /// hundreds, …). With `decimals <= 0` the result is an integer when it fits in 64 bits; an integer
    /// input with `decimals >= 0` is returned as is.
    static func round(_ value: JSON, _ arguments: FilterArguments) throws(TemplateError) -> JSON {
        try arguments.expect(0...1)
        let decimals = try arguments.integer(at: 0, named: "decimals", default: 0)
        guard let number = try number(value, arguments) else { return .null }
        if case .int(let integer) = number {
            return decimals >= 0 ? .int(integer) : roundedInteger(integer, places: -decimals)
        }
        let rounded = roundedDouble(number.double, decimals: decimals)
        if decimals <= 0, let integer = JSON.double(rounded).intValue { return .int(integer) }
        return Numeric.double(rounded).json ?? .null
    }

    /// `value` rounded half away from zero to a multiple of 10^places, in integer arithmetic so that
    /// integers beyond 2^53 round exactly.
    private static func roundedInteger(_ value: Int64, places: Int64) -> JSON {
        // 10^19 is beyond Int64: only |value| >= 5·10^18 rounds away from zero, to ±10^19.
        guard places <= 18 else {
            let awayFromZero = places == 19 && value.magnitude >= 5_000_000_000_000_000_000
            return awayFromZero ? .double(value < 0 ? -1e19 : 1e19) : .int(0)
        }
        let factor = (0..<places).reduce(Int64(1)) { product, _ in product * 10 }
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: factor)
        // |quotient| <= Int64.max / 10, so stepping it by one cannot overflow.
        let rounded = remainder.magnitude * 2 >= factor.magnitude ? quotient + (value < 0 ? -1 : 1) : quotient
        let (product, overflow) = rounded.multipliedReportingOverflow(by: factor)
        return overflow ? .double(Double(rounded) * Double(factor)) : .int(product)
    }

    private static func roundedDouble(_ x: Double, decimals: Int64) -> Double {
        guard x.isFinite else { return x }
        // Beyond 10^308 the scale is not a finite double: a double has no digits that far right, and
        // nothing survives rounding that far left.
        if decimals > 308 { return x }
        if decimals < -308 { return 0 }
        let scale = (0..<Swift.abs(decimals)).reduce(1.0) { product, _ in product * 10 }
        if decimals >= 0 {
            let scaled = x * scale
            guard scaled.isFinite else { return x }
            return scaled.rounded(.toNearestOrAwayFromZero) / scale
        }
        return (x / scale).rounded(.toNearestOrAwayFromZero) * scale
    }
}
