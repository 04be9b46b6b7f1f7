import HTTPTypes

extension HTTPField.Name {
    /// `x-request-id`, echoed on every response.
    static let requestID = HTTPField.Name("x-request-id")!
    /// `x-api-key`, the root (or, later, a per-tenant) API key.
    static let apiKey = HTTPField.Name("x-api-key")!
    /// `x-tenant-id`, the tenant context.
    static let tenantID = HTTPField.Name("x-tenant-id")!
    /// `Deprecation`, on responses of the bare (unversioned) mount.
    static let deprecation = HTTPField.Name("Deprecation")!
    /// `Sunset`, on responses of the bare mount.
    static let sunset = HTTPField.Name("Sunset")!
    /// `Link`, pointing bare-mount responses at their `/api/v1` successor.
    static let link = HTTPField.Name("Link")!
}
