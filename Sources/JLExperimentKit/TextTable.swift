/// A plain-text table with aligned columns, for an experiment's stdout report.
///
/// ```
/// dimension  theory   empirical
/// ---------  -------  ---------
///       128  0.15866    0.15902
/// ```
/// Columns are separated by two spaces; each is as wide as its widest cell (measured in
/// `Character`s, so East Asian wide glyphs may misalign); the header is underlined with `-`.
/// Rows shorter than the header are padded with empty cells; extra cells get empty headers.
/// Trailing spaces are trimmed and every line ends with `\n`.
public struct TextTable: Sendable, Equatable {
    /// How a column's cells are aligned.
    public enum Alignment: Sendable, Equatable {
        /// Left-aligned (text).
        case left
        /// Right-aligned (numbers).
        case right
        /// Right-aligned if every non-empty cell parses as a number (incl. `nan`, `inf`), else left.
        case automatic
    }

    /// A column: its header and alignment.
    public struct Column: Sendable, Equatable {
        public var header: String
        public var alignment: Alignment
        public init(_ header: String, alignment: Alignment = .automatic) {
            self.header = header
            self.alignment = alignment
        }
    }

    /// The columns.
    public var columns: [Column]
    /// The rows of cells.
    public var rows: [[String]]

    /// A table with the given columns and rows.
    public init(columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// A table whose columns are aligned automatically.
    public init(headers: [String], rows: [[String]] = []) {
        self.init(columns: headers.map { Column($0) }, rows: rows)
    }

    /// Appends a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// Whether `cell` reads as a number: `Double(cell)` succeeds or it is `nan`, `inf`, `-inf`.
    static func isNumeric(_ cell: String) -> Bool {
        let trimmed = cell.trimmingSpaces
        return Double(trimmed) != nil || ["nan", "inf", "-inf", "+inf"].contains(trimmed.lowercased())
    }

    /// The rendered table.
    /// - Complexity: O(total characters).
    public func render() -> String {
        let columnCount = max(columns.count, rows.map(\.count).max() ?? 0)
        guard columnCount > 0 else { return "" }
        func cell(_ row: [String], _ column: Int) -> String { column < row.count ? row[column] : "" }
        let headers = (0..<columnCount).map { $0 < columns.count ? columns[$0].header : "" }
        var widths = headers.map(\.count)
        var rightAligned = [Bool](repeating: false, count: columnCount)
        for column in 0..<columnCount {
            for row in rows { widths[column] = max(widths[column], cell(row, column).count) }
            let alignment = column < columns.count ? columns[column].alignment : .automatic
            switch alignment {
            case .left: rightAligned[column] = false
            case .right: rightAligned[column] = true
            case .automatic:
                let cells = rows.map { cell($0, column) }.filter { !$0.isEmpty }
                rightAligned[column] = !cells.isEmpty && cells.allSatisfy(Self.isNumeric)
            }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (column, text) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - text.count)
                parts.append(rightAligned[column] ? padding + text : text + padding)
            }
            return String(parts.joined(separator: "  ").trimmingTrailingSpaces) + "\n"
        }
        var output = line(headers)
        output += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { output += line((0..<columnCount).map { cell(row, $0) }) }
        return output
    }
}

extension String {
    var trimmingSpaces: Substring {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }

    var trimmingTrailingSpaces: Substring {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return text
    }
}
