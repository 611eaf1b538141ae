/// An axis-aligned rectangle in SVG pixel coordinates (y grows downward).
///
/// ```
/// right = x + width,  bottom = y + height
/// ```
/// - Complexity: O(1).
/// - Source: SVG 1.1 user coordinate system (W3C REC-SVG11 §7).
public struct PlotRect: Sendable, Equatable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Width.
    public var width: Double
    /// Height.
    public var height: Double
    /// Right edge `x + width`.
    public var right: Double { x + width }
    /// Bottom edge `y + height`.
    public var bottom: Double { y + height }

    /// Creates a rectangle.
    ///
    /// ```
    /// PlotRect(x:, y:, width:, height:)
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    func contains(_ point: (x: Double, y: Double)) -> Bool {
        point.x >= x && point.x <= right && point.y >= y && point.y <= bottom
    }
}

/// The resolved geometry of a ``Plot``: plot area, axis domains, ticks and legend box.
///
/// ```
/// position(x, y) = (left + fx · width, bottom − fy · height),
/// fx = (t(x) − t(x_lo)) / (t(x_hi) − t(x_lo)),  fy likewise
/// ```
/// - Complexity: O(total points) to compute (legend placement scans the data).
/// - Source: —
public struct PlotLayout: Sendable, Equatable {
    /// Total SVG width.
    public let width: Double
    /// Total SVG height.
    public let height: Double
    /// The data area inside the axes frame.
    public let plotArea: PlotRect
    /// Effective x scale (categorical bar plots force `.linear`).
    public let xScale: AxisScale
    /// Effective y scale.
    public let yScale: AxisScale
    /// Resolved x range.
    public let xDomain: ClosedRange<Double>
    /// Resolved y range.
    public let yDomain: ClosedRange<Double>
    /// x ticks (category names on bar plots).
    public let xTicks: AxisTicks
    /// y ticks.
    public let yTicks: AxisTicks
    /// Legend box, or `nil` when there is no legend.
    public let legendBox: PlotRect?

    /// Pixel position of the data point `(x, y)`, or `nil` if it is not plottable.
    ///
    /// ```
    /// (xScale.pixel(x; xDomain → left…right), yScale.pixel(y; yDomain → bottom…top))
    /// ```
    /// - Complexity: O(1).
    /// - Source: see ``AxisScale/pixel(for:domain:start:end:)``.
    public func position(x: Double, y: Double) -> (x: Double, y: Double)? {
        guard let px = pixelX(x), let py = pixelY(y) else { return nil }
        return (px, py)
    }

    func pixelX(_ value: Double) -> Double? {
        xScale.pixel(for: value, domain: xDomain, start: plotArea.x, end: plotArea.right)
    }

    func pixelY(_ value: Double) -> Double? {
        yScale.pixel(for: value, domain: yDomain, start: plotArea.bottom, end: plotArea.y)
    }
}

/// Typography and spacing constants (px).
enum Style {
    static let fontFamily = "Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif"
    static let titleFont = 16.0
    static let axisLabelFont = 14.0
    static let tickFont = 13.0
    static let legendFont = 13.0
    static let annotationFont = 12.0
    static let tickLength = 5.0
    static let legendRow = 19.0
    static let legendSwatch = 28.0
    static let legendPadding = 8.0
    static let legendInset = 10.0
    static let frameColor = "#333333"
    static let gridColor = "#e3e3e3"
    static let minorGridColor = "#f2f2f2"
    static let textColor = "#222222"
    static let mutedColor = "#888888"
}

/// Running min/max of transformed values.
struct Extent {
    var low = Double.infinity
    var high = -Double.infinity
    var isEmpty: Bool { low > high }
    mutating func include(_ value: Double) {
        guard value.isFinite else { return }
        low = min(low, value)
        high = max(high, value)
    }
}

