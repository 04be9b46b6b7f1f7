import Foundation

/// Standard error and whether a person is watching it.
enum Terminal {
    /// Writes `line` and a newline to standard error.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes `text` to standard error as it is (live status lines end in `\r`, not `\n`).
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether standard error is a terminal: live status goes there only then.
    static var errorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
