import ArgumentParser
import Foundation
import Orch8Core

/// Option values that are JSON inline, `@FILE` for a file's contents, or `@-` for standard input.
enum JSONArgument {
    /// Parses `text` (or the file it names) as JSON.
    /// - Throws: `ValidationError` naming `option` and what is wrong.
    static func parse(_ text: String, option: String) throws -> JSON {
        let source = text.hasPrefix("@") ? try contents(of: String(text.dropFirst()), option: option) : text
        do {
            return try JSON.parse(source)
        } catch {
            throw ValidationError("\(option): \(error)")
        }
    }

    /// The text of `path` (`-` is standard input).
    /// - Throws: `ValidationError` naming `option` and the file.
    static func contents(of path: String, option: String) throws -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("\(option): cannot read \(path): \(error.localizedDescription)")
        }
    }
}
