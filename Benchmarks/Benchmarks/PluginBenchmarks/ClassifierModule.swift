import Foundation
import Orch8Core

/// Builds examples/plugins/c/text_classifier.c with the toolchain's clang into a temporary file.
enum ClassifierModule {
    static let path: String = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/plugins/c/text_classifier.c")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-classifier.wasm").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/opt/swift/usr/bin/clang")
        process.arguments = [
            "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export-dynamic", "-o", output, source.path,
        ]
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "clang failed")
        return output
    }()

    /// About 200 bytes of envelope in all.
    static let smallText = "Your invoice for November is attached"
    static let largeText = String(repeating: "lorem ipsum dolor sit amet ", count: 3_800) + "receipt"

    static func envelope(text: String) -> JSON {
        [
            "instance_id": "0190f5a4-0000-7000-8000-000000000001", "block_id": "classify_email",
            "params": ["text": .string(text)], "context": ["data": [:], "config": [:]], "attempt": 1, "config": nil,
        ]
    }
}

/// The classifier in Swift, doing what the plugin does: parse the envelope, classify, write JSON.
enum NativeClassifier {
    static func handle(_ input: [UInt8]) -> [UInt8] {
        let envelope = (try? JSON.parse(input)) ?? .null
        let text = envelope["params"]?["text"]?.stringValue ?? ""
        let category: String
        if text.contains("buy now") || text.contains("limited offer") {
            category = "spam"
        } else if text.contains("invoice") || text.contains("receipt") {
            category = "transactional"
        } else {
            category = "ham"
        }
        let output: JSON = ["category": .string(category), "confidence": 0.95, "input_length": .int(Int64(text.utf8.count))]
        return output.serializedBytes()
    }
}
