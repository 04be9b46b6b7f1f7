extension JSON {
    /// Whether a condition holding this value passes: `null`, `false`, `0`, `""` and `[]` are false,
    /// everything else (objects included, even empty ones) is true (ORCH8-SPEC §3.2).
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0 && !d.isNaN
        case .string(let s): !s.isEmpty
        case .array(let elements): !elements.isEmpty
        case .object: true
        }
    }
}
