import Orch8Core

extension PluginController {
    /// The body of `POST /plugins`. Missing required members and wrong JSON types are 422s (the
    /// decoder's message names the field); the values are checked by ``checkName(_:)`` and friends.
    struct CreateRequest: Decodable {
        var name: String
        var pluginType: PluginType
        var source: String
        var tenantID: String?
        var enabled: Bool?
        /// Nil when absent, `.null` when sent as `null`.
        var config: JSON?
        var description: String?

        enum CodingKeys: String, CodingKey {
            case name
            case pluginType = "plugin_type"
            case source
            case tenantID = "tenant_id"
            case enabled
            case config
            case description
        }
    }

    /// The body of `PATCH /plugins/{name}`: every member optional, an absent one left as it is.
    /// `config: null` and `description: null` clear them; `source: null` and `enabled: null` are
    /// type errors (422), as they have no "cleared" value. `name`, `plugin_type` and `tenant_id` are
    /// immutable: accepted only when equal to the stored values.
    struct UpdateRequest: Decodable {
        var source: String?
        var enabled: Bool?
        var config: JSON?
        /// Nil when absent, `.some(nil)` when sent as `null`.
        var description: String??
        var name: String?
        var pluginType: PluginType?
        var tenantID: String?

        typealias CodingKeys = CreateRequest.CodingKeys

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // `if`, not `?:`: `JSON` is nil-literal expressible, so `cond ? json : nil` is `.null`.
            if c.contains(.source) { source = try c.decode(String.self, forKey: .source) }
            if c.contains(.enabled) { enabled = try c.decode(Bool.self, forKey: .enabled) }
            if c.contains(.config) { config = try c.decode(JSON.self, forKey: .config) }
            if c.contains(.description) {
                description = .some(try c.decodeIfPresent(String.self, forKey: .description))
            }
            if c.contains(.name) { name = try c.decode(String.self, forKey: .name) }
            if c.contains(.pluginType) { pluginType = try c.decode(PluginType.self, forKey: .pluginType) }
            if c.contains(.tenantID) { tenantID = try c.decode(String.self, forKey: .tenantID) }
        }
    }

    /// Longest plugin name.
    static let maxNameLength = 255
    /// Longest plugin source.
    static let maxSourceLength = 2048

    /// A name is 1–255 characters of `[A-Za-z0-9_.-]`, and not `.` or `..`, which cannot be
    /// addressed as a path segment.
    /// - Throws: ``APIError/invalidArgument(_:)`` naming the field and the problem.
    static func checkName(_ name: String) throws(APIError) {
        guard !name.isEmpty else { throw .invalidArgument("`name` must not be empty") }
        guard name.count <= maxNameLength else {
            throw .invalidArgument("`name` is \(name.count) characters long, more than \(maxNameLength)")
        }
        if let bad = name.unicodeScalars.first(where: { !isNameScalar($0) }) {
            throw .invalidArgument(
                "`name` may contain only letters A-Z a-z, digits, '_', '.' and '-': found '\(bad)' in '\(name)'"
            )
        }
        guard name != ".", name != ".." else { throw .invalidArgument("`name` cannot be '\(name)'") }
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    /// A source is non-empty and at most 2048 characters; what it names is the checker's business.
    /// - Throws: ``APIError/invalidArgument(_:)``.
    static func checkSource(_ source: String) throws(APIError) {
        guard !source.isEmpty else { throw .invalidArgument("`source` must not be empty") }
        guard source.count <= maxSourceLength else {
            throw .invalidArgument("`source` is \(source.count) characters long, more than \(maxSourceLength)")
        }
    }

    /// A config is an object or null: it is passed to the plugin on every call and holds its limits.
    /// - Throws: ``APIError/invalidArgument(_:)``.
    static func checkConfig(_ config: JSON) throws(APIError) {
        guard config.isNull || config.objectValue != nil else {
            throw .invalidArgument("`config` must be an object or null, found \(config.typeName)")
        }
    }
}
