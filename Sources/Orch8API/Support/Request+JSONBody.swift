import Foundation
import Hummingbird
import Orch8Core

extension Request {
    /// Reads the body, at most `limit` bytes, and decodes a wire type from it with
    /// ``JSONValueDecoder`` (which keeps `3000` and `3000.0` apart, as durations need).
    /// - Throws: ``APIError``: 415 without a JSON content type, 413 above `limit`, 400 for malformed
    ///   JSON, 422 for a well-formed body of the wrong shape (naming the field).
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let json = try await jsonBody(limit: limit)
        do {
            return try JSONValueDecoder().decode(T.self, from: json)
        } catch let error as DecodingError {
            throw APIError.unprocessableEntity(error.wireMessage)
        }
    }

    /// Reads the body, at most `limit` bytes, as a JSON value.
    /// - Throws: ``APIError``: 415 without a JSON content type, 413 above `limit`, 400 for malformed
    ///   JSON.
    func jsonBody(limit: Int) async throws -> JSON {
        guard Self.isJSON(headers[.contentType]) else {
            throw APIError.unsupportedMediaType("expected request with `Content-Type: application/json`")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(BodyLimitMiddleware.message(limit: limit))
        }
        do {
            return try JSON.parse(buffer.readableBytesView)
        } catch {
            throw APIError.invalidArgument("malformed JSON body: \(error)")
        }
    }

    /// `application/json` or `application/<something>+json`, parameters allowed (what axum's `Json`
    /// extractor accepts).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let mediaType else { return false }
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
