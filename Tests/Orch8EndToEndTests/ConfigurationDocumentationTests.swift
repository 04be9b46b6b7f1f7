import Foundation
import Testing

/// docs/configuration.md against the settings `orch8 serve` declares (its `SettingKey` list): every
/// setting documented with its environment variable and option, and nothing documented that the
/// server does not read.
@Suite struct ConfigurationDocumentationTests {
    struct Setting: Hashable, CustomStringConvertible {
        var key: String
        var environment: String
        var flag: String?
        var description: String { "\(key) (\(environment)\(flag.map { ", \($0)" } ?? ""))" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `SettingKey("path", env: "NAME", …, flag: "--x")` in the server's source; the documented
    /// variable is the first.
    static func declared() throws -> Set<Setting> {
        let source = try String(
            contentsOf: root.appendingPathComponent("Sources/Orch8CLI/Settings/ServerSettings+Keys.swift"),
            encoding: .utf8
        )
        let pattern = #/SettingKey\("([a-z_.]+)", env: "([A-Z0-9_]+)"(?:, "[A-Z0-9_]+")*(?:, flag: "(--[a-z-]+)")?\)/#
        return Set(
            source.matches(of: pattern).map {
                Setting(key: String($0.1), environment: String($0.2), flag: $0.3.map(String.init))
            }
        )
    }

    /// The rows `| `key` | `ENV` | `--flag` or nothing | …` of the document's tables.
    static func documented() throws -> Set<Setting> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let pattern = #/^\| `([a-z_.]+)` \| `([A-Z0-9_]+)` \| (?:`(--[a-z-]+)`)? *\|/#.anchorsMatchLineEndings()
        return Set(
            text.matches(of: pattern).map {
                Setting(key: String($0.1), environment: String($0.2), flag: $0.3.map(String.init))
            }
        )
    }

    @Test func everySettingIsDocumentedWithItsVariableAndOption() throws {
        let declared = try Self.declared()
        let documented = try Self.documented()
        // The list is long; finding only a few would mean the patterns no longer match the files.
        #expect(declared.count >= 25)
        #expect(declared.subtracting(documented).isEmpty, "undocumented: \(declared.subtracting(documented))")
        #expect(documented.subtracting(declared).isEmpty, "documented, not read: \(documented.subtracting(declared))")
    }
}
