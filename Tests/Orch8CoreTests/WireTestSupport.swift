import Orch8Core

/// Decodes `text` with the project's JSON coders.
func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONValueDecoder().decode(T.self, from: try JSON.parse(text))
}

/// Encodes with the project's JSON coders.
func encode<T: Encodable>(_ value: T) throws -> JSON {
    try JSONValueEncoder().encode(value)
}

/// The wire message of the error decoding `text` fails with, or nil if it decodes.
func decodingFailure<T: Decodable>(_ type: T.Type, _ text: String) -> String? {
    do {
        _ = try decode(T.self, text)
        return nil
    } catch let error as DecodingError {
        return error.wireMessage
    } catch {
        return "\(error)"
    }
}

/// A minimal step as the encoder writes it back (defaults included), for exact comparisons.
func noop(_ id: String) -> String {
    #"{"type": "step", "id": "\#(id)", "handler": "noop", "params": null, "cancellable": true}"#
}

/// A valid sequence around `blocks` (a JSON array text), with optional extra top-level members.
func sequenceJSON(blocks: String, extra: String = "") -> String {
    """
    {"id": "0190f5a8-7c3e-7a10-8000-000000000001", "tenant_id": "acme", "namespace": "default",
     "name": "test", "version": 1, "created_at": "2026-05-05T12:00:00Z", "blocks": \(blocks)\(extra)}
    """
}
