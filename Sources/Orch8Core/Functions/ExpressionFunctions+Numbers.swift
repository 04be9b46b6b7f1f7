extension ExpressionFunctions {
    /// The numbers of an array argument; nil if any element is not a number (a silent skip would hide
    /// a wrong path behind a plausible total).
    static func numbers(_ value: JSON) -> [Numeric]? {
        guard let elements = array(value) else { return nil }
        var result: [Numeric] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let number = Numeric(element) else { return nil }
            result.append(number)
        }
        return result
    }

    /// `sum(arr)`: 0 for an empty array.
    static func sum(_ value: JSON) -> JSON? {
        numbers(value)?.reduce(Numeric.int(0), +).json
    }

    /// `avg(arr)`: always a double; null for an empty array.
    static func average(_ value: JSON) -> JSON? {
        guard let numbers = numbers(value), !numbers.isEmpty else { return nil }
        // Summing doubles, not the overflow-checked integer sum: the mean of huge integers is a double anyway.
        let total = numbers.reduce(0.0) { $0 + $1.double }
        return Numeric.double(total / Double(numbers.count)).json
    }

    /// `min(arr)` / `max(arr)`, or `min(a, b, …)` over several number arguments. The winner keeps its
    /// kind (`min([2, 1.5])` is `1.5`, `max([1, 2])` is `2`); null when there is nothing to compare.
    static func extreme(_ args: [JSON], keepingLower: Bool) -> JSON? {
        let candidates: [Numeric]
        if args.count == 1, case .array = args[0] {
            guard let numbers = numbers(args[0]) else { return nil }
            candidates = numbers
        } else {
            guard args.count <= maxCollectionCount, let numbers = numbers(.array(args)) else { return nil }
            candidates = numbers
        }
        guard var best = candidates.first else { return nil }
        for candidate in candidates.dropFirst() {
            let order = Numeric.compare(candidate, best)
            if keepingLower ? order < 0 : order > 0 { best = candidate }
        }
        return best.json
    }

    /// `change_pct(old, new)`: `(new - old) / old * 100` as a double; null when `old` is 0.
    static func changePercent(_ old: JSON, _ new: JSON) -> JSON? {
        guard let old = Numeric(old)?.double, let new = Numeric(new)?.double, old != 0 else { return nil }
        return Numeric.double((new - old) / old * 100).json
    }

    /// `clamp(v, lo, hi)`: `v` limited to `[lo, hi]`, keeping the kind of whichever is returned; null
    /// when `lo > hi`.
    static func clamp(_ args: [JSON]) -> JSON? {
        guard args.count == 3, let value = Numeric(args[0]), let low = Numeric(args[1]),
            let high = Numeric(args[2]), Numeric.compare(low, high) <= 0
        else { return nil }
        if Numeric.compare(value, low) < 0 { return low.json }
        if Numeric.compare(value, high) > 0 { return high.json }
        return value.json
    }

    /// `random()`, `random(min)`, `random(min, max)`: an integer in the closed range `[min, max]`,
    /// defaults 0 and 100 (`random(50)` is in `[50, 100]`); null when `min > max` or a bound is not an
    /// integer.
    static func random(_ args: [JSON], _ environment: EvaluationEnvironment) -> JSON? {
        guard args.count <= 2 else { return nil }
        var low: Int64 = 0
        var high: Int64 = 100
        if args.count >= 1 {
            guard let value = integer(args[0]) else { return nil }
            low = value
        }
        if args.count == 2 {
            guard let value = integer(args[1]) else { return nil }
            high = value
        }
        guard low <= high else { return nil }
        return .int(environment.randomInteger(low...high))
    }
}
