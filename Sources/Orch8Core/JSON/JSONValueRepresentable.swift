/// A type that builds its own wire JSON. ``JSONValueEncoder`` takes ``jsonValue`` as it is instead
/// of walking the type's `Encodable` containers, whose dynamic casts per field made encoding an
/// instance's context on every commit one of the engine's largest costs. Such a type's
/// `encode(to:)` encodes ``jsonValue`` too, so that there is one definition of its wire form.
public protocol JSONValueRepresentable: Encodable {
    var jsonValue: JSON { get }
}

extension JSONValueRepresentable {
    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }
}
