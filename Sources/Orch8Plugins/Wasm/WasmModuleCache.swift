import Foundation
import Orch8Core
import Synchronization
import WasmKit

/// Parsed modules, by file and by content hash. A file is looked at again at most once per
/// interval: a changed file (mtime or size) is read and parsed anew — hot reload — while calls
/// already running keep the module they started with.
final class WasmModuleCache: Sendable {
    struct Loaded: Sendable {
        var module: Module
        var hash: String
        /// The module with its mutable globals exported, when instances of it can be reused.
        var poolable: (module: Module, globals: [Int])?
        /// Why the module may not run, found when it was parsed: checked at registration and again
        /// before every call, since the file can be replaced after it was registered.
        var problem: String?
    }

    private struct FileEntry {
        var modified: Date
        var size: Int
        var checked: ContinuousClock.Instant
        var loaded: Loaded
    }

    private let files = Mutex<[String: FileEntry]>([:])
    private let modules = Mutex<[String: Loaded]>([:])
    private let checkInterval: Duration

    init(checkInterval: Duration) { self.checkInterval = checkInterval }

    func load(path: String) throws(PluginSourceError) -> Loaded {
        let now = ContinuousClock.now
        if let entry = files.withLock({ $0[path] }), now - entry.checked < checkInterval { return entry.loaded }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw PluginSourceError("wasm module not found: \(path)")
        }
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        if let entry = files.withLock({ $0[path] }), entry.modified == modified, entry.size == size {
            files.withLock { $0[path]?.checked = now }
            return entry.loaded
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PluginSourceError("wasm module not readable: \(path)")
        }
        let bytes = [UInt8](data)
        let hash = SHA256.hexDigest(bytes)
        let loaded: Loaded
        if let cached = modules.withLock({ $0[hash] }) {
            loaded = cached
        } else {
            let module: Module
            do {
                module = try parseWasm(bytes: bytes)
            } catch {
                throw PluginSourceError("\(path) is not a valid wasm module: \(String(describing: error).prefix(300))")
            }
            var poolable: (module: Module, globals: [Int])?
            if let rewritten = PoolableModule.rewrite(bytes), let variant = try? parseWasm(bytes: rewritten.bytes) {
                poolable = (variant, rewritten.mutableGlobals)
            }
            let problem = module.imports.first.map {
                "module imports \($0.module).\($0.name): plugins may not import host functions"
            }
            loaded = Loaded(module: module, hash: hash, poolable: poolable, problem: problem)
            modules.withLock { $0[hash] = loaded }
        }
        files.withLock { $0[path] = FileEntry(modified: modified, size: size, checked: now, loaded: loaded) }
        return loaded
    }
}
