import Foundation
import WAT

/// Plugin modules made during the test run: the C example compiled with clang, and small WAT
/// modules, hostile ones included.
enum PluginModules {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-plugins-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The repository's examples/plugins/c directory.
    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("examples/plugins/c")
    }

    /// Compiles examples/plugins/c/`name`.c with the toolchain's clang; returns the module's path.
    static func compileExample(_ name: String) async throws -> String {
        let output = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).wasm").path
        let clang = ["/opt/swift/usr/bin/clang", "/usr/bin/clang"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: clang ?? "/opt/swift/usr/bin/clang")
        process.arguments = [
            "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export-dynamic", "-o", output,
            examples.appendingPathComponent("\(name).c").path,
        ]
        try await process.runToExit()
        guard process.terminationStatus == 0 else { throw ModuleError("clang failed for \(name).c") }
        return output
    }

    /// Writes `bytes` to a new file and returns its path.
    static func write(_ bytes: [UInt8], name: String = "module") throws -> String {
        let path = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).wasm").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw ModuleError("cannot write \(path)")
        }
        return path
    }

    /// A module with the plugin ABI whose `handle` body is `handle` (params $ptr $len, result i64).
    static func abi(handle: String, memory: String = "1", extra: String = "") throws -> String {
        try write(
            wat2wasm(
                """
                (module
                  (memory (export "memory") \(memory))
                  (global $heap (mut i32) (i32.const 4096))
                  (func $alloc (export "alloc") (param $n i32) (result i32)
                    (local $p i32)
                    (local.set $p (global.get $heap))
                    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
                    (local.get $p))
                  (func (export "dealloc") (param i32 i32))
                  \(extra)
                  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
                    \(handle)))
                """
            )
        )
    }

    /// `handle` returning the bytes of `text` stored at offset 16.
    static func returning(_ text: String) throws -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return try abi(
            handle: "(i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const \(text.utf8.count)))",
            extra: "(data (i32.const 16) \"\(escaped)\")"
        )
    }

    /// `handle` growing memory one page at a time; `memory.grow` answers -1 at the cap, and the
    /// module traps on it.
    static func memoryBomb() throws -> String {
        try abi(
            handle: """
                (loop $grow
                  (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
                  (br $grow))
                (i64.const 0)
                """
        )
    }
}

struct ModuleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
