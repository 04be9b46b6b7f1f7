import Foundation

/// Tiny WebAssembly modules, assembled byte by byte, for the registry's source checks and the
/// engine's plugin steps (PLUGINS.md §3).
enum PluginModules {
    /// The smallest plugin with the ABI and no imports: it exports `memory` (one page),
    /// `alloc(i32) -> i32` (always 1024), `dealloc(i32, i32)` (does nothing) and
    /// `handle(i32, i32) -> i64`, which returns `output`, kept at offset 0 of its memory.
    static func plugin(returning output: String) -> [UInt8] {
        let data = Array(output.utf8)
        let i32: UInt8 = 0x7F
        let i64: UInt8 = 0x7E
        let types = vector([
            [0x60, 0x01, i32, 0x01, i32],  // (i32) -> i32
            [0x60, 0x02, i32, i32, 0x00],  // (i32, i32) -> ()
            [0x60, 0x02, i32, i32, 0x01, i64],  // (i32, i32) -> i64
        ])
        let functions = vector([[0x00], [0x01], [0x02]])
        let memory = vector([[0x00, 0x01]])  // min 1 page, no max
        let exports = vector([
            name("memory") + [0x02, 0x00],
            name("alloc") + [0x00, 0x00],
            name("dealloc") + [0x00, 0x01],
            name("handle") + [0x00, 0x02],
        ])
        let code = vector([
            body([0x41] + signed(1024)),  // i32.const 1024
            body([]),
            body([0x42] + signed(Int64(data.count))),  // i64.const (0 << 32 | count)
        ])
        let segments = vector([[0x00, 0x41, 0x00, 0x0B] + unsigned(data.count) + data])  // at i32.const 0
        return header + section(1, types) + section(3, functions) + section(5, memory) + section(7, exports)
            + section(10, code) + section(11, segments)
    }

    /// A module that imports `env.abort`, which plugins may not.
    static let importsAbort: [UInt8] =
        header + section(1, vector([[0x60, 0x00, 0x00]]))
        + section(2, vector([name("env") + name("abort") + [0x00, 0x00]]))

    /// Writes `bytes` to `name` in `directory`; returns the path.
    static func write(_ bytes: [UInt8], to directory: URL, as name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    private static func section(_ id: UInt8, _ content: [UInt8]) -> [UInt8] {
        [id] + unsigned(content.count) + content
    }

    private static func vector(_ items: [[UInt8]]) -> [UInt8] {
        unsigned(items.count) + items.flatMap { $0 }
    }

    private static func name(_ text: String) -> [UInt8] {
        unsigned(text.utf8.count) + Array(text.utf8)
    }

    /// A function body without locals.
    private static func body(_ instructions: [UInt8]) -> [UInt8] {
        let bytes: [UInt8] = [0x00] + instructions + [0x0B]
        return unsigned(bytes.count) + bytes
    }

    private static func unsigned(_ value: Int) -> [UInt8] {
        var value = UInt64(value)
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    private static func signed(_ value: Int64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while true {
            let byte = UInt8(value & 0x7F)
            value >>= 7
            if (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0) {
                bytes.append(byte)
                return bytes
            }
            bytes.append(byte | 0x80)
        }
    }
}

extension PluginModules {
    /// examples/plugins/c/`name`.c compiled with the toolchain's clang into a new file; its path.
    static func compileExample(_ name: String) async throws -> String {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/plugins/c")
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).wasm").path
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
        guard process.terminationStatus == 0 else { throw CompileError(name: name) }
        return output
    }

    struct CompileError: Error {
        var name: String
    }
}
