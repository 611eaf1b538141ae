import Foundation
import JLFiles

/// A notebook being run: the cells it has emitted so far, rendered to one Markdown document plus
/// one SVG file per figure.
///
/// ```swift
/// Notebook.main(name: "nb-02-sign-projections", title: "Sign random projections") { nb in
///     // %% [markdown]
///     // ## SimHash
///     let m = nb.options.pick(full: 4096, quick: 256)
///     nb.markdown("With m = \(m) rows the collision rate is \(rate.fixed(4)).")
///     nb.table(columns: ["θ", "empirical", "exact"], rows: rows)
///     try nb.figure(name: "collisions", svg: plot.render(), caption: "…")
///     // %% [end]
/// }
/// ```
/// Output layout (``write()``):
/// ```
/// <out>/<name>.md              the document
/// <out>/<name>-<figure>.svg    one file per figure, linked from the document by relative name
/// ```
/// Every emitting call records its source line (`#line`); when the notebook's source file is
/// readable, the document interleaves the source cells (``SourceCell``) with the outputs their
/// lines emitted, like an executed Jupyter notebook. Otherwise outputs appear in emission order.
/// Rendering is deterministic: no dates, paths or locale-dependent formatting.
/// - Complexity: O(total output size) to render.
/// - Source: —
public struct Notebook: Sendable {
    /// One thing the code emitted, with the source line of the emitting call.
    public enum Output: Sendable, Equatable {
        /// Prose with computed numbers.
        case markdown(String)
        /// Preformatted text (a code cell's printed output), with an optional label.
        case text(label: String, body: String)
        /// A table; the first column is left-aligned, the others right-aligned.
        case table(columns: [String], rows: [[String]], caption: String)
        /// A figure: the SVG file name (relative to the document) and its caption.
        case figure(fileName: String, caption: String)
    }

    /// The executable's name, used for file names (`<name>.md`).
    public let name: String
    /// The document's title (the `#` heading).
    public let title: String
    /// The parsed command line.
    public let options: NotebookOptions
    /// The source cells (empty when the source file could not be read).
    public let sourceCells: [SourceCell]
    /// Outputs in emission order, each with its source line.
    public private(set) var outputs: [(line: Int, output: Output)] = []
    /// Figures in emission order: file name and SVG text.
    public private(set) var figures: [(fileName: String, svg: String)] = []

    /// A notebook named `name` whose source is `sourceText` (pass `nil` to render outputs only).
    /// - Complexity: O(source length).
    public init(name: String, title: String, options: NotebookOptions, sourceText: String? = nil) {
        self.name = name
        self.title = title
        self.options = options
        self.sourceCells = sourceText.map(SourceCell.parse) ?? []
    }

    /// Whether this run uses the small CI sizes.
    public var quick: Bool { options.quick }
    /// The master seed.
    public var seed: UInt64 { options.seed }

    // MARK: Emitting

    /// Appends prose (Markdown) whose numbers were computed in this run.
    ///
    /// ```
    /// nb.markdown("The empirical mean is \(mean.fixed(4)) (exact \(exact.fixed(4))).")
    /// ```
    /// - Complexity: O(1) amortized.
    public mutating func markdown(_ text: String, line: Int = #line) {
        outputs.append((line, .markdown(text)))
    }

    /// Runs `body`, recording what it writes to its ``CodeOutput`` as one preformatted block.
    ///
    /// ```
    /// nb.code("moments") { out in out.print("mean =", mean.fixed(4)) }
    /// ```
    /// - Rethrows: whatever `body` throws.
    /// - Complexity: that of `body`.
    public mutating func code<Result>(
        _ label: String = "", line: Int = #line, _ body: (inout CodeOutput) throws -> Result
    ) rethrows -> Result {
        var output = CodeOutput()
        let result = try body(&output)
        if !output.lines.isEmpty {
            outputs.append((line, .text(label: label, body: output.lines.joined(separator: "\n"))))
        }
        return result
    }

    /// Appends a table (cells already formatted, e.g. with ``NumberFormatting``).
    ///
    /// ```
    /// | columns[0] | columns[1] | …     rows shorter than `columns` are padded with empty cells
    /// ```
    /// - Complexity: O(cells).
    public mutating func table(columns: [String], rows: [[String]], caption: String = "", line: Int = #line) {
        outputs.append((line, .table(columns: columns, rows: rows, caption: caption)))
    }

    /// Adds a figure: its SVG is written to `<name>-<figureName>.svg` and linked with `caption`.
    ///
    /// ```
    /// ![caption](<name>-<figureName>.svg)
    /// ```
    /// - Throws: ``NotebookError/invalidFigureName(_:)`` unless the name matches `[a-z0-9-]+`;
    ///   ``NotebookError/duplicateFigure(_:)`` if it was used before.
    /// - Complexity: O(svg length) (the text is kept until ``write()``).
    public mutating func figure(name figureName: String, svg: String, caption: String,
                                line: Int = #line) throws(NotebookError) {
        let allowed = figureName.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        guard !figureName.isEmpty, figureName.count <= 100, allowed else { throw .invalidFigureName(figureName) }
        let fileName = "\(name)-\(figureName).svg"
        guard !figures.contains(where: { $0.fileName == fileName }) else { throw .duplicateFigure(figureName) }
        figures.append((fileName, svg))
        outputs.append((line, .figure(fileName: fileName, caption: caption)))
    }

    // MARK: Rendering

    /// The command that reproduces this document (without `--out`, which does not change it).
    public var reproducingCommand: String {
        "swift run -c release \(name)" + (options.quick ? " --quick" : "")
            + (options.seed == NotebookOptions.defaultSeed ? "" : " --seed \(options.seed)")
    }

