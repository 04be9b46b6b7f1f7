import Foundation
import Logging
import Orch8Core

/// Writes each log event to standard error as one JSON object on one line (`logging.json`), for log
/// collectors: `timestamp` (RFC 3339, UTC), `level`, `label`, `message`, `error` when the event
/// carries one, then every metadata key at the top level, nested dictionaries and arrays as JSON
/// objects and arrays. A metadata key that would shadow one of those fields is written as
/// `metadata.<key>` instead.
struct JSONLogHandler: LogHandler {
    /// The logger's label (`orch8.engine`).
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Where finished lines go; standard error unless a test wants them.
    private let output: @Sendable (String) -> Void

    /// - Parameter output: receives each line, newline included.
    init(
        label: String,
        level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    /// One `write(2)` per line, so that lines from concurrent tasks do not interleave.
    static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // Later sources win: the handler's own metadata, then the provider's, then the call's.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        output(Self.line(date: Date(), level: event.level, label: label, event: event, metadata: merged))
    }

    /// The fields that come first on every line; metadata keys with these names are renamed.
    static let fixedFields: Set<String> = ["timestamp", "level", "label", "message", "error"]

    /// The JSON line (with its newline) for one event.
    static func line(
        date: Date,
        level: Logger.Level,
        label: String,
        event: LogEvent,
        metadata: Logger.Metadata
    ) -> String {
        var fields: [(String, JSON)] = [
            ("timestamp", .string(RFC3339.format(date))), ("level", .string(level.rawValue)),
            ("label", .string(label)), ("message", .string(event.message.description)),
        ]
        if let error = event.error { fields.append(("error", .string("\(error)"))) }
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            fields.append((fixedFields.contains(key) ? "metadata.\(key)" : key, json(value)))
        }
        let body = fields.map { key, value in JSON.string(key).serialized() + ":" + value.serialized() }
        return "{" + body.joined(separator: ",") + "}\n"
    }

    /// A metadata value as JSON: strings stay strings, dictionaries and arrays keep their shape.
    static func json(_ value: Logger.MetadataValue) -> JSON {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .dictionary(let dictionary): .object(dictionary.mapValues(json))
        case .array(let elements): .array(elements.map(json))
        }
    }
}
