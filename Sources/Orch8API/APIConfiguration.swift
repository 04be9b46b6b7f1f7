/// How the REST API listens and what it accepts (ORCH8-SPEC §1.1, §1.2, §1.6). Plain data with
/// defaults; the CLI fills it from flags and environment.
public struct APIConfiguration: Sendable {
    /// Address to listen on; default `127.0.0.1`.
    public var host: String
    /// Port to listen on; default 8080.
    public var port: Int
    /// The root API key, sent by clients in `x-api-key`. Nil is insecure mode: every request is
    /// treated as admin.
    public var apiKey: String?
    /// Whether product routes require `X-Tenant-Id` (400 without it); default true.
    public var requireTenantHeader: Bool
    /// Lets `requireTenantHeader` be false while an API key is set (`ORCH8_ALLOW_NO_TENANT_ISOLATION=1`);
    /// see ``validate()``.
    public var allowNoTenantIsolation: Bool
    /// Largest request body accepted; default 10 MiB (413 above).
    public var maxBodyBytes: Int
    /// Largest serialized instance context accepted at creation and by `PATCH …/context`; default
    /// 256 KiB, 0 disables the check (413 above).
    public var maxContextBytes: Int
    /// `env_label` of `GET /info` (`ORCH8_ENV_LABEL`).
    public var environmentLabel: String?
    /// `env_color` of `GET /info` (`ORCH8_ENV_COLOR`).
    public var environmentColor: String?

    /// Creates a configuration; every parameter defaults as documented on its property.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        apiKey: String? = nil,
        requireTenantHeader: Bool = true,
        allowNoTenantIsolation: Bool = false,
        maxBodyBytes: Int = 10 * 1024 * 1024,
        maxContextBytes: Int = 256 * 1024,
        environmentLabel: String? = nil,
        environmentColor: String? = nil
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.requireTenantHeader = requireTenantHeader
        self.allowNoTenantIsolation = allowNoTenantIsolation
        self.maxBodyBytes = maxBodyBytes
        self.maxContextBytes = maxContextBytes
        self.environmentLabel = environmentLabel
        self.environmentColor = environmentColor
    }

    /// Refuses combinations the original refuses at startup: an API key without the tenant header
    /// requirement would let any key holder read every tenant, unless explicitly allowed.
    /// - Throws: ``APIConfigurationError`` describing the problem.
    public func validate() throws(APIConfigurationError) {
        if apiKey != nil && !requireTenantHeader && !allowNoTenantIsolation {
            throw APIConfigurationError(
                message: "require_tenant_header is false while an API key is set; "
                    + "set ORCH8_ALLOW_NO_TENANT_ISOLATION=1 to allow cross-tenant access"
            )
        }
        if maxBodyBytes <= 0 { throw APIConfigurationError(message: "max_body_bytes must be > 0") }
        if maxContextBytes < 0 { throw APIConfigurationError(message: "max_context_bytes must be >= 0") }
    }
}

/// A configuration the server refuses to start with.
public struct APIConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { message }
}