extension Plot {
    /// Computes the layout this plot renders with.
    ///
    /// ```
    /// margins from label sizes; domains from data (4 % padding) or the given ranges
    /// ```
    /// - Complexity: O(total points).
    /// - Source: —
    public func layout() -> PlotLayout {
        layout(width: width, height: height)
    }

    func layout(width requestedWidth: Double, height requestedHeight: Double) -> PlotLayout {
        let totalWidth = requestedWidth.isFinite ? min(max(requestedWidth, 160), 10_000) : 720
        let totalHeight = requestedHeight.isFinite ? min(max(requestedHeight, 120), 10_000) : 480
        let inside = layoutPass(width: totalWidth, height: totalHeight, legendOutside: legendPosition == .outsideRight)
        guard legendPosition == .auto, let box = inside.legendBox else { return inside }
        let covered = coveredDataPoints(in: box, layout: inside)
        let tooBig = box.height > inside.plotArea.height * 0.7 || box.width > inside.plotArea.width * 0.55
        if covered == 0 && !tooBig { return inside }
        return layoutPass(width: totalWidth, height: totalHeight, legendOutside: true)
    }

    /// Categories of a bar plot (from the first bar series, padded to the longest), or nil.
    var categories: [String]? {
        var names: [String]? = nil
        var count = 0
        for item in series {
            if case let .bars(categories, values) = item.kind {
                if names == nil { names = categories }
                count = max(count, min(categories.count, values.count), categories.count)
            }
        }
        guard var result = names else { return nil }
        while result.count < count { result.append("") }
        return result
    }

    var legendEntries: [Int] {
        series.indices.filter { index in
            if case .reference = series[index].kind { return false }
            return !series[index].label.isEmpty
        }
    }

    private func resolveDomain(
        scale: AxisScale, extent: Extent, requested: ClosedRange<Double>?, stickyZero: Bool
    ) -> ClosedRange<Double> {
        if let requested, let low = scale.transform(requested.lowerBound),
           let high = scale.transform(requested.upperBound), high > low {
            return requested
        }
        let inverse: (Double) -> Double = { scale == .log10 ? pow10Real($0) : $0 }
        guard !extent.isEmpty else {
            return scale == .log10 ? 1...10 : 0...1
        }
        var low = extent.low
        var high = extent.high
        let span = high - low
        if span <= 1e-12 * max(1, abs(low)) {
            let pad = scale == .log10 ? 0.5 : (low == 0 ? 1 : abs(low) * 0.1)
            low -= pad
            high += pad
        } else {
            let pad = 0.04 * span
            if !(stickyZero && low == 0) { low -= pad }
            if !(stickyZero && high == 0) { high += pad }
        }
        let result = (inverse(low), inverse(high))
        guard result.0.isFinite, result.1.isFinite, result.1 > result.0 else {
            return scale == .log10 ? 1...10 : 0...1
        }
        return result.0...result.1
    }

