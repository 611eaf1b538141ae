/// Where the legend goes.
///
/// ```
/// auto: the inside corner covering the fewest data points; outside-right if all corners cover data
/// ```
/// - Complexity: O(1).
/// - Source: —
public enum LegendPosition: Sendable, Hashable {
    /// Pick automatically (see above).
    case auto
    /// Inside the plot area, top-right corner.
    case topRight
    /// Inside the plot area, top-left corner.
    case topLeft
    /// Inside the plot area, bottom-right corner.
    case bottomRight
    /// Inside the plot area, bottom-left corner.
    case bottomLeft
    /// To the right of the plot area (the plot area shrinks to make room).
    case outsideRight
    /// No legend.
    case hidden
}

/// One 2-D plot (axes, series, legend) that renders to a standalone SVG string.
///
/// ```swift
/// var plot = Plot(title: "QJL inner-product error", xLabel: "sketch dimension m",
///                 yLabel: "relative error", xScale: .log10, yScale: .log10)
/// try plot.line(x: m, y: measured, label: "measured", markers: true)
/// try plot.dashedLine(x: m, y: theory, label: "theory √(π/2)/√m")
/// plot.horizontalLine(at: 0.001, label: "δ = 0.001")
/// let svg = plot.render()
/// ```
/// Axis ranges default to the data range with 4 % padding (in log space on log axes); bars and
/// histograms keep a zero baseline. Rendering never fails and never emits NaN/inf coordinates.
///
/// ```
/// pixel_x = left + (t(x) − t(x_lo)) / (t(x_hi) − t(x_lo)) · width
/// pixel_y = bottom − (t(y) − t(y_lo)) / (t(y_hi) − t(y_lo)) · height
/// ```
/// - Complexity: O(total points) to render.
/// - Source: layout conventions after Cleveland, "The Elements of Graphing Data" (1985).
public struct Plot: Sendable, Equatable {
    /// Title drawn above the plot area (empty: none).
    public var title: String
    /// x-axis label (empty: none).
    public var xLabel: String
    /// y-axis label (empty: none).
    public var yLabel: String
    /// x-axis scale.
    public var xScale: AxisScale
    /// y-axis scale.
    public var yScale: AxisScale
    /// Fixed x range; `nil`, non-finite, empty, or non-positive on a log axis → automatic.
    public var xRange: ClosedRange<Double>?
    /// Fixed y range; `nil`, non-finite, empty, or non-positive on a log axis → automatic.
    public var yRange: ClosedRange<Double>?
    /// SVG width in px (clamped to 160…10000 when rendering).
    public var width: Double
    /// SVG height in px (clamped to 120…10000 when rendering).
    public var height: Double
    /// Legend placement.
    public var legendPosition: LegendPosition
    /// Series in drawing order (later series are drawn on top within each layer).
    public var series: [Series]

    /// Creates an empty plot.
    ///
    /// ```
    /// default size 720 × 480 px, linear axes, automatic ranges and legend
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public init(
        title: String = "", xLabel: String = "", yLabel: String = "",
        xScale: AxisScale = .linear, yScale: AxisScale = .linear,
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
        width: Double = 720, height: Double = 480,
        legendPosition: LegendPosition = .auto, series: [Series] = []
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.xRange = xRange
        self.yRange = yRange
        self.width = width
        self.height = height
        self.legendPosition = legendPosition
        self.series = series
    }

    // MARK: Adding series

    /// Adds a line through `(x[i], y[i])`.
    ///
    /// ```
    /// polyline (x_0, y_0) – (x_1, y_1) – …, broken at non-plottable points
    /// ```
    /// - Throws: ``PlotError/lengthMismatch(series:expected:actual:)`` if `x.count ≠ y.count`.
    /// - Complexity: O(n).
    /// - Source: —
    public mutating func line<Scalar: BinaryFloatingPoint>(
        x: [Scalar], y: [Scalar], label: String = "", color: Color? = nil,
        style: LineStyle = .solid, markers: Bool = false
    ) throws(PlotError) {
        try Self.checkLengths(label, x.count, y.count)
        series.append(Series(label: label, color: color,
                             kind: .line(x: Self.doubles(x), y: Self.doubles(y), style: style, markers: markers)))
    }

