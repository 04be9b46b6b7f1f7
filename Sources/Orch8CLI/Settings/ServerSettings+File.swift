import Foundation
import Orch8Core

extension ServerSettings {
    /// The file to read, or nil when none was named and `orch8.toml` is not there.
    /// - Throws: ``SettingError`` when a file named by `--config` or `ORCH8_CONFIG` does not exist.
    static func locateConfigFile(flag: String?, environment: [String: String]) throws(SettingError) -> String? {
        var named: (path: String, source: SettingSource)?
        if let flag {
            named = (flag, .flag("--config"))
        } else if let path = environment["ORCH8_CONFIG"], !path.isEmpty {
            named = (path, .environment("ORCH8_CONFIG"))
        }
        guard let named else {
            return FileManager.default.fileExists(atPath: defaultConfigFile) ? defaultConfigFile : nil
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: named.path, isDirectory: &isDirectory) else {
            throw SettingError(
                source: named.source,
                key: nil,
                message: "configuration file \(named.path) does not exist"
            )
        }
        guard !isDirectory.boolValue else {
            throw SettingError(source: named.source, key: nil, message: "\(named.path) is a directory, not a TOML file")
        }
        return named.path
    }

    /// Reads and parses `file`.
    /// - Throws: ``SettingError`` for an unreadable, oversized, non-UTF-8 or malformed file, with the
    ///   line and column of a syntax error.
    static func readConfigFile(_ file: String) throws(SettingError) -> TOMLDocument {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw SettingError(source: nil, key: nil, message: "cannot read configuration file \(file): \(error)")
        }
        guard data.count <= maxConfigFileBytes else {
            throw SettingError(
                source: nil,
                key: nil,
                message: "configuration file \(file) is \(data.count) bytes; more than \(maxConfigFileBytes) is refused"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingError(source: nil, key: nil, message: "configuration file \(file) is not UTF-8 text")
        }
        do {
            return try TOMLDocument(parsing: text)
        } catch {
            throw SettingError(source: nil, key: nil, message: "\(file):\(error.position): \(error.message)")
        }
    }

    /// Applies every key of the file; keys that are not settings become warnings, so that a typo
    /// is seen without stopping the server.
    mutating func apply(_ document: TOMLDocument, file: String, keys: [String: SettingKey]) throws(SettingError) {
        for entry in document.entries {
            let path = entry.dottedPath
            let line = entry.position.line
            if let key = keys[path] {
                try apply(key, .toml(entry.value), source: .file(path: file, line: line))
            } else if Self.unimplementedKeys.contains(where: { Self.covers($0, path) }) {
                warnings.append("\(file):\(line): \(path) is not implemented by this server; ignored")
            } else {
                let suggestion = Self.closestKey(to: path).map { " (did you mean \($0)?)" } ?? ""
                warnings.append("\(file):\(line): unknown key \(path); ignored\(suggestion)")
            }
        }
    }

    /// Whether an entry of ``unimplementedKeys`` covers `path`: the key itself, keys inside it, or
    /// for entries ending in `.` or `_`, every key with that prefix.
    private static func covers(_ entry: String, _ path: String) -> Bool {
        if entry.hasSuffix(".") || entry.hasSuffix("_") { return path.hasPrefix(entry) }
        return path == entry || path.hasPrefix(entry + ".")
    }

    /// The known key nearest `path` by edit distance, if it is near enough to be a typo of it.
    static func closestKey(to path: String) -> String? {
        closest(to: path, among: keys.map(\.path))
    }

    /// The candidate nearest `name` by edit distance, if it is near enough to be a typo of it.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(Array(name), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, name.count / 6) else { return nil }
        return best.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
