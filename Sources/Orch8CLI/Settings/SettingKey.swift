import Orch8Core

/// One setting of `orch8 serve`: where it can be given (a key of `orch8.toml`, environment
/// variables, a command-line option) and how a given value lands in ``ServerSettings``.
struct SettingKey: Sendable {
    /// The dotted TOML path, such as `engine.batch_size`.
    let path: String
    /// The environment variables that set it; the first is the documented one, the others are
    /// aliases kept for compatibility.
    let environment: [String]
    /// The command-line option that sets it (`--http-addr`), if there is one. The options themselves
    /// are declared on ``ServeCommand``; this names them for messages and the lookup.
    let flag: String?
    /// Checks a value and stores it; throws ``SettingProblem``.
    let apply: @Sendable (inout ServerSettings, SettingValue) throws -> Void

    init(
        _ path: String,
        env environment: String...,
        flag: String? = nil,
        apply: @escaping @Sendable (inout ServerSettings, SettingValue) throws -> Void
    ) {
        self.path = path
        self.environment = environment
        self.flag = flag
        self.apply = apply
    }
}

/// A value as given: typed in the TOML file, text in the environment and on the command line.
enum SettingValue {
    case toml(TOMLValue)
    case text(String)
}

/// What is wrong with a value, without saying where it came from (``SettingError`` adds that).
struct SettingProblem: Error {
    var message: String

    init(_ message: String) { self.message = message }

    /// "expected …, got …" with the value shown as it was written.
    static func expected(_ what: String, got value: SettingValue) -> SettingProblem {
        SettingProblem("expected \(what), got \(value.shown)")
    }
}

/// Where a value came from, for messages that let an operator find it.
enum SettingSource: Sendable, Equatable {
    /// The configuration file, with the line of the key.
    case file(path: String, line: Int)
    /// An environment variable.
    case environment(String)
    /// A command-line option.
    case flag(String)
}

/// A value the server refuses, named by its source: `orch8.toml:12: engine.batch_size: expected a
/// positive integer, got "x"`, `ORCH8_BATCH_SIZE: …`, `--log-level: …`.
struct SettingError: Error, CustomStringConvertible {
    var source: SettingSource?
    var key: String?
    var message: String

    var description: String {
        switch source {
        case .file(let path, let line):
            "\(path):\(line): \(key.map { "\($0): " } ?? "")\(message)"
        case .environment(let name):
            "\(name): \(message)"
        case .flag(let name):
            "\(name): \(message)"
        case nil:
            "\(key.map { "\($0): " } ?? "")\(message)"
        }
    }
}

extension SettingValue {
    /// The value as a message quotes it: strings in double quotes, other TOML values as written.
    var shown: String {
        switch self {
        case .text(let text): return "\"\(text)\""
        case .toml(let value): return Self.show(value)
        }
    }

    private static func show(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text): "\"\(text)\""
        case .integer(let number): "\(number)"
        case .float(let number): "\(number)"
        case .boolean(let flag): "\(flag)"
        case .datetime(let text): text
        case .array(let elements): "[" + elements.map(show).joined(separator: ", ") + "]"
        case .table: "a table"
        }
    }

    /// A string; any non-empty text.
    func string() throws(SettingProblem) -> String {
        switch self {
        case .text(let text): return text
        case .toml(.string(let text)): return text
        default: throw SettingProblem.expected("a string", got: self)
        }
    }

    /// A boolean: TOML `true`/`false`; in text also `1`/`0`, `yes`/`no`, `on`/`off`.
    func bool() throws(SettingProblem) -> Bool {
        switch self {
        case .toml(.boolean(let flag)):
            return flag
        case .text(let text):
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: break
            }
        default:
            break
        }
        throw SettingProblem.expected("true or false", got: self)
    }

    /// An integer within `range`, described as `what` in messages ("a positive integer").
    func integer(_ range: ClosedRange<Int>, _ what: String) throws(SettingProblem) -> Int {
        let number: Int?
        switch self {
        case .toml(.integer(let value)): number = Int(exactly: value)
        case .text(let text): number = Int(text.filter { $0 != "_" })
        default: number = nil
        }
        guard let number, range.contains(number) else { throw SettingProblem.expected(what, got: self) }
        return number
    }

    /// A positive number of seconds up to a day, fractions allowed.
    func seconds() throws(SettingProblem) -> Duration {
        let number: Double?
        switch self {
        case .toml(.integer(let value)): number = Double(value)
        case .toml(.float(let value)): number = value
        case .text(let text): number = Double(text)
        default: number = nil
        }
        // At least a millisecond: shorter values would round to a zero interval (a spinning loop, or
        // leases that expire as they are taken).
        guard let number, number >= 0.001, number <= 86_400 else {
            throw SettingProblem.expected("a number of seconds from 0.001 to 86400", got: self)
        }
        return .milliseconds(Int64((number * 1000).rounded()))
    }

    /// A list of strings: a TOML array of strings, or comma-separated text (a TOML string too).
    func stringList() throws(SettingProblem) -> [String] {
        switch self {
        case .text(let text), .toml(.string(let text)):
            return text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        case .toml(.array(let elements)):
            var list: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    throw SettingProblem.expected("an array of strings", got: self)
                }
                list.append(text)
            }
            return list
        default:
            throw SettingProblem.expected("an array of strings", got: self)
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
