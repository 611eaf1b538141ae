/// A CSV table (RFC 4180 quoting, `\n` line ends), for `--csv`.
///
/// A field is quoted when it contains a comma, a double quote, CR or LF, or starts or ends with a
/// space; inner quotes are doubled:
/// ```
/// say "hi", twice   →   "say ""hi"", twice"
/// ```
/// Lines end with `\n` rather than RFC 4180's CRLF (both are read by Python's `csv`, pandas, R).
public struct CSVTable: Sendable, Equatable {
    /// The header row.
    public var header: [String]
    /// The data rows.
    public var rows: [[String]]

    /// A CSV table.
    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The same cells as a text table (headers and rows unchanged).
    public init(_ table: TextTable) {
        self.init(header: table.columns.map(\.header), rows: table.rows)
    }

    /// Appends a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// One field, quoted if needed.
    /// - Complexity: O(length of `field`).
    public static func quote(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }

    /// The CSV text, one line per row, header first.
    /// - Complexity: O(total characters).
    public func render() -> String {
        ([header] + rows).map { $0.map(Self.quote).joined(separator: ",") + "\n" }.joined()
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
