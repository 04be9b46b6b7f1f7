/// How urgently an instance is claimed: higher priorities are claimed first.
///
/// ⚠ The wire spelling is capitalized (`"Normal"`), as the original engine serializes it; lowercase
/// spellings are rejected. Stored as a smallint `0...3` (``rank``).
public enum Priority: String, WireEnum, Comparable {
    case low = "Low"
    case normal = "Normal"
    case high = "High"
    case critical = "Critical"

    /// The smallint stored in the database: `Low` 0 … `Critical` 3.
    public var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .critical: 3
        }
    }

    /// The priority stored as `rank`, or nil outside `0...3`.
    public init?(rank: Int) {
        switch rank {
        case 0: self = .low
        case 1: self = .normal
        case 2: self = .high
        case 3: self = .critical
        default: return nil
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
