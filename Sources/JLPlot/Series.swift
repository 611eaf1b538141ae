/// Stroke pattern of a line series.
///
/// ```
/// solid: continuous   dashed: 7 px on, 4 px off   dotted: 2 px on, 3 px off
/// ```
/// - Complexity: O(1).
/// - Source: SVG 1.1 `stroke-dasharray` (W3C REC-SVG11 §11.4).
public enum LineStyle: Sendable, Hashable {
    /// Continuous line (measured data).
    case solid
    /// Dashed line (theory curves, bounds).
    case dashed
    /// Dotted line (secondary reference curves).
    case dotted
}

/// Orientation of a reference line.
///
/// ```
/// horizontal: y = value across the plot   vertical: x = value across the plot
/// ```
/// - Complexity: O(1).
/// - Source: —
public enum ReferenceOrientation: Sendable, Hashable {
    /// A line `y = value`.
    case horizontal
    /// A line `x = value`.
    case vertical
}

/// One data series of a ``Plot``: what to draw, its legend label and optional fixed colour.
///
/// Arrays whose lengths disagree (possible only when building `Kind` values directly) are
/// rendered up to the shortest length; non-finite values and, on log axes, non-positive values
/// are skipped (lines break into separate pieces at skipped points).
///
/// ```
/// colour = color ?? Color.palette[(index among auto-coloured series) mod 7]
/// ```
/// - Complexity: O(points) to render.
/// - Source: —
public struct Series: Sendable, Equatable {
    /// What a series draws.
    ///
    /// ```
    /// line/scatter: (x_i, y_i)   errorBars: x_i, [lower_i, upper_i]   band: polygon lower→upper
    /// histogram: bars [edge_i, edge_{i+1}] × [0, count_i]   bars: one bar per category
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public enum Kind: Sendable, Equatable {
        /// Polyline through `(x[i], y[i])`, optionally with a marker at each point.
        case line(x: [Double], y: [Double], style: LineStyle, markers: Bool)
        /// Markers at `(x[i], y[i])`.
        case scatter(x: [Double], y: [Double])
        /// Vertical interval `[lower[i], upper[i]]` at `x[i]`, with caps, and a marker at
        /// `center[i]` when given.
        case errorBars(x: [Double], lower: [Double], upper: [Double], center: [Double]?)
        /// Filled region between `lower` and `upper` over `x` (low opacity).
        case band(x: [Double], lower: [Double], upper: [Double])
        /// A full-width (or full-height) reference line with an inline label.
        case reference(orientation: ReferenceOrientation, value: Double)
        /// Bars over bins `[binEdges[i], binEdges[i+1]]` with height `counts[i]`.
        case histogram(binEdges: [Double], counts: [Double])
        /// One bar per category; several bar series form side-by-side groups.
        case bars(categories: [String], values: [Double])
    }

    /// Legend label (reference lines show it next to the line instead). Empty: not in legend.
    public var label: String
    /// Fixed colour, or `nil` for automatic Okabe–Ito assignment.
    public var color: Color?
    /// The geometry to draw.
    public var kind: Kind

    /// Creates a series.
    ///
    /// ```
    /// Series(label:, color:, kind:)
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public init(label: String, color: Color? = nil, kind: Kind) {
        self.label = label
        self.color = color
        self.kind = kind
    }
}
