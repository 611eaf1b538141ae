/// A grid of plots (rows × columns, filled row by row) rendered into one SVG, for side-by-side
/// comparisons.
///
/// ```swift
/// let figure = try Figure(rows: 1, columns: 2, panels: [errorPlot, histogramPlot],
///                         title: "QJL, d = 128")
/// let svg = figure.render()
/// ```
/// Every cell has the size of the largest panel; each panel is laid out for that cell size.
///
/// ```
/// cell (r, c) at (c · cellWidth, titleHeight + r · cellHeight),  panel k → (r, c) = (k / columns, k mod columns)
/// ```
/// - Complexity: O(total points of all panels) to render.
/// - Source: —
public struct Figure: Sendable, Equatable {
    /// Number of grid rows.
    public let rows: Int
    /// Number of grid columns.
    public let columns: Int
    /// Panels in row-major order; cells beyond `panels.count` stay empty.
    public private(set) var panels: [Plot]
    /// Figure title above the grid (empty: none).
    public var title: String

    /// Creates a figure.
    ///
    /// ```
    /// rows ≥ 1, columns ≥ 1, panels.count ≤ rows · columns
    /// ```
    /// - Throws: ``PlotError/invalidGrid(rows:columns:)`` or
    ///   ``PlotError/tooManyPanels(panels:capacity:)``.
    /// - Complexity: O(1).
    /// - Source: —
    public init(rows: Int, columns: Int, panels: [Plot], title: String = "") throws(PlotError) {
        guard rows >= 1, columns >= 1, rows <= 64, columns <= 64 else {
            throw .invalidGrid(rows: rows, columns: columns)
        }
        guard panels.count <= rows * columns else {
            throw .tooManyPanels(panels: panels.count, capacity: rows * columns)
        }
        self.rows = rows
        self.columns = columns
        self.panels = panels
        self.title = title
    }

    /// Cell size: the largest panel width and height (each clamped like ``Plot/width``).
    var cellSize: (width: Double, height: Double) {
        let widths = panels.map { $0.width.isFinite ? min(max($0.width, 160), 10_000) : 720 }
        let heights = panels.map { $0.height.isFinite ? min(max($0.height, 120), 10_000) : 480 }
        return (widths.max() ?? 720, heights.max() ?? 480)
    }

    /// Renders the whole grid as one standalone SVG document (deterministic, NaN-free).
    ///
    /// ```
    /// W = columns · cellWidth,  H = titleHeight + rows · cellHeight
    /// ```
    /// - Complexity: O(total points).
    /// - Source: W3C SVG 1.1.
    public func render() -> String {
        let cell = cellSize
        let titleHeight = title.isEmpty ? 0.0 : 36.0
        let totalWidth = Double(columns) * cell.width
        let totalHeight = titleHeight + Double(rows) * cell.height
        var svg = SVGWriter()
        svg.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.open("svg", [
            "xmlns": "http://www.w3.org/2000/svg",
            "width": fmt(totalWidth), "height": fmt(totalHeight),
            "viewBox": "0 0 \(fmt(totalWidth)) \(fmt(totalHeight))",
            "font-family": Style.fontFamily,
        ])
        svg.element("rect", ["x": "0", "y": "0", "width": fmt(totalWidth), "height": fmt(totalHeight), "fill": "#ffffff"])
        if !title.isEmpty {
            svg.textElement(title, ["x": fmt(totalWidth / 2), "y": "24", "text-anchor": "middle",
                                    "font-size": "18", "font-weight": "bold", "fill": Style.textColor])
        }
        for (index, panel) in panels.enumerated() {
            let row = index / columns
            let column = index % columns
            let originX = Double(column) * cell.width
            let originY = titleHeight + Double(row) * cell.height
            let layout = panel.layout(width: cell.width, height: cell.height)
            svg.open("g", ["transform": "translate(\(fmt(originX)) \(fmt(originY)))"])
            panel.renderPanel(into: &svg, layout: layout, idPrefix: "p\(index)")
            svg.close("g")
        }
        svg.close("svg")
        return svg.text
    }
}