    /// Adds a dashed line (for theory curves and bounds).
    ///
    /// ```
    /// line(x:, y:, style: .dashed)
    /// ```
    /// - Throws: ``PlotError/lengthMismatch(series:expected:actual:)`` if `x.count ≠ y.count`.
    /// - Complexity: O(n).
    /// - Source: —
    public mutating func dashedLine<Scalar: BinaryFloatingPoint>(
        x: [Scalar], y: [Scalar], label: String = "", color: Color? = nil
    ) throws(PlotError) {
        try line(x: x, y: y, label: label, color: color, style: .dashed, markers: false)
    }

    /// Adds scatter markers at `(x[i], y[i])`.
    ///
    /// ```
    /// marker at (x_i, y_i) for every plottable i
    /// ```
    /// - Throws: ``PlotError/lengthMismatch(series:expected:actual:)`` if `x.count ≠ y.count`.
    /// - Complexity: O(n).
    /// - Source: —
    public mutating func scatter<Scalar: BinaryFloatingPoint>(
        x: [Scalar], y: [Scalar], label: String = "", color: Color? = nil
    ) throws(PlotError) {
        try Self.checkLengths(label, x.count, y.count)
        series.append(Series(label: label, color: color, kind: .scatter(x: Self.doubles(x), y: Self.doubles(y))))
    }

    /// Adds vertical error bars `[lower[i], upper[i]]` at `x[i]`, with a marker at `center[i]`
    /// when `center` is given.
    ///
    /// ```
    /// |  from (x_i, lower_i) to (x_i, upper_i), caps 8 px wide
    /// ```
    /// On a log y axis a non-positive lower end is drawn to the bottom edge.
    /// - Throws: ``PlotError/lengthMismatch(series:expected:actual:)`` if counts differ.
    /// - Complexity: O(n).
    /// - Source: —
    public mutating func errorBars<Scalar: BinaryFloatingPoint>(
        x: [Scalar], lower: [Scalar], upper: [Scalar], center: [Scalar]? = nil,
        label: String = "", color: Color? = nil
    ) throws(PlotError) {
        try Self.checkLengths(label, x.count, lower.count)
        try Self.checkLengths(label, x.count, upper.count)
        if let center { try Self.checkLengths(label, x.count, center.count) }
        series.append(Series(label: label, color: color, kind: .errorBars(
            x: Self.doubles(x), lower: Self.doubles(lower), upper: Self.doubles(upper),
            center: center.map { Self.doubles($0) })))
    }

    /// Adds a confidence band: the region between `lower` and `upper` over `x`, filled at 20 %
    /// opacity.
    ///
    /// ```
    /// polygon (x_0, upper_0) … (x_n, upper_n) (x_n, lower_n) … (x_0, lower_0)
    /// ```
    /// - Throws: ``PlotError/lengthMismatch(series:expected:actual:)`` if counts differ.
    /// - Complexity: O(n).
    /// - Source: —
    public mutating func band<Scalar: BinaryFloatingPoint>(
        x: [Scalar], lower: [Scalar], upper: [Scalar], label: String = "", color: Color? = nil
    ) throws(PlotError) {
        try Self.checkLengths(label, x.count, lower.count)
        try Self.checkLengths(label, x.count, upper.count)
        series.append(Series(label: label, color: color, kind: .band(
            x: Self.doubles(x), lower: Self.doubles(lower), upper: Self.doubles(upper))))
    }

    /// Adds a horizontal reference line `y = value` with an inline label such as "δ = 0.001".
    ///
    /// ```
    /// line from (x_lo, value) to (x_hi, value), dash-dot, grey unless coloured
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public mutating func horizontalLine<Scalar: BinaryFloatingPoint>(
        at value: Scalar, label: String = "", color: Color? = nil
    ) {
        series.append(Series(label: label, color: color,
                             kind: .reference(orientation: .horizontal, value: Double(value))))
    }

    /// Adds a vertical reference line `x = value` with an inline label.
    ///
    /// ```
    /// line from (value, y_lo) to (value, y_hi), dash-dot, grey unless coloured
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public mutating func verticalLine<Scalar: BinaryFloatingPoint>(
        at value: Scalar, label: String = "", color: Color? = nil
    ) {
        series.append(Series(label: label, color: color,
                             kind: .reference(orientation: .vertical, value: Double(value))))
    }

