import JLFiles

/// Why a notebook run failed. Every case renders as one actionable line (`description`).
///
/// ```
/// cannotCreateDirectory(path, reason)   --out could not be created or is not a directory
/// output(FileError)                     writing a rendered file failed (JLFiles' one-line message)
/// invalidFigureName(name)               figure names are [a-z0-9-]+, so file names stay portable
/// duplicateFigure(name)                 two figures of one notebook share a name
/// invalidOption(message)                a command-line value is out of range
/// cellFailed(line, message)             code in the notebook threw; `line` is where the cell starts
/// ```
/// - Complexity: O(1) to construct; `description` is O(message length).
/// - Source: —
public enum NotebookError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The output directory could not be created (or exists as a non-directory).
    case cannotCreateDirectory(path: String, reason: String)
    /// Writing one of the rendered files failed.
    case output(FileError)
    /// A figure name is empty or uses characters other than a–z, 0–9 and "-".
    case invalidFigureName(String)
    /// A figure name was used twice in one notebook.
    case duplicateFigure(String)
    /// A command-line option is out of range.
    case invalidOption(String)
    /// The notebook's own code threw; `line` is the source line of the enclosing cell (0: unknown).
    case cellFailed(line: Int, message: String)

    /// One line naming what failed and what to do.
    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason):
            "cannot create output directory '\(path)': \(reason) (pass --out with a writable directory)"
        case let .output(error):
            error.description
        case let .invalidFigureName(name):
            "invalid figure name '\(name)': use lower-case letters, digits and '-' only"
        case let .duplicateFigure(name):
            "figure name '\(name)' is used twice in this notebook; give each figure its own name"
        case let .invalidOption(message):
            message
        case let .cellFailed(line, message):
            line > 0 ? "cell at line \(line) failed: \(message)" : "notebook code failed: \(message)"
        }
    }
}