    /// Data extents in transformed coordinates (log10 of values on log axes).
    private func extents(xScale: AxisScale, yScale: AxisScale) -> (x: Extent, y: Extent, stickyZero: Bool) {
        var xExtent = Extent()
        var yExtent = Extent()
        var stickyZero = false
        for item in series {
            switch item.kind {
            case let .line(x, y, _, _), let .scatter(x, y):
                for index in 0..<min(x.count, y.count) {
                    if let tx = xScale.transform(x[index]), let ty = yScale.transform(y[index]) {
                        xExtent.include(tx)
                        yExtent.include(ty)
                    }
                }
            case let .errorBars(x, lower, upper, center):
                let count = min(x.count, lower.count, upper.count)
                for index in 0..<count {
                    guard let tx = xScale.transform(x[index]), let tu = yScale.transform(upper[index]) else { continue }
                    xExtent.include(tx)
                    yExtent.include(tu)
                    if let tl = yScale.transform(lower[index]) { yExtent.include(tl) }
                    if let center, index < center.count, let tc = yScale.transform(center[index]) { yExtent.include(tc) }
                }
            case let .band(x, lower, upper):
                for index in 0..<min(x.count, lower.count, upper.count) {
                    guard let tx = xScale.transform(x[index]), let tu = yScale.transform(upper[index]) else { continue }
                    xExtent.include(tx)
                    yExtent.include(tu)
                    if let tl = yScale.transform(lower[index]) { yExtent.include(tl) }
                }
            case let .reference(orientation, value):
                switch orientation {
                case .horizontal: if let t = yScale.transform(value) { yExtent.include(t) }
                case .vertical: if let t = xScale.transform(value) { xExtent.include(t) }
                }
            case let .histogram(edges, counts):
                let bins = min(max(edges.count - 1, 0), counts.count)
                for index in 0..<bins {
                    guard let left = xScale.transform(edges[index]), let right = xScale.transform(edges[index + 1]),
                          let top = yScale.transform(counts[index]) else { continue }
                    xExtent.include(left)
                    xExtent.include(right)
                    yExtent.include(top)
                    if yScale == .linear {
                        yExtent.include(0)
                        stickyZero = true
                    }
                }
            case let .bars(categories, values):
                for index in 0..<min(categories.count, values.count) {
                    guard let top = yScale.transform(values[index]) else { continue }
                    yExtent.include(top)
                    if yScale == .linear {
                        yExtent.include(0)
                        stickyZero = true
                    }
                }
            }
        }
        return (xExtent, yExtent, stickyZero)
    }

