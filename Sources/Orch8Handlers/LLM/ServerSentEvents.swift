/// Splits a `text/event-stream` body into its events' `data` (ORCH8's `llm_call` streams are read
/// whole, then replayed). Lines starting `:` are comments; several `data:` lines join with `\n`.
enum ServerSentEvents {
    struct Event: Equatable {
        var name: String?
        var data: String
    }

    static func events(in text: String) -> [Event] {
        var events: [Event] = []
        var name: String?
        var data: [String] = []
        func flush() {
            if !data.isEmpty { events.append(Event(name: name, data: data.joined(separator: "\n"))) }
            name = nil
            data = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty {
                flush()
                continue
            }
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = line
                value = ""
            }
            switch field {
            case "data": data.append(String(value))
            case "event": name = String(value)
            default: continue
            }
        }
        flush()
        return events
    }
}
