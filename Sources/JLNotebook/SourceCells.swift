/// One cell of a notebook's source file, split at `// %%` markers (the "percent" format of
/// Jupytext, with Swift comments).
///
/// ```
/// // %% [markdown]          prose: the following `// ` comment lines, marker stripped
/// // %% optional label      code: the following lines up to the next marker
/// // %% [hide] label        code that runs but is not shown (outputs still are)
/// // %% [end]               everything after it is hidden (e.g. a closing brace)
/// ```
/// Lines before the first marker (imports, setup) are hidden. A markdown cell ends at its first
/// line that is neither blank nor a comment; the rest, up to the next marker, is a code cell.
/// - Complexity: O(1).
/// - Source: Jupytext percent format (https://jupytext.readthedocs.io).
public struct SourceCell: Sendable, Equatable {
    /// What a cell holds.
    public enum Kind: Sendable, Equatable {
        /// Prose (Markdown) written in the source.
        case markdown
        /// Swift code, shown as a fenced block.
        case code
        /// Code or setup that is not shown.
        case hidden
    }

    /// The cell's kind.
    public var kind: Kind
    /// First source line (1-based) the cell owns, marker included.
    public var firstLine: Int
    /// Last source line (1-based) the cell owns.
    public var lastLine: Int
    /// The text to show: prose without comment markers, or code with common indentation removed.
    public var text: String

    /// Creates a cell.
    public init(kind: Kind, firstLine: Int, lastLine: Int, text: String) {
        self.kind = kind
        self.firstLine = firstLine
        self.lastLine = lastLine
        self.text = text
    }

    /// Whether the cell owns source line `line`.
    public func contains(line: Int) -> Bool { firstLine <= line && line <= lastLine }

    /// Splits a Swift source file into cells (see the type's table).
    ///
    /// ```
    /// cells cover lines 1…N without gaps, in order
    /// ```
    /// - Complexity: O(length of `source`).
    /// - Source: —
    public static func parse(_ source: String) -> [SourceCell] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cells: [SourceCell] = []
        var kind = Kind.hidden
        var start = 1
        var body: [String] = []
        var ended = false

        func flush(until last: Int) {
            guard last >= start else { return }
            cells.append(SourceCell(kind: kind, firstLine: start, lastLine: last, text: render(kind, body)))
        }

        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if !ended, trimmed.hasPrefix("// %%") {
                flush(until: number - 1)
                let tag = trimmed.dropFirst("// %%".count).drop(while: { $0 == " " })
                start = number
                body = []
                if tag.hasPrefix("[markdown]") { kind = .markdown }
                else if tag.hasPrefix("[hide]") { kind = .hidden }
                else if tag.hasPrefix("[end]") { kind = .hidden; ended = true }
                else { kind = .code }
                continue
            }
            if kind == .markdown, !trimmed.isEmpty, !trimmed.hasPrefix("//") {
                // Prose ends at the first code line: the rest is an implicit code cell.
                flush(until: number - 1)
                start = number
                body = []
                kind = .code
            }
            body.append(line)
        }
        flush(until: max(lines.count, start))
        return cells
    }

    private static func render(_ kind: Kind, _ lines: [String]) -> String {
        switch kind {
        case .hidden:
            return ""
        case .markdown:
            let prose = lines.map { line -> String in
                let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
                if trimmed.hasPrefix("// ") { return String(trimmed.dropFirst(3)) }
                if trimmed.hasPrefix("//") { return String(trimmed.dropFirst(2)) }
                return String(trimmed)
            }
            return trimBlankLines(prose).joined(separator: "\n")
        case .code:
            let kept = trimBlankLines(lines)
            let indents = kept.filter { !$0.allSatisfy(\.isWhitespace) }
                .map { $0.prefix(while: { $0 == " " }).count }
            let common = indents.min() ?? 0
            return kept.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(common)) }
                .joined(separator: "\n")
        }
    }

    private static func trimBlankLines(_ lines: [String]) -> [String] {
        var slice = lines[...]
        while let first = slice.first, first.allSatisfy(\.isWhitespace) { slice = slice.dropFirst() }
        while let last = slice.last, last.allSatisfy(\.isWhitespace) { slice = slice.dropLast() }
        return Array(slice)
    }
}