    private func layoutPass(width: Double, height: Double, legendOutside: Bool) -> PlotLayout {
        let categoryNames = categories
        let xScale: AxisScale = categoryNames == nil ? self.xScale : .linear
        let data = extents(xScale: xScale, yScale: yScale)
        let xDomain: ClosedRange<Double>
        if let categoryNames {
            let requested = xRange.flatMap { $0.upperBound > $0.lowerBound && $0.lowerBound.isFinite && $0.upperBound.isFinite ? $0 : nil }
            xDomain = requested ?? -0.5...(Double(max(categoryNames.count, 1)) - 0.5)
        } else {
            xDomain = resolveDomain(scale: xScale, extent: data.x, requested: xRange, stickyZero: false)
        }
        let yDomain = resolveDomain(scale: yScale, extent: data.y, requested: yRange, stickyZero: data.stickyZero)

        // Vertical layout does not depend on the ticks.
        let top = title.isEmpty ? 16.0 : 44.0
        let bottom = xLabel.isEmpty ? 36.0 : 58.0
        let plotHeight = max(height - top - bottom, 20)
        let yTarget = min(max(Int(plotHeight / 60), 2), 8)
        let yTicks = AxisTicks.ticks(for: yScale, lower: yDomain.lowerBound, upper: yDomain.upperBound, targetCount: yTarget)

        let yLabelWidth = yTicks.labels.map { estimatedTextWidth($0, fontSize: Style.tickFont) }.max() ?? 0
        let left = 12 + (yLabel.isEmpty ? 0 : Style.axisLabelFont + 10) + yLabelWidth + Style.tickLength + 5

        // Legend box size.
        let entries = legendEntries
        var legendSize: (width: Double, height: Double)? = nil
        if legendPosition != .hidden && !entries.isEmpty {
            let textWidth = entries.map { estimatedTextWidth(legendText(for: $0, xScale: xScale), fontSize: Style.legendFont) }.max() ?? 0
            legendSize = (2 * Style.legendPadding + Style.legendSwatch + 8 + textWidth,
                          2 * Style.legendPadding + Double(entries.count) * Style.legendRow - 4)
        }
        var right = 20.0
        if legendOutside, let legendSize { right += legendSize.width + 4 }

        var plotWidth = max(width - left - right, 20)
        var xTicks: AxisTicks
        if let categoryNames {
            let indices = categoryNames.indices.map(Double.init).filter { $0 >= xDomain.lowerBound && $0 <= xDomain.upperBound }
            xTicks = AxisTicks(major: indices, labels: indices.map { categoryNames[Int($0)] })
        } else {
            var target = min(max(Int(plotWidth / 75), 2), 8)
            xTicks = AxisTicks.ticks(for: xScale, lower: xDomain.lowerBound, upper: xDomain.upperBound, targetCount: target)
            // Thin the labels until they fit side by side with a 12 px gap.
            while target > 2 {
                let needed = xTicks.labels.reduce(0.0) { $0 + estimatedTextWidth($1, fontSize: Style.tickFont) + 12 }
                if needed <= plotWidth { break }
                target -= 1
                xTicks = AxisTicks.ticks(for: xScale, lower: xDomain.lowerBound, upper: xDomain.upperBound, targetCount: target)
            }
        }
        // Keep the last x tick label inside the canvas.
        if let lastLabel = xTicks.labels.last, !legendOutside {
            let overhang = estimatedTextWidth(lastLabel, fontSize: Style.tickFont) / 2 + 6
            if overhang > right {
                right = overhang
                plotWidth = max(width - left - right, 20)
            }
        }
        let plotArea = PlotRect(x: left, y: top, width: plotWidth, height: plotHeight)

        var legendBox: PlotRect? = nil
        if let legendSize {
            let inset = Style.legendInset
            let corners: [LegendPosition] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
            func box(_ position: LegendPosition) -> PlotRect {
                switch position {
                case .topLeft:
                    return PlotRect(x: plotArea.x + inset, y: plotArea.y + inset, width: legendSize.width, height: legendSize.height)
                case .bottomRight:
                    return PlotRect(x: plotArea.right - inset - legendSize.width, y: plotArea.bottom - inset - legendSize.height,
                                    width: legendSize.width, height: legendSize.height)
                case .bottomLeft:
                    return PlotRect(x: plotArea.x + inset, y: plotArea.bottom - inset - legendSize.height,
                                    width: legendSize.width, height: legendSize.height)
                case .outsideRight:
                    return PlotRect(x: plotArea.right + 12, y: plotArea.y, width: legendSize.width, height: legendSize.height)
                default:
                    return PlotRect(x: plotArea.right - inset - legendSize.width, y: plotArea.y + inset,
                                    width: legendSize.width, height: legendSize.height)
                }
            }
            if legendOutside {
                legendBox = box(.outsideRight)
            } else if legendPosition == .auto {
                let provisional = PlotLayout(width: width, height: height, plotArea: plotArea, xScale: xScale, yScale: yScale,
                                             xDomain: xDomain, yDomain: yDomain, xTicks: xTicks, yTicks: yTicks, legendBox: nil)
                var best = corners[0]
                var bestCount = Int.max
                for corner in corners {
                    let count = coveredDataPoints(in: box(corner), layout: provisional)
                    if count < bestCount {
                        best = corner
                        bestCount = count
                    }
                }
                legendBox = box(best)
            } else {
                legendBox = box(legendPosition)
            }
        }
        return PlotLayout(width: width, height: height, plotArea: plotArea, xScale: xScale, yScale: yScale,
                          xDomain: xDomain, yDomain: yDomain, xTicks: xTicks, yTicks: yTicks, legendBox: legendBox)
    }

    /// Legend text for series `index`, with " (no data)" appended when nothing is plottable.
    func legendText(for index: Int, xScale: AxisScale) -> String {
        let item = series[index]
        return hasPlottablePoints(item, xScale: xScale) ? item.label : item.label + " (no data)"
    }

