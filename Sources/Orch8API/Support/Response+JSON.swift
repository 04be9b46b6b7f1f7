import HTTPTypes
import Hummingbird
import Orch8Core

extension Response {
    /// A JSON response: compact text of `value` with `Content-Type: application/json`.
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serializedBytes()))
        )
    }

    /// A JSON response of an `Encodable` wire type, encoded with ``JSONValueEncoder``.
    static func json(encoding value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        .json(try JSONValueEncoder().encode(value), status: status)
    }

    /// A response with a status and no body (`204`, the empty `200` of state and context updates).
    static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }
}
