public import Orch8Core

/// Checks a plugin's source when it is registered or changed, so that a broken plugin is refused
/// with a reason instead of failing steps later.
public struct PluginSourceChecker: Sendable {
    let wasm: WasmRuntime

    public init(wasm: WasmRuntime) { self.wasm = wasm }

    /// - Throws: ``PluginSourceError`` naming the problem.
    public func check(_ type: PluginType, source: String, config: JSON) async throws(PluginSourceError) {
        switch type {
        case .wasm: try await wasm.checkOnGuestThread(path: source, config: config)
        case .grpc: _ = try GRPCEndpoint(parsing: source)
        }
    }
}

/// `host:port/Service.Method` (optionally with a `grpc://` or `grpcs://` scheme), PLUGINS.md §4.
public struct GRPCEndpoint: Sendable, Equatable {
    public var secure: Bool
    public var host: String
    public var port: Int
    /// The HTTP/2 path: `Svc.Method` becomes `/Svc/Method`; a path with `/` is kept.
    public var path: String

    public init(parsing text: String) throws(PluginSourceError) {
        var rest = Substring(text)
        secure = false
        if rest.hasPrefix("grpcs://") {
            secure = true
            rest = rest.dropFirst("grpcs://".count)
        } else if rest.hasPrefix("grpc://") {
            rest = rest.dropFirst("grpc://".count)
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw PluginSourceError("grpc source '\(text)' must be host:port/Service.Method")
        }
        let authority = rest[..<slash]
        let method = rest[rest.index(after: slash)...]
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65_535).contains(port), colon != authority.startIndex
        else {
            throw PluginSourceError("grpc source '\(text)' must name host:port (port 1-65535)")
        }
        guard !method.isEmpty, !method.contains(where: { $0 == " " }) else {
            throw PluginSourceError("grpc source '\(text)' has no method after the '/'")
        }
        host = String(authority[..<colon])
        self.port = port
        if method.contains("/") {
            path = "/" + method
        } else if let dot = method.lastIndex(of: ".") {
            path = "/" + method[..<dot] + "/" + method[method.index(after: dot)...]
        } else {
            path = "/" + method
        }
    }
}
