/// What an HTTP/2 POST answered.
public struct HTTP2Response: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
}

/// Why an HTTP/2 call got no answer. Every case is worth a retry: the peer may be back.
public enum HTTP2CallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made (refused, unreachable, the connect timeout).
    case connect(String)
    /// The connection or the stream broke before the whole answer arrived (a reset, a GOAWAY, the
    /// server gone).
    case broken(String)
    /// No full answer within the deadline.
    case timeout(milliseconds: Int64)
    /// The answer was larger than the cap.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .connect(let reason): "cannot connect: \(reason)"
        case .broken(let reason): "connection lost: \(reason)"
        case .timeout(let milliseconds): "no answer within \(milliseconds) ms"
        case .tooLarge(let limit): "answer larger than \(limit) bytes"
        }
    }
}
