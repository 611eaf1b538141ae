import Foundation
import JLFiles
import Testing
@testable import JLNotebook

/// A fresh unique directory under /tmp (never a fixed name: other processes share /tmp).
func temporaryDirectory() throws -> String {
    var template = Array("/tmp/jlnotebook-test-XXXXXX".utf8CString)
    let made: String? = template.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
        return String(cString: result)
    }
    return try #require(made)
}

func listing(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

/// A small notebook source in the cell format, and a body whose emitting calls sit on known lines.
let sampleSource = """
import JLNotebook
setup()
// %% [markdown]
// # Heading
//
// Static prose.
let x = 1
// %% compute
let y = 2
nb.markdown(...)
// %% [hide]
hidden()
// %% [end]
}
"""

@Suite("NumberFormatting")
struct NumberFormattingTests {
    @Test("fixed rounds half away from zero and pads decimals")
    func fixed() {
        #expect(NumberFormatting.fixed(3.14159, decimals: 3) == "3.142")
        #expect(NumberFormatting.fixed(2.5, decimals: 0) == "3")
        #expect(NumberFormatting.fixed(-2.5, decimals: 0) == "-3")
        #expect(NumberFormatting.fixed(0.1, decimals: 4) == "0.1000")
        #expect(NumberFormatting.fixed(-0.00004, decimals: 3) == "0.000")
        #expect(NumberFormatting.fixed(1.0019550, decimals: 6) == "1.001955")
        #expect(NumberFormatting.fixed(.nan, decimals: 2) == "nan")
    }

    @Test("significant digits, including a carry into the next decade")
    func significant() {
        #expect(NumberFormatting.significant(0.0233561, digits: 4) == "0.02336")
        #expect(NumberFormatting.significant(9.9996, digits: 4) == "10.00")
        #expect(NumberFormatting.significant(0.531419, digits: 3) == "0.531")
        #expect(NumberFormatting.significant(1.5e-7, digits: 3) == "1.5e-7")
        #expect(NumberFormatting.significant(0, digits: 3) == "0")
    }

    @Test("scientific notation trims zeros and carries")
    func scientific() {
        #expect(NumberFormatting.scientific(0.00012345, mantissaDecimals: 2) == "1.23e-4")
        #expect(NumberFormatting.scientific(9.999e-5, mantissaDecimals: 2) == "1e-4")
        #expect(NumberFormatting.scientific(-2.5e6, mantissaDecimals: 3) == "-2.5e6")
        #expect((7.842e-3).scientific(3) == "7.842e-3")
    }
}

@Suite("SourceCell")
struct SourceCellTests {
    @Test("splits at // %% markers into hidden, markdown, code and end cells covering every line")
    func parse() {
        let cells = SourceCell.parse(sampleSource)
        #expect(cells.map(\.kind) == [.hidden, .markdown, .code, .code, .hidden, .hidden])
        #expect(cells[1].text == "# Heading\n\nStatic prose.")
        #expect(cells[1].firstLine == 3 && cells[1].lastLine == 6)
        #expect(cells[2].text == "let x = 1")       // implicit code after the prose
        #expect(cells[3].text == "let y = 2\nnb.markdown(...)")
        #expect(cells.last?.lastLine == 14)
        // After [end], later markers are ignored: nothing more is shown.
        #expect(SourceCell.parse("a\n// %% [end]\n// %% shown?\nb").map(\.kind) == [.hidden, .hidden])
        // Contiguous cover: each cell starts right after the previous one ends.
        for (a, b) in zip(cells, cells.dropFirst()) { #expect(b.firstLine == a.lastLine + 1) }
    }

    @Test("indented cells (inside a closure) are dedented; markers may be indented")
    func indented() {
        let cells = SourceCell.parse("f {\n    // %% [markdown]\n    // Prose.\n    let a = 1\n        let b = 2\n    // %% [end]\n}")
        #expect(cells.map(\.kind) == [.hidden, .markdown, .code, .hidden])
        #expect(cells[1].text == "Prose.")
        #expect(cells[2].text == "let a = 1\n    let b = 2")
    }
}

@Suite("Notebook rendering")
struct NotebookRenderingTests {
    func sample(seed: UInt64 = 7, out: String = "/nonexistent") throws -> Notebook {
        var nb = Notebook(name: "nb-99-test", title: "Test", options: NotebookOptions(out: out, quick: true, seed: seed),
                          sourceText: sampleSource)
        nb.markdown("y is \((2.0).fixed(2))", line: 10)
        nb.table(columns: ["a", "b|c"], rows: [["1", "2"]], caption: "cap", line: 9)
        try nb.figure(name: "fig", svg: "<svg/>", caption: "A figure", line: 12)
        nb.code("printed", line: 7) { out in out.print("value", "3") }
        return nb
    }

    @Test("same notebook, same bytes; the seed shows in the header")
    func determinism() throws {
        #expect(try sample().render() == sample().render())
        #expect(try sample(seed: 8).render() != sample().render())
        #expect(try sample(out: "/a").render() == sample(out: "/b").render())  // --out does not change the document
    }

    @Test("source cells interleave with the outputs their lines emitted")
    func structure() throws {
        let text = try sample().render()
        let expected = """
            # Test

            > Generated by `swift run -c release nb-99-test --quick --seed 7` (quick mode: small sizes, for CI, seed 7). \
            Every number in this document was computed in that run; rerun the command to regenerate it.

            # Heading

            Static prose.

            ```swift
            let x = 1
            ```

            *printed*

            ```text
            value 3
            ```

            ```swift
            let y = 2
            nb.markdown(...)
            ```

            y is 2.00

            *cap*

            | a | b\\|c |
            |:---|---:|
            | 1 | 2 |

            ![A figure](nb-99-test-fig.svg)

            *Figure: A figure*

            """
        #expect(text == expected)
    }

    @Test("without source the outputs appear in emission order")
    func withoutSource() {
        var nb = Notebook(name: "n", title: "T", options: NotebookOptions(out: "x"))
        nb.markdown("second", line: 50)
        nb.markdown("first", line: 10)
        #expect(nb.render().hasSuffix("second\n\nfirst\n"))
    }

    @Test("figure names are validated and unique")
    func figureNames() throws {
        var nb = Notebook(name: "n", title: "T", options: NotebookOptions(out: "x"))
        #expect(throws: NotebookError.invalidFigureName("Bad Name")) { try nb.figure(name: "Bad Name", svg: "", caption: "") }
        #expect(throws: NotebookError.invalidFigureName("../up")) { try nb.figure(name: "../up", svg: "", caption: "") }
        try nb.figure(name: "ok-1", svg: "", caption: "")
        #expect(throws: NotebookError.duplicateFigure("ok-1")) { try nb.figure(name: "ok-1", svg: "", caption: "") }
    }
}

@Suite("Notebook output files")
struct NotebookOutputTests {
    func body(_ nb: inout Notebook) throws {
        nb.markdown("computed \((1.0 / 3).fixed(3))")
        try nb.figure(name: "one", svg: "<svg>1</svg>", caption: "first")
        try nb.figure(name: "two", svg: "<svg>2</svg>", caption: "second")
    }

    @Test("writes <name>.md and <name>-<figure>.svg atomically into a created --out, twice identically")
    func writesFiles() throws {
        let root = try temporaryDirectory()
        let out = root + "/nested/out"                     // missing parents are created
        let options = NotebookOptions(out: out, quick: true)
        let first = try Notebook.execute(name: "nb-x", title: "X", options: options, sourceText: nil, body: body).get()
        #expect(first == [out + "/nb-x-one.svg", out + "/nb-x-two.svg", out + "/nb-x.md"])
        #expect(listing(out) == ["nb-x-one.svg", "nb-x-two.svg", "nb-x.md"])  // no temporary files left
        let markdown = try String(contentsOfFile: out + "/nb-x.md", encoding: .utf8)
        #expect(markdown.contains("computed 0.333"))
        #expect(markdown.contains("![first](nb-x-one.svg)"))
        #expect(try String(contentsOfFile: out + "/nb-x-two.svg", encoding: .utf8) == "<svg>2</svg>")
        let again = try Notebook.execute(name: "nb-x", title: "X", options: options, sourceText: nil, body: body).get()
        #expect(again == first)
        #expect(try String(contentsOfFile: out + "/nb-x.md", encoding: .utf8) == markdown)
        try FileManager.default.removeItem(atPath: root)
    }

    @Test("an --out under a regular file fails with one line, before the body runs, leaving no files")
    func outUnderFile() throws {
        let root = try temporaryDirectory()
        try AtomicFile.write(Array("x".utf8), to: root + "/file", overwrite: .refuseExisting)
        var ran = false
        let result = Notebook.execute(name: "nb-x", title: "X", options: NotebookOptions(out: root + "/file/out"),
                                      sourceText: nil) { nb in ran = true; try body(&nb) }
        guard case let .failure(error) = result else { Issue.record("expected a failure"); return }
        #expect(error == .cannotCreateDirectory(path: root + "/file/out", reason: "'\(root)/file' is a file, not a directory"))
        #expect(!error.description.contains("\n"))
        #expect(error.description.contains("--out"))
        #expect(!ran)
        #expect(listing(root) == ["file"])
        try FileManager.default.removeItem(atPath: root)
    }

    @Test("an --out that is a file, or unwritable even for root (/proc), fails with one line")
    func unwritable() throws {
        let root = try temporaryDirectory()
        try AtomicFile.write(Array("x".utf8), to: root + "/file", overwrite: .refuseExisting)
        for out in [root + "/file", "/proc/jlnotebook-test/out"] {
            let result = Notebook.execute(name: "nb-x", title: "X", options: NotebookOptions(out: out), sourceText: nil, body: body)
            guard case let .failure(error) = result else { Issue.record("expected a failure for \(out)"); continue }
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
        }
        #expect(listing(root) == ["file"])
        try FileManager.default.removeItem(atPath: root)
    }

    @Test("an error in the notebook's code writes nothing and reports the cell")
    func bodyFailure() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let root = try temporaryDirectory()
        let result = Notebook.execute(name: "nb-x", title: "X", options: NotebookOptions(out: root), sourceText: nil) { nb in
            nb.markdown("before", line: 42)
            throw Boom()
        }
        #expect(throws: NotebookError.cellFailed(line: 42, message: "boom")) { try result.get() }
        #expect(listing(root).isEmpty)
        try FileManager.default.removeItem(atPath: root)
    }
}

@Suite("NotebookOptions")
struct NotebookOptionsTests {
    @Test("defaults and explicit values")
    func parse() throws {
        let defaults = try NotebookOptions.parse([])
        #expect(defaults.out == ".build/notebooks" && !defaults.quick && defaults.seed == 20_240_603)
        let given = try NotebookOptions.parse(["--out", "docs/x", "--quick", "--seed", "5"])
        #expect(given.out == "docs/x" && given.quick && given.seed == 5)
        #expect(given.pick(full: 1000, quick: 10) == 10)
        #expect(throws: (any Error).self) { try NotebookOptions.parse(["--out", ""]) }
        #expect(throws: (any Error).self) { try NotebookOptions.parse(["--seed", "-1"]) }
    }
}
