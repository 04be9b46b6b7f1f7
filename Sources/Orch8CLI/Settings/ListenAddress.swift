/// `HOST:PORT`, as `api.http_addr` is written.
struct ListenAddress: Equatable {
    var host: String
    var port: Int

    /// - Throws: ``SettingProblem`` saying what a listen address looks like.
    init(parsing text: String) throws(SettingProblem) {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port)
        else {
            throw SettingProblem("expected HOST:PORT such as 127.0.0.1:8080, got \"\(text)\"")
        }
        host = String(text[..<colon])
        self.port = port
    }
}
