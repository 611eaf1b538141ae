import ArgumentParser
import Foundation
import JLFiles

extension Notebook {
    /// Runs a notebook and writes it, or returns the error; what ``main(name:title:sourcePath:arguments:body:)``
    /// does after parsing, exposed for tests.
    ///
    /// ```
    /// prepareOutput()  →  body(&notebook)  →  write()      (the output is checked before computing)
    /// ```
    /// - Returns: the written paths (document last), or the one-line error.
    /// - Complexity: that of `body` plus O(output bytes).
    public static func execute(
        name: String, title: String, options: NotebookOptions, sourceText: String?,
        body: (inout Notebook) throws -> Void
    ) -> Result<[String], NotebookError> {
        var notebook = Notebook(name: name, title: title, options: options, sourceText: sourceText)
        do {
            try notebook.prepareOutput()
        } catch {
            return .failure(error)
        }
        do {
            try body(&notebook)
        } catch let error as NotebookError {
            return .failure(error)
        } catch {
            let line = notebook.outputs.last?.line ?? 0
            return .failure(.cellFailed(line: line, message: String(describing: error)))
        }
        do {
            return .success(try notebook.write())
        } catch {
            return .failure(error)
        }
    }

    /// The entry point of a notebook executable: parses `--out/--quick/--seed`, runs `body`,
    /// writes the document and exits.
    ///
    /// ```
    /// exit 0: "wrote <out>/<name>.md (+k figures)" on stdout
    /// exit 1: "<name>: error: <one line>" on stderr, no new files left behind
    /// exit 64: usage error (ArgumentParser)
    /// ```
    /// `sourcePath` defaults to the caller's file (`#filePath`); its cells are shown in the document.
    /// - Complexity: that of `body`.
    public static func main(
        name: String, title: String, sourcePath: String = #filePath,
        arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        body: (inout Notebook) throws -> Void
    ) -> Never {
        let options: NotebookOptions
        do {
            options = try NotebookOptions.parse(arguments)
        } catch {
            NotebookOptions.exit(withError: error)
        }
        let sourceText = (try? FileReader.readBytes(atPath: sourcePath)).map { String(decoding: $0, as: UTF8.self) }
        switch execute(name: name, title: title, options: options, sourceText: sourceText, body: body) {
        case let .success(paths):
            print("wrote \(paths.last ?? "") (+\(paths.count - 1) figures)")
            exit(0)
        case let .failure(error):
            FileHandle.standardError.write(Data("\(name): error: \(error.description)\n".utf8))
            exit(1)
        }
    }
}
