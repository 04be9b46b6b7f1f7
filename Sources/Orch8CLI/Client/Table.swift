/// Text tables for `-o table`: aligned columns, long cells cut short with an ellipsis.
struct Table {
    /// Column titles, printed in upper case.
    var headers: [String]
    var rows: [[String]]
    /// Widest a cell may print; ids (36 characters) and timestamps fit.
    var maxCellWidth = 48

    init(_ headers: [String], rows: [[String]], maxCellWidth: Int = 48) {
        self.headers = headers
        self.rows = rows
        self.maxCellWidth = maxCellWidth
    }

    /// The table, one line per row under a header line; trailing spaces trimmed.
    func rendered() -> String {
        let cells = ([headers.map { $0.uppercased() }] + rows).map { row in
            row.map { Self.fit($0, width: maxCellWidth) }
        }
        var widths = Array(repeating: 0, count: headers.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return cells.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 {
                    line += String(repeating: " ", count: max(0, widths[index] - cell.count) + 2)
                }
            }
            return line
        }.joined(separator: "\n")
    }

    /// `label: value` lines with the values aligned, for one resource.
    static func details(_ pairs: [(String, String)], maxValueWidth: Int = 100) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { label, value in
            label + ":" + String(repeating: " ", count: width - label.count + 1) + fit(value, width: maxValueWidth)
        }.joined(separator: "\n")
    }

    /// `text` on one line, at most `width` characters; longer text ends in `…`.
    static func fit(_ text: String, width: Int) -> String {
        let flat =
            text.contains(where: \.isNewline)
            ? text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
            : text
        guard flat.count > width, width > 1 else { return flat }
        return flat.prefix(width - 1) + "…"
    }
}