    func hasPlottablePoints(_ item: Series, xScale: AxisScale) -> Bool {
        let xOK: (Double) -> Bool = { xScale.transform($0) != nil }
        let yOK: (Double) -> Bool = { self.yScale.transform($0) != nil }
        switch item.kind {
        case let .line(x, y, _, _), let .scatter(x, y):
            return zip(x, y).contains { xOK($0) && yOK($1) }
        case let .errorBars(x, _, upper, _), let .band(x, _, upper):
            return zip(x, upper).contains { xOK($0) && yOK($1) }
        case let .reference(orientation, value):
            return orientation == .horizontal ? yOK(value) : xOK(value)
        case let .histogram(edges, counts):
            return zip(zip(edges, edges.dropFirst()), counts).contains { xOK($0.0) && xOK($0.1) && yOK($1) }
        case let .bars(categories, values):
            return zip(categories, values).contains { yOK($1) }
        }
    }

    /// Number of sampled data pixels inside `box` (used to keep the legend off the data).
    func coveredDataPoints(in box: PlotRect, layout: PlotLayout) -> Int {
        let margin = 4.0
        let padded = PlotRect(x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin)
        var count = 0
        func sample(_ point: (x: Double, y: Double)?) {
            if let point, padded.contains(point) { count += 1 }
        }
        for item in series {
            switch item.kind {
            case let .line(x, y, _, _):
                var previous: (x: Double, y: Double)? = nil
                for index in 0..<min(x.count, y.count) {
                    let current = layout.position(x: x[index], y: y[index])
                    sample(current)
                    if let previous, let current {
                        for step in 1..<8 {
                            let fraction = Double(step) / 8
                            sample((previous.x + fraction * (current.x - previous.x), previous.y + fraction * (current.y - previous.y)))
                        }
                    }
                    previous = current
                }
            case let .scatter(x, y):
                for index in 0..<min(x.count, y.count) { sample(layout.position(x: x[index], y: y[index])) }
            case let .errorBars(x, lower, upper, _):
                for index in 0..<min(x.count, lower.count, upper.count) {
                    sample(layout.position(x: x[index], y: upper[index]))
                    sample(layout.position(x: x[index], y: lower[index]))
                }
            case let .band(x, lower, upper):
                for index in 0..<min(x.count, lower.count, upper.count) {
                    guard let px = layout.pixelX(x[index]), let top = layout.pixelY(upper[index]) else { continue }
                    let bottom = layout.pixelY(lower[index]) ?? layout.plotArea.bottom
                    sample((px, top))
                    sample((px, bottom))
                    sample((px, (top + bottom) / 2))
                }
            case .reference:
                break
            case let .histogram(edges, counts):
                for index in 0..<min(max(edges.count - 1, 0), counts.count) {
                    guard let left = layout.pixelX(edges[index]), let right = layout.pixelX(edges[index + 1]),
                          let top = layout.pixelY(counts[index]) else { continue }
                    let base = layout.pixelY(0).map { min(max($0, layout.plotArea.y), layout.plotArea.bottom) } ?? layout.plotArea.bottom
                    for fx in [0.0, 0.5, 1.0] {
                        for fy in [0.0, 0.5, 1.0] {
                            sample((left + fx * (right - left), top + fy * (base - top)))
                        }
                    }
                }
            case let .bars(categories, values):
                for index in 0..<min(categories.count, values.count) {
                    guard let px = layout.pixelX(Double(index)), let top = layout.pixelY(values[index]) else { continue }
                    let base = layout.pixelY(0).map { min(max($0, layout.plotArea.y), layout.plotArea.bottom) } ?? layout.plotArea.bottom
                    for fy in [0.0, 0.5, 1.0] { sample((px, top + fy * (base - top))) }
                }
            }
        }
        return count
    }
}

/// 10^t for real t.
@inline(__always)
func pow10Real(_ exponent: Double) -> Double {
    // powerOfTen handles integers exactly; general exponents go through pow.
    exponent == exponent.rounded() && abs(exponent) < 300 ? powerOfTen(Int(exponent)) : realPow10(exponent)
}
