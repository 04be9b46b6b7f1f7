import Foundation
import Orch8Core
import Testing

/// `orch8 plugin run`: the real binary runs the C example classifier once, as the engine would.
@Suite struct PluginRunCommandTests {
    /// examples/plugins/c/text_classifier.c built with the toolchain's clang into `directory`.
    static func classifier(in directory: URL) async throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/plugins/c/text_classifier.c")
        let output = directory.appendingPathComponent("text_classifier.wasm").path
        let clang = ["/opt/swift/usr/bin/clang", "/usr/bin/clang"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let result = try await run(
            clang ?? "/opt/swift/usr/bin/clang",
            [
                "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export-dynamic", "-o", output,
                source.path,
            ]
        )
        guard result.status == 0 else { throw ServerError("clang failed: \(result.stderr)") }
        return output
    }

    static func run(
        _ executable: String,
        _ arguments: [String]
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let (stdout, stderr) = try await process.runCapturing()
        return (process.terminationStatus, stdout, stderr)
    }

    @Test func aPluginRunsOnceAndReportsItsOutputAndCost() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let module = try await Self.classifier(in: directory)
        let binary = ServerProcess.binary.path

        let spam = try await Self.run(
            binary,
            ["plugin", "run", module, "--params", #"{"text": "Limited offer! buy now"}"#]
        )
        #expect(spam.status == 0, "\(spam.stderr)")
        let output = try JSON.parse(spam.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(output["category"] == "spam")
        #expect(spam.stderr.contains("fuel "), "the cost is reported: \(spam.stderr)")
        #expect(spam.stderr.contains("module sha256 "))

        let badParams = try await Self.run(binary, ["plugin", "run", module, "--params", "{nope"])
        #expect(badParams.status != 0)
        #expect(badParams.stderr.contains("--params"), "\(badParams.stderr)")

        let garbage = directory.appendingPathComponent("garbage.wasm").path
        try Data("not wasm".utf8).write(to: URL(fileURLWithPath: garbage))
        let refused = try await Self.run(binary, ["plugin", "run", garbage])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("garbage.wasm"), "the error names the file: \(refused.stderr)")

        let starved = try await Self.run(
            binary,
            ["plugin", "run", module, "--params", #"{"text": "hello"}"#, "--config", #"{"fuel": 10}"#]
        )
        #expect(starved.status == 1)
        #expect(starved.stderr.contains("error (permanent)"), "\(starved.stderr)")
    }
}
