/// Errors raised while building plots and figures.
///
/// Rendering itself never fails: every ``Plot`` renders to a well-formed SVG. These errors catch
/// caller mistakes early, at the point where the series or figure is assembled.
///
/// ```
/// lengthMismatch  ⇔  x.count ≠ y.count (or lower/upper/center counts differ)
/// ```
/// - Complexity: O(1).
/// - Source: JLSketch style guide (typed errors, `/work/shared/style.md`).
public enum PlotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two coordinate arrays of one series differ in length.
    case lengthMismatch(series: String, expected: Int, actual: Int)
    /// A histogram was asked for fewer than one bin.
    case invalidBinCount(Int)
    /// A histogram's bin edges are not strictly increasing finite numbers (need count ≥ 2).
    case invalidBinEdges(series: String)
    /// A figure grid needs at least one row and one column.
    case invalidGrid(rows: Int, columns: Int)
    /// More panels were given than the grid has cells.
    case tooManyPanels(panels: Int, capacity: Int)

    /// One-line, actionable description.
    public var description: String {
        switch self {
        case let .lengthMismatch(series, expected, actual):
            return "series '\(series)': arrays must have equal length (expected \(expected), got \(actual)); pass matching x/y (or lower/upper) arrays"
        case let .invalidBinCount(bins):
            return "histogram needs bins ≥ 1 (got \(bins)); pass a positive bin count"
        case let .invalidBinEdges(series):
            return "series '\(series)': bin edges must be finite, strictly increasing, at least 2, with counts.count == edges.count - 1"
        case let .invalidGrid(rows, columns):
            return "figure grid needs rows ≥ 1 and columns ≥ 1 (got \(rows)×\(columns))"
        case let .tooManyPanels(panels, capacity):
            return "figure has \(panels) panels but only \(capacity) cells; enlarge rows/columns"
        }
    }
}
