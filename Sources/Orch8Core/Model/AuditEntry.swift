public import Foundation

/// One entry of `context.audit`.
public struct AuditEntry: Sendable, Hashable {
    /// When it happened.
    public var timestamp: Date
    /// What happened.
    public var event: String
    /// Free-form details; default null.
    public var details: JSON

    /// Creates an entry.
    public init(timestamp: Date, event: String, details: JSON = .null) {
        self.timestamp = timestamp
        self.event = event
        self.details = details
    }
}

extension AuditEntry: Decodable {
    enum CodingKeys: String, CodingKey {
        case timestamp
        case event
        case details
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timestamp = try c.decode(Date.self, forKey: .timestamp)
        event = try c.decode(String.self, forKey: .event)
        details = try c.decode(.details, default: .null)
    }
}

extension AuditEntry: JSONValueRepresentable {
    public var jsonValue: JSON {
        [
            CodingKeys.timestamp.rawValue: .string(RFC3339.format(timestamp)),
            CodingKeys.event.rawValue: .string(event),
            CodingKeys.details.rawValue: details,
        ]
    }
}
