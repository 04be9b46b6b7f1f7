/// How a plugin is run (PLUGINS.md §2).
public enum PluginType: String, WireEnum {
    /// A WebAssembly module run in-process in a sandbox.
    case wasm
    /// A service called with JSON over HTTP/2.
    case grpc
}