    /// Adds a histogram of `values` with `bins` equal-width bins over `range` (default: the
    /// finite values' min…max). Non-finite values and values outside the range are ignored.
    ///
    /// ```
    /// w = (hi − lo) / bins,  bin(v) = min(⌊(v − lo)/w⌋, bins − 1)
    /// height_i = count_i                  (density: count_i / (N · w), integrates to 1)
    /// ```
    /// - Throws: ``PlotError/invalidBinCount(_:)`` if `bins < 1`.
    /// - Complexity: O(n + bins).
    /// - Source: —
    public mutating func histogram<Scalar: BinaryFloatingPoint>(
        values: [Scalar], bins: Int, range: ClosedRange<Double>? = nil, density: Bool = false,
        label: String = "", color: Color? = nil
    ) throws(PlotError) {
        guard bins >= 1, bins <= 100_000 else { throw .invalidBinCount(bins) }
        let finite = values.map { Double($0) }.filter { $0.isFinite }
        var low = range?.lowerBound ?? finite.min() ?? 0
        var high = range?.upperBound ?? finite.max() ?? 1
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if high <= low { low -= 0.5; high += 0.5 }
        let binWidth = (high - low) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        var total = 0.0
        for value in finite where value >= low && value <= high {
            // w can underflow to 0 or overflow for extreme ranges: clamp before converting to Int.
            let position = ((value - low) / binWidth).rounded(.down)
            let index = position.isFinite ? Int(min(max(position, 0), Double(bins - 1))) : 0
            counts[index] += 1
            total += 1
        }
        if density && total > 0 {
            counts = counts.map { $0 / (total * binWidth) }
        }
        let edges = (0...bins).map { low + Double($0) * binWidth }
        series.append(Series(label: label, color: color,
                             kind: .histogram(binEdges: finite.isEmpty ? [] : edges, counts: finite.isEmpty ? [] : counts)))
    }

    /// Adds a histogram from precomputed bin edges and counts.
    ///
    /// ```
    /// bar i covers [binEdges[i], binEdges[i+1]] with height counts[i]
    /// ```
    /// - Throws: ``PlotError/invalidBinEdges(series:)`` unless edges are finite, strictly
    ///   increasing, with `counts.count == binEdges.count − 1 ≥ 1`.
    /// - Complexity: O(bins).
    /// - Source: —
    public mutating func histogram<Scalar: BinaryFloatingPoint>(
        binEdges: [Scalar], counts: [Scalar], label: String = "", color: Color? = nil
    ) throws(PlotError) {
        let edges = Self.doubles(binEdges)
        guard edges.count >= 2, counts.count == edges.count - 1,
              edges.allSatisfy({ $0.isFinite }),
              zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw .invalidBinEdges(series: label) }
        series.append(Series(label: label, color: color,
                             kind: .histogram(binEdges: edges, counts: Self.doubles(counts))))
    }

    /// Adds one bar per category. Several bar series share the categories of the first one and
    /// are drawn side by side as groups; the x axis then becomes categorical (x = 0, 1, …).
    ///
    /// ```
    /// group width 0.8;  bar j of k in category c spans c − 0.4 + j·0.8/k … c − 0.4 + (j+1)·0.8/k
    /// ```
    /// - Throws: ``PlotError/lengthMismatch(series:expected:actual:)`` if counts differ.
    /// - Complexity: O(categories).
    /// - Source: —
    public mutating func bars<Scalar: BinaryFloatingPoint>(
        categories: [String], values: [Scalar], label: String = "", color: Color? = nil
    ) throws(PlotError) {
        try Self.checkLengths(label, categories.count, values.count)
        series.append(Series(label: label, color: color,
                             kind: .bars(categories: categories, values: Self.doubles(values))))
    }

    private static func checkLengths(_ label: String, _ expected: Int, _ actual: Int) throws(PlotError) {
        guard expected == actual else {
            throw .lengthMismatch(series: label, expected: expected, actual: actual)
        }
    }

    private static func doubles<Scalar: BinaryFloatingPoint>(_ values: [Scalar]) -> [Double] {
        values.map { Double($0) }
    }
}
