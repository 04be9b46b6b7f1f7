/// The body of `POST /instances/{id}/signals` (ORCH8-SPEC §1.7).
public struct SignalRequest: Sendable, Hashable {
    /// What the signal asks.
    public var signalType: SignalType
    /// Its argument; default null.
    public var payload: JSON

    /// Creates a request.
    public init(signalType: SignalType, payload: JSON = .null) {
        self.signalType = signalType
        self.payload = payload
    }
}

extension SignalRequest: Codable {
    enum CodingKeys: String, CodingKey {
        case signalType = "signal_type"
        case payload
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signalType = try c.decode(SignalType.self, forKey: .signalType)
        payload = try c.decode(.payload, default: .null)
    }
}
