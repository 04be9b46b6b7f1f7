import Foundation

extension Process {
    /// Runs the process and waits for it to exit without holding a thread of the cooperative pool:
    /// with two cores there are only two, and a test blocked in `waitUntilExit` would stall every
    /// other test's timers and requests. Output sent to pipes must be small, or go to files.
    func runToExit() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            terminationHandler = { _ in continuation.resume() }
            do {
                try run()
            } catch {
                terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }

    /// Runs the process to its exit with its standard output and error captured in files.
    func runCapturing() async throws -> (stdout: String, stderr: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-process-\(UUID().uuidString)")
        let out = base.appendingPathExtension("out")
        let err = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        standardOutput = try FileHandle(forWritingTo: out)
        standardError = try FileHandle(forWritingTo: err)
        try await runToExit()
        return (
            String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
            String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        )
    }
}