    /// The whole Markdown document.
    ///
    /// ```
    /// # title
    /// > header: how to reproduce, mode, seed
    /// (source cells interleaved with their outputs, or outputs in emission order)
    /// ```
    /// - Complexity: O(total size).
    public func render() -> String {
        var blocks: [String] = ["# \(title)"]
        let mode = options.quick ? "quick mode: small sizes, for CI" : "full mode"
        blocks.append("> Generated by `\(reproducingCommand)` (\(mode), seed \(options.seed)). "
            + "Every number in this document was computed in that run; rerun the command to regenerate it.")
        if sourceCells.isEmpty {
            blocks += outputs.map { Self.render($0.output) }
        } else {
            var used = [Bool](repeating: false, count: outputs.count)
            for cell in sourceCells {
                switch cell.kind {
                case .markdown where !cell.text.isEmpty: blocks.append(cell.text)
                case .code where !cell.text.isEmpty: blocks.append("```swift\n\(cell.text)\n```")
                default: break
                }
                for (index, entry) in outputs.enumerated() where !used[index] && cell.contains(line: entry.line) {
                    used[index] = true
                    blocks.append(Self.render(entry.output))
                }
            }
            for (index, entry) in outputs.enumerated() where !used[index] {
                blocks.append(Self.render(entry.output))
            }
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    static func render(_ output: Output) -> String {
        switch output {
        case let .markdown(text):
            return text
        case let .text(label, body):
            let fence = body.contains("```") ? "~~~~" : "```"
            return (label.isEmpty ? "" : "*\(label)*\n\n") + "\(fence)text\n\(body)\n\(fence)"
        case let .table(columns, rows, caption):
            func cell(_ text: String) -> String {
                text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            }
            var lines = ["| " + columns.map(cell).joined(separator: " | ") + " |"]
            lines.append("|" + columns.indices.map { $0 == 0 ? ":---|" : "---:|" }.joined())
            for row in rows {
                let padded = (0..<max(columns.count, row.count)).map { $0 < row.count ? cell(row[$0]) : "" }
                lines.append("| " + padded.joined(separator: " | ") + " |")
            }
            let table = lines.joined(separator: "\n")
            return caption.isEmpty ? table : "*\(caption)*\n\n" + table
        case let .figure(fileName, caption):
            let alt = caption.replacingOccurrences(of: "]", with: ")").replacingOccurrences(of: "[", with: "(")
                .replacingOccurrences(of: "\n", with: " ")
            return "![\(alt)](\(fileName))\n\n*Figure: \(caption)*"
        }
    }

    // MARK: Writing

    /// The path of the Markdown document under `--out`.
    public var documentPath: String { Self.join(options.out, "\(name).md") }

    /// Creates `--out` (with missing parents) and checks that the document can be written there,
    /// so a bad `--out` fails before any computation.
    /// - Throws: ``NotebookError/cannotCreateDirectory(path:reason:)`` or ``NotebookError/output(_:)``.
    /// - Complexity: O(path depth) system calls.
    public func prepareOutput() throws(NotebookError) {
        let directory = options.out
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .cannotCreateDirectory(path: directory, reason: "it exists and is not a directory")
            }
        } else {
            try Self.makeDirectories(directory)
        }
        do { try AtomicFile.checkWritable(path: documentPath, overwrite: .replace) } catch { throw .output(error) }
    }

    /// Writes every figure, then the document, each atomically (JLFiles `AtomicFile`).
    ///
    /// ```
    /// for f in figures: AtomicFile.write(f.svg, <out>/f.fileName)
    /// AtomicFile.write(render(), <out>/<name>.md)      (last: the document never links a missing figure)
    /// ```
    /// On failure, files this call created (that did not exist before) are removed again, so a
    /// failed run leaves no partial output set; replaced files keep their new contents.
    /// - Returns: the paths written, document last.
    /// - Throws: ``NotebookError``.
    /// - Complexity: O(total bytes).
    @discardableResult
    public func write() throws(NotebookError) -> [String] {
        try prepareOutput()
        var files = figures.map { (Self.join(options.out, $0.fileName), $0.svg) }
        files.append((documentPath, render()))
        var created: [String] = []
        for (path, text) in files {
            let existed = FileManager.default.fileExists(atPath: path)
            do {
                try AtomicFile.write(Array(text.utf8), to: path, overwrite: .replace)
            } catch {
                for path in created { try? FileManager.default.removeItem(atPath: path) }
                throw .output(error)
            }
            if !existed { created.append(path) }
        }
        return files.map(\.0)
    }

    static func join(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    /// `mkdir -p` with a one-line reason naming the component that failed.
    static func makeDirectories(_ directory: String) throws(NotebookError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw .cannotCreateDirectory(path: directory, reason: "'\(prefix)' is a file, not a directory")
                }
                continue
            }
            if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
                let message = strerror(errno).map { String(cString: $0) } ?? "error \(errno)"
                throw .cannotCreateDirectory(path: directory, reason: "cannot create '\(prefix)': \(message)")
            }
        }
    }
}

/// What a ``Notebook/code(_:line:_:)`` cell prints; recorded as one preformatted block.
///
/// ```
/// out.print("a", 1.5)  →  line "a 1.5"
/// ```
/// - Complexity: O(1) amortized per line.
/// - Source: —
public struct CodeOutput: Sendable {
    /// The recorded lines.
    public private(set) var lines: [String] = []

    /// Records one line: the items' descriptions joined by `separator`.
    public mutating func print(_ items: String..., separator: String = " ") {
        lines.append(items.joined(separator: separator))
    }
}
