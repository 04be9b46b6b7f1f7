import Orch8Core
import Testing

/// The TOML reader behind `orch8.toml`: the grammar it accepts, and errors that name line and column.
@Suite struct TOMLDocumentTests {
    private func parse(_ text: String) throws -> TOMLDocument { try TOMLDocument(parsing: text) }

    @Test func tablesDottedHeadersAndDottedKeys() throws {
        let document = try parse(
            """
            top = 1
            [engine]
            batch_size = 64
            retry.max = 3
            [engine.webhooks]
            timeout_secs = 10
            [ "quoted table" . 'inner' ]
            "key with spaces" = true
            """
        )
        #expect(document["top"] == .integer(1))
        #expect(document["engine.batch_size"] == .integer(64))
        #expect(document["engine.retry.max"] == .integer(3))
        #expect(document["engine.webhooks.timeout_secs"] == .integer(10))
        #expect(document.value(at: ["quoted table", "inner", "key with spaces"]) == .boolean(true))
        #expect(document["engine.missing"] == nil)
        guard case .table(let engine) = document["engine"] else {
            Issue.record("engine is not a table")
            return
        }
        #expect(Set(engine.keys) == ["batch_size", "retry", "webhooks"])
    }

    @Test func entriesRecordFullPathsAndLines() throws {
        let document = try parse(
            """
            # a comment line
            [api]
            http_addr = "0.0.0.0:8080"

            [engine]
              tick.interval = 5
            limits = { steps = 1, nested = { bytes = 2 } }
            """
        )
        let found = document.entries.map { "\($0.dottedPath)@\($0.position)" }
        #expect(
            found == [
                "api.http_addr@3:1", "engine.tick.interval@6:3", "engine.limits.steps@7:12",
                "engine.limits.nested.bytes@7:34",
            ]
        )
        #expect(document.position(of: ["engine", "tick", "interval"]) == TOMLPosition(line: 6, column: 3))
    }

    @Test func basicAndLiteralStrings() throws {
        let document = try parse(
            #"""
            escapes = "tab\tquote\" backslash\\ newline\n e\u00e9 smile\U0001F600 esc\e"
            literal = 'C:\Users\no\escapes'
            empty = ""
            unicode = "héllo wörld"
            """#
        )
        #expect(document["escapes"] == .string("tab\tquote\" backslash\\ newline\n eé smile😀 esc\u{1B}"))
        #expect(document["literal"] == .string(#"C:\Users\no\escapes"#))
        #expect(document["empty"] == .string(""))
        #expect(document["unicode"] == .string("héllo wörld"))
    }

    @Test func multiLineStrings() throws {
        let document = try parse(
            #"""
            trimmed = """
            first line
            second line"""
            joined = """\
                   The quick \
                   brown fox."""
            quotes = """a "quoted" word"" """
            edge = """two at the end"""""
            raw = '''
            no \escapes here
            '''
            raw_quotes = '''it's ''ok'''''
            """#
        )
        #expect(document["trimmed"] == .string("first line\nsecond line"))
        #expect(document["joined"] == .string("The quick brown fox."))
        #expect(document["quotes"] == .string(#"a "quoted" word"" "#))
        #expect(document["edge"] == .string(#"two at the end"""#))
        #expect(document["raw"] == .string("no \\escapes here\n"))
        #expect(document["raw_quotes"] == .string("it's ''ok''"))
    }

    @Test func integersFloatsAndBooleans() throws {
        let document = try parse(
            """
            plain = 42
            signed = -17
            plus = +3
            grouped = 1_000_000
            hex = 0xDEAD_beef
            octal = 0o755
            binary = 0b1101
            zero = 0
            pi = 3.1415
            exponent = -2E-2
            avogadro = 6.022e23
            grouped_float = 9_224.617_445
            infinite = -inf
            not_a_number = nan
            yes = true
            no = false
            """
        )
        #expect(document["plain"] == .integer(42))
        #expect(document["signed"] == .integer(-17))
        #expect(document["plus"] == .integer(3))
        #expect(document["grouped"] == .integer(1_000_000))
        #expect(document["hex"] == .integer(0xDEAD_BEEF))
        #expect(document["octal"] == .integer(0o755))
        #expect(document["binary"] == .integer(13))
        #expect(document["zero"] == .integer(0))
        #expect(document["pi"] == .float(3.1415))
        #expect(document["exponent"] == .float(-0.02))
        #expect(document["avogadro"] == .float(6.022e23))
        #expect(document["grouped_float"] == .float(9224.617445))
        #expect(document["infinite"] == .float(-.infinity))
        guard case .float(let nan) = document["not_a_number"] else {
            Issue.record("nan is not a float")
            return
        }
        #expect(nan.isNaN)
        #expect(document["yes"] == .boolean(true))
        #expect(document["no"] == .boolean(false))
    }

    @Test func dateTimesAreKeptAsText() throws {
        let document = try parse(
            """
            offset = 1979-05-27T07:32:00Z
            spaced = 1979-05-27 00:32:00.999999-07:00
            local = 1979-05-27T07:32:00
            date = 1979-05-27
            time = 07:32:00
            """
        )
        #expect(document["offset"] == .datetime("1979-05-27T07:32:00Z"))
        #expect(document["spaced"] == .datetime("1979-05-27 00:32:00.999999-07:00"))
        #expect(document["local"] == .datetime("1979-05-27T07:32:00"))
        #expect(document["date"] == .datetime("1979-05-27"))
        #expect(document["time"] == .datetime("07:32:00"))
    }

    @Test func arraysSpanLinesWithCommentsAndATrailingComma() throws {
        let document = try parse(
            """
            urls = [
              "http://a.example", # the first
              'http://b.example',
              # a comment on its own line
            ]
            nested = [[1, 2], ["x"], []]
            mixed = [1, "two", 3.0, { four = 4 }]
            """
        )
        #expect(document["urls"] == .array([.string("http://a.example"), .string("http://b.example")]))
        #expect(
            document["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("x")]), .array([])])
        )
        #expect(
            document["mixed"] == .array([.integer(1), .string("two"), .float(3), .table(["four": .integer(4)])])
        )
    }

    @Test func inlineTables() throws {
        let document = try parse(
            """
            point = { x = 1, y = 2 }
            nested = { inner = { deep.key = "v" }, list = [1] }
            empty = {}
            """
        )
        #expect(document["point"] == .table(["x": .integer(1), "y": .integer(2)]))
        #expect(document["nested.inner.deep.key"] == .string("v"))
        #expect(document["nested.list"] == .array([.integer(1)]))
        #expect(document["empty"] == .table([:]))
    }

    @Test func commentsAndCRLFLineEndings() throws {
        let document = try parse("# heading\r\na = 1 # trailing\r\n\r\n[t] # table\r\nb = 'x'\r\n")
        #expect(document["a"] == .integer(1))
        #expect(document["t.b"] == .string("x"))
        #expect(document.position(of: ["t", "b"]) == TOMLPosition(line: 5, column: 1))
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        #expect(try parse("\u{FEFF}a = 1\n")["a"] == .integer(1))
    }

    @Test func anEmptyDocumentHasNoKeys() throws {
        let document = try parse("\n# only a comment\n\n")
        #expect(document.root.isEmpty)
        #expect(document.entries.isEmpty)
    }

    /// A malformed document, where the error must point, and words its message must contain.
    struct Malformed: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var says: String
        var testDescription: String { says }
    }

    @Test(arguments: [
        Malformed(text: "a = 1\nb = \"open", line: 2, column: 10, says: "expected '\"' to close the string"),
        Malformed(text: "name = orch8", line: 1, column: 8, says: "strings need quotes"),
        Malformed(text: "a = 1 2", line: 1, column: 7, says: "expected a newline or a comment"),
        Malformed(text: "x = \n", line: 1, column: 5, says: "expected a value"),
        Malformed(text: "= 3", line: 1, column: 1, says: "expected a key"),
        Malformed(text: "a 3", line: 1, column: 3, says: "expected '=' after the key a"),
        Malformed(text: "[engine\nx = 1", line: 1, column: 8, says: "expected ']' to close the table header"),
        Malformed(text: "[[servers]]", line: 1, column: 1, says: "arrays of tables"),
        Malformed(text: "a = 1\na = 2", line: 2, column: 1, says: "key a is defined twice (first at line 1)"),
        Malformed(text: "[t]\nx = 1\n[t]", line: 3, column: 2, says: "table [t] is defined twice"),
        Malformed(text: "t.x = 1\n[t]", line: 2, column: 2, says: "already defined by dotted keys"),
        Malformed(text: "[a.b]\n[a]\nb.c = 1", line: 3, column: 1, says: "defined by a [header]"),
        Malformed(text: "p = { x = 1 }\np.y = 2", line: 2, column: 1, says: "p is an inline table"),
        Malformed(text: "v = 1\nv.w = 2", line: 2, column: 1, says: "already holds an integer"),
        Malformed(text: "a = [1 2]", line: 1, column: 8, says: "expected ',' or ']'"),
        Malformed(text: "a = [1,\n  ,]", line: 2, column: 3, says: "expected a value"),
        Malformed(text: "t = { a = 1 b = 2 }", line: 1, column: 13, says: "expected ',' or '}'"),
        Malformed(text: "t = { a = 1, a = 2 }", line: 1, column: 14, says: "key t.a is defined twice"),
        Malformed(text: #"s = "bad \q escape""#, line: 1, column: 10, says: "unknown escape \\q"),
        Malformed(text: #"s = "\u12""#, line: 1, column: 8, says: "4 hexadecimal digits"),
        Malformed(text: #"s = "\uD800""#, line: 1, column: 6, says: "not a Unicode scalar"),
        Malformed(text: "s = 'unterminated", line: 1, column: 18, says: "to close the literal string"),
        Malformed(text: "s = \"\"\"never closed", line: 1, column: 20, says: "to close the multi-line string"),
        Malformed(text: "n = 012", line: 1, column: 5, says: "leading zeros"),
        Malformed(text: "n = 1__000", line: 1, column: 5, says: "malformed integer"),
        Malformed(text: "n = _1", line: 1, column: 5, says: "expected a value"),
        Malformed(text: "n = 0x_ff", line: 1, column: 5, says: "malformed 0x integer"),
        Malformed(text: "n = 99999999999999999999", line: 1, column: 5, says: "out of the 64-bit range"),
        Malformed(text: "f = 1.", line: 1, column: 5, says: "malformed float"),
        Malformed(text: "f = .5", line: 1, column: 5, says: "expected a value"),
        Malformed(text: "d = 1979-05-27T25", line: 1, column: 5, says: "malformed date-time"),
        Malformed(text: "# ok\nk = \"é\" junk", line: 2, column: 9, says: "found 'j'"),
        Malformed(text: "a = 1\r\nb = \"x\u{7}\"", line: 2, column: 7, says: "control character U+0007"),
    ])
    func errorsNameTheirLineAndColumn(_ case: Malformed) {
        do {
            let document = try TOMLDocument(parsing: `case`.text)
            Issue.record("parsed: \(document.root)")
        } catch {
            #expect(error.position == TOMLPosition(line: `case`.line, column: `case`.column), "\(error)")
            #expect(error.message.contains(`case`.says), "\(error)")
            #expect(error.description.hasPrefix("\(`case`.line):\(`case`.column): "))
        }
    }
}
