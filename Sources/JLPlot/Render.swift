/// Marker glyphs, cycled per series so that series stay distinguishable in greyscale print.
enum MarkerShape: CaseIterable {
    case circle, square, triangleUp, diamond, triangleDown

    /// SVG path data for one marker of radius `r` centred at (x, y).
    func path(x: Double, y: Double, radius r: Double) -> String {
        switch self {
        case .circle:
            return "M\(fmt(x - r)) \(fmt(y))a\(fmt(r)) \(fmt(r)) 0 1 0 \(fmt(2 * r)) 0a\(fmt(r)) \(fmt(r)) 0 1 0 \(fmt(-2 * r)) 0Z"
        case .square:
            let s = r * 0.9
            return "M\(fmt(x - s)) \(fmt(y - s))h\(fmt(2 * s))v\(fmt(2 * s))h\(fmt(-2 * s))Z"
        case .triangleUp:
            let s = r * 1.2
            return "M\(fmt(x)) \(fmt(y - s))L\(fmt(x + s)) \(fmt(y + s * 0.8))L\(fmt(x - s)) \(fmt(y + s * 0.8))Z"
        case .diamond:
            let s = r * 1.25
            return "M\(fmt(x)) \(fmt(y - s))L\(fmt(x + s)) \(fmt(y))L\(fmt(x)) \(fmt(y + s))L\(fmt(x - s)) \(fmt(y))Z"
        case .triangleDown:
            let s = r * 1.2
            return "M\(fmt(x)) \(fmt(y + s))L\(fmt(x + s)) \(fmt(y - s * 0.8))L\(fmt(x - s)) \(fmt(y - s * 0.8))Z"
        }
    }

    static func forSlot(_ slot: Int) -> MarkerShape {
        allCases[slot % allCases.count]
    }
}

/// Drawing order layers (bands underneath, markers on top).
private enum Layer: CaseIterable {
    case fills, references, strokes, markers
}

extension Plot {
    /// Renders the plot as a standalone SVG document.
    ///
    /// Deterministic: the same plot gives byte-identical output (fixed 2-decimal coordinates,
    /// locale-independent formatting). Never contains NaN or infinite coordinates.
    ///
    /// ```
    /// <svg width=W height=H> background, grid, series, axes, legend, labels </svg>
    /// ```
    /// - Complexity: O(total points).
    /// - Source: W3C SVG 1.1 (REC-SVG11-20110816).
    public func render() -> String {
        let layout = self.layout()
        var svg = SVGWriter()
        svg.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.open("svg", [
            "xmlns": "http://www.w3.org/2000/svg",
            "width": fmt(layout.width), "height": fmt(layout.height),
            "viewBox": "0 0 \(fmt(layout.width)) \(fmt(layout.height))",
            "font-family": Style.fontFamily,
        ])
        svg.element("rect", ["x": "0", "y": "0", "width": fmt(layout.width), "height": fmt(layout.height), "fill": "#ffffff"])
        renderPanel(into: &svg, layout: layout, idPrefix: "p0")
        svg.close("svg")
        return svg.text
    }

    /// Colour and marker slot for each series (reference lines do not use palette slots).
    func slots() -> [(color: Color, marker: MarkerShape)] {
        var slot = 0
        return series.map { item in
            if case .reference = item.kind {
                return (item.color ?? .referenceGrey, .circle)
            }
            defer { slot += 1 }
            return (item.color ?? Color.palette[slot % Color.palette.count], MarkerShape.forSlot(slot))
        }
    }

    /// Draws the panel body (no `<svg>` wrapper) with coordinates from `layout`.
    func renderPanel(into svg: inout SVGWriter, layout: PlotLayout, idPrefix: String) {
        let area = layout.plotArea
        let clipID = "jlplot-\(idPrefix)-clip"
        svg.open("defs")
        svg.open("clipPath", ["id": clipID])
        svg.element("rect", ["x": fmt(area.x), "y": fmt(area.y), "width": fmt(area.width), "height": fmt(area.height)])
        svg.close("clipPath")
        svg.close("defs")

        renderGrid(into: &svg, layout: layout)

        let styles = slots()
        svg.open("g", ["clip-path": "url(#\(clipID))"])
        for layer in Layer.allCases {
            for (index, item) in series.enumerated() {
                renderSeries(item, slot: styles[index], layer: layer, index: index, into: &svg, layout: layout)
            }
        }
        svg.close("g")

        renderAxes(into: &svg, layout: layout)
        renderReferenceLabels(into: &svg, layout: layout, styles: styles)

        let anyData = series.contains { hasPlottablePoints($0, xScale: layout.xScale) }
        if !anyData {
            svg.textElement("no data", [
                "x": fmt(area.x + area.width / 2), "y": fmt(area.y + area.height / 2),
                "text-anchor": "middle", "dominant-baseline": "middle",
                "font-size": fmt(Style.titleFont), "fill": Style.mutedColor,
            ])
        }
        renderLegend(into: &svg, layout: layout, styles: styles)
        renderLabels(into: &svg, layout: layout)
    }

    private func renderGrid(into svg: inout SVGWriter, layout: PlotLayout) {
        let area = layout.plotArea
        // Minor gridlines only where labels are sparse (≤ 3); otherwise they just add clutter.
        var minorPath = ""
        if layout.xTicks.major.count <= 3 {
            for value in layout.xTicks.minor {
                if let px = layout.pixelX(value) { minorPath += "M\(fmt(px)) \(fmt(area.y))V\(fmt(area.bottom))" }
            }
        }
        if layout.yTicks.major.count <= 3 {
            for value in layout.yTicks.minor {
                if let py = layout.pixelY(value) { minorPath += "M\(fmt(area.x)) \(fmt(py))H\(fmt(area.right))" }
            }
        }
        if !minorPath.isEmpty {
            svg.element("path", ["d": minorPath, "stroke": Style.minorGridColor, "stroke-width": "1", "fill": "none"])
        }
        var majorPath = ""
        if categories == nil {
            for value in layout.xTicks.major {
                if let px = layout.pixelX(value) { majorPath += "M\(fmt(px)) \(fmt(area.y))V\(fmt(area.bottom))" }
            }
        }
        for value in layout.yTicks.major {
            if let py = layout.pixelY(value) { majorPath += "M\(fmt(area.x)) \(fmt(py))H\(fmt(area.right))" }
        }
        if !majorPath.isEmpty {
            svg.element("path", ["d": majorPath, "stroke": Style.gridColor, "stroke-width": "1", "fill": "none"])
        }
    }

    private func renderSeries(
        _ item: Series, slot: (color: Color, marker: MarkerShape), layer: Layer, index: Int,
        into svg: inout SVGWriter, layout: PlotLayout
    ) {
        let color = slot.color.hex
        let area = layout.plotArea
        let markerRadius = 3.5
        switch item.kind {
        case let .line(x, y, style, markers):
            let points = (0..<min(x.count, y.count)).map { layout.position(x: x[$0], y: y[$0]) }
            if layer == .strokes {
                var path = ""
                var penDown = false
                for point in points {
                    guard let point else { penDown = false; continue }
                    path += (penDown ? "L" : "M") + "\(fmt(point.x)) \(fmt(point.y))"
                    penDown = true
                }
                guard !path.isEmpty else { return }
                var dash = ""
                switch style {
                case .solid: dash = "none"
                case .dashed: dash = "7 4"
                case .dotted: dash = "2 3"
                }
                svg.element("path", ["d": path, "fill": "none", "stroke": color, "stroke-width": style == .solid ? "2" : "2.2",
                                     "stroke-dasharray": dash, "stroke-linejoin": "round", "stroke-linecap": style == .dotted ? "round" : "butt"])
            } else if layer == .markers && markers {
                let path = points.compactMap { $0.map { slot.marker.path(x: $0.x, y: $0.y, radius: markerRadius) } }.joined()
                if !path.isEmpty {
                    svg.element("path", ["d": path, "fill": color, "stroke": "#ffffff", "stroke-width": "0.8"])
                }
            }
        case let .scatter(x, y):
            guard layer == .markers else { return }
            let path = (0..<min(x.count, y.count)).compactMap { index in
                layout.position(x: x[index], y: y[index]).map { slot.marker.path(x: $0.x, y: $0.y, radius: markerRadius) }
            }.joined()
            if !path.isEmpty {
                svg.element("path", ["d": path, "fill": color, "fill-opacity": "0.85", "stroke": "#ffffff", "stroke-width": "0.6"])
            }
        case let .errorBars(x, lower, upper, center):
            let count = min(x.count, lower.count, upper.count)
            if layer == .strokes {
                var path = ""
                let cap = 4.0
                for index in 0..<count {
                    guard let px = layout.pixelX(x[index]), let top = layout.pixelY(upper[index]) else { continue }
                    let lowerPixel = layout.pixelY(lower[index])
                    // On a log axis a non-positive lower end runs to the bottom edge (no cap).
                    let bottom: Double
                    if let lowerPixel {
                        bottom = lowerPixel
                    } else if layout.yScale == .log10 && lower[index].isFinite {
                        bottom = area.bottom + 2
                    } else {
                        continue
                    }
                    path += "M\(fmt(px)) \(fmt(bottom))V\(fmt(top))"
                    path += "M\(fmt(px - cap)) \(fmt(top))H\(fmt(px + cap))"
                    if lowerPixel != nil { path += "M\(fmt(px - cap)) \(fmt(bottom))H\(fmt(px + cap))" }
                }
                if !path.isEmpty {
                    svg.element("path", ["d": path, "fill": "none", "stroke": color, "stroke-width": "1.5"])
                }
            } else if layer == .markers, let center {
                let path = (0..<min(count, center.count)).compactMap { index in
                    layout.position(x: x[index], y: center[index]).map { slot.marker.path(x: $0.x, y: $0.y, radius: markerRadius) }
                }.joined()
                if !path.isEmpty {
                    svg.element("path", ["d": path, "fill": color, "stroke": "#ffffff", "stroke-width": "0.6"])
                }
            }
        case let .band(x, lower, upper):
            guard layer == .fills else { return }
            // Split into runs of consecutive plottable points; each run is one polygon.
            var runs: [[(x: Double, top: Double, bottom: Double)]] = [[]]
            for index in 0..<min(x.count, lower.count, upper.count) {
                guard let px = layout.pixelX(x[index]), let top = layout.pixelY(upper[index]) else {
                    if !(runs.last?.isEmpty ?? true) { runs.append([]) }
                    continue
                }
                let bottom: Double
                if let pixel = layout.pixelY(lower[index]) {
                    bottom = pixel
                } else if layout.yScale == .log10 && lower[index].isFinite {
                    bottom = area.bottom + 2
                } else {
                    if !(runs.last?.isEmpty ?? true) { runs.append([]) }
                    continue
                }
                runs[runs.count - 1].append((px, top, bottom))
            }
            var path = ""
            for run in runs where run.count >= 2 {
                path += "M" + run.map { "\(fmt($0.x)) \(fmt($0.top))" }.joined(separator: "L")
                path += "L" + run.reversed().map { "\(fmt($0.x)) \(fmt($0.bottom))" }.joined(separator: "L") + "Z"
            }
            if !path.isEmpty {
                svg.element("path", ["d": path, "fill": color, "fill-opacity": "0.2", "stroke": "none"])
            }
        case let .reference(orientation, value):
            guard layer == .references else { return }
            let path: String
            switch orientation {
            case .horizontal:
                guard let py = layout.pixelY(value) else { return }
                path = "M\(fmt(area.x)) \(fmt(py))H\(fmt(area.right))"
            case .vertical:
                guard let px = layout.pixelX(value) else { return }
                path = "M\(fmt(px)) \(fmt(area.y))V\(fmt(area.bottom))"
            }
            svg.element("path", ["d": path, "fill": "none", "stroke": color, "stroke-width": "1.3", "stroke-dasharray": "8 3 2 3"])
        case let .histogram(edges, counts):
            guard layer == .fills else { return }
            let baseline = baselinePixel(layout)
            var path = ""
            for index in 0..<min(max(edges.count - 1, 0), counts.count) {
                guard let left = layout.pixelX(edges[index]), let right = layout.pixelX(edges[index + 1]),
                      let top = layout.pixelY(counts[index]), right > left else { continue }
                path += "M\(fmt(left)) \(fmt(baseline))V\(fmt(top))H\(fmt(right))V\(fmt(baseline))Z"
            }
            if !path.isEmpty {
                svg.element("path", ["d": path, "fill": color, "fill-opacity": "0.55", "stroke": color, "stroke-width": "1"])
            }
        case let .bars(categories, values):
            guard layer == .fills else { return }
            let barSeries = series.indices.filter { if case .bars = series[$0].kind { return true } else { return false } }
            let groupSize = max(barSeries.count, 1)
            let position = barSeries.firstIndex(of: index) ?? 0
            let baseline = baselinePixel(layout)
            let barWidth = 0.8 / Double(groupSize)
            var path = ""
            for category in 0..<min(categories.count, values.count) {
                let start = Double(category) - 0.4 + Double(position) * barWidth
                guard let left = layout.pixelX(start), let right = layout.pixelX(start + barWidth),
                      let top = layout.pixelY(values[category]) else { continue }
                path += "M\(fmt(left + 0.5)) \(fmt(baseline))V\(fmt(top))H\(fmt(right - 0.5))V\(fmt(baseline))Z"
            }
            if !path.isEmpty {
                svg.element("path", ["d": path, "fill": color, "fill-opacity": "0.8", "stroke": color, "stroke-width": "1"])
            }
        }
    }

    /// Pixel row of y = 0 (clamped into the plot area), or the bottom edge on log axes.
    private func baselinePixel(_ layout: PlotLayout) -> Double {
        let area = layout.plotArea
        guard let zero = layout.pixelY(0) else { return area.bottom + 2 }
        return min(max(zero, area.y - 2), area.bottom + 2)
    }

    private func renderAxes(into svg: inout SVGWriter, layout: PlotLayout) {
        let area = layout.plotArea
        svg.element("rect", ["x": fmt(area.x), "y": fmt(area.y), "width": fmt(area.width), "height": fmt(area.height),
                             "fill": "none", "stroke": Style.frameColor, "stroke-width": "1"])
        var tickPath = ""
        var minorTickPath = ""
        for value in layout.xTicks.major {
            if let px = layout.pixelX(value) { tickPath += "M\(fmt(px)) \(fmt(area.bottom))v\(fmt(Style.tickLength))" }
        }
        for value in layout.yTicks.major {
            if let py = layout.pixelY(value) { tickPath += "M\(fmt(area.x)) \(fmt(py))h\(fmt(-Style.tickLength))" }
        }
        for value in layout.xTicks.minor {
            if let px = layout.pixelX(value) { minorTickPath += "M\(fmt(px)) \(fmt(area.bottom))v3" }
        }
        for value in layout.yTicks.minor {
            if let py = layout.pixelY(value) { minorTickPath += "M\(fmt(area.x)) \(fmt(py))h-3" }
        }
        if !tickPath.isEmpty {
            svg.element("path", ["d": tickPath, "stroke": Style.frameColor, "stroke-width": "1", "fill": "none"])
        }
        if !minorTickPath.isEmpty {
            svg.element("path", ["d": minorTickPath, "stroke": Style.frameColor, "stroke-width": "0.8", "fill": "none"])
        }
        svg.open("g", ["font-size": fmt(Style.tickFont), "fill": Style.textColor])
        for (value, label) in zip(layout.xTicks.major, layout.xTicks.labels) {
            guard let px = layout.pixelX(value) else { continue }
            svg.textElement(label, ["x": fmt(px), "y": fmt(area.bottom + Style.tickLength + 4 + Style.tickFont), "text-anchor": "middle"])
        }
        for (value, label) in zip(layout.yTicks.major, layout.yTicks.labels) {
            guard let py = layout.pixelY(value) else { continue }
            svg.textElement(label, ["x": fmt(area.x - Style.tickLength - 4), "y": fmt(py + Style.tickFont * 0.35), "text-anchor": "end"])
        }
        svg.close("g")
    }

    private func renderReferenceLabels(into svg: inout SVGWriter, layout: PlotLayout, styles: [(color: Color, marker: MarkerShape)]) {
        let area = layout.plotArea
        for (index, item) in series.enumerated() {
            guard case let .reference(orientation, value) = item.kind, !item.label.isEmpty else { continue }
            let x: Double
            let y: Double
            let anchor: String
            switch orientation {
            case .horizontal:
                guard let py = layout.pixelY(value), py >= area.y, py <= area.bottom else { continue }
                // Above the line unless that would leave the plot area.
                x = area.right - 6
                y = py - 5 - Style.annotationFont < area.y ? py + 5 + Style.annotationFont * 0.8 : py - 5
                anchor = "end"
            case .vertical:
                guard let px = layout.pixelX(value), px >= area.x, px <= area.right else { continue }
                let width = estimatedTextWidth(item.label, fontSize: Style.annotationFont)
                let anchorEnd = px + 5 + width > area.right
                x = anchorEnd ? px - 5 : px + 5
                y = area.y + 6 + Style.annotationFont
                anchor = anchorEnd ? "end" : "start"
            }
            // A white halo keeps the label readable over gridlines and data.
            svg.textElement(item.label, [
                "x": fmt(x), "y": fmt(y), "text-anchor": anchor, "font-size": fmt(Style.annotationFont),
                "fill": styles[index].color.hex, "stroke": "#ffffff", "stroke-width": "3",
                "stroke-linejoin": "round", "paint-order": "stroke",
            ])
        }
    }

    private func renderLegend(into svg: inout SVGWriter, layout: PlotLayout, styles: [(color: Color, marker: MarkerShape)]) {
        guard let box = layout.legendBox else { return }
        svg.open("g", ["font-size": fmt(Style.legendFont)])
        svg.element("rect", ["x": fmt(box.x), "y": fmt(box.y), "width": fmt(box.width), "height": fmt(box.height),
                             "rx": "3", "fill": "#ffffff", "fill-opacity": "0.9", "stroke": "#cccccc", "stroke-width": "1"])
        for (row, index) in legendEntries.enumerated() {
            let item = series[index]
            let hasData = hasPlottablePoints(item, xScale: layout.xScale)
            let color = hasData ? styles[index].color.hex : Style.mutedColor
            let centerY = box.y + Style.legendPadding + Double(row) * Style.legendRow + Style.legendRow / 2 - 2
            let swatchLeft = box.x + Style.legendPadding
            let swatchRight = swatchLeft + Style.legendSwatch
            let middle = (swatchLeft + swatchRight) / 2
            switch item.kind {
            case let .line(_, _, style, markers):
                let dash = style == .solid ? "none" : (style == .dashed ? "7 4" : "2 3")
                svg.element("path", ["d": "M\(fmt(swatchLeft)) \(fmt(centerY))H\(fmt(swatchRight))", "stroke": color,
                                     "stroke-width": "2", "stroke-dasharray": dash, "fill": "none"])
                if markers {
                    svg.element("path", ["d": styles[index].marker.path(x: middle, y: centerY, radius: 3.5), "fill": color,
                                         "stroke": "#ffffff", "stroke-width": "0.8"])
                }
            case .scatter:
                svg.element("path", ["d": styles[index].marker.path(x: middle, y: centerY, radius: 3.5), "fill": color])
            case let .errorBars(_, _, _, center):
                svg.element("path", ["d": "M\(fmt(middle)) \(fmt(centerY - 6))V\(fmt(centerY + 6))M\(fmt(middle - 4)) \(fmt(centerY - 6))H\(fmt(middle + 4))M\(fmt(middle - 4)) \(fmt(centerY + 6))H\(fmt(middle + 4))",
                                     "stroke": color, "stroke-width": "1.5", "fill": "none"])
                if center != nil {
                    svg.element("path", ["d": styles[index].marker.path(x: middle, y: centerY, radius: 3.5), "fill": color])
                }
            case .band:
                svg.element("rect", ["x": fmt(swatchLeft), "y": fmt(centerY - 6), "width": fmt(Style.legendSwatch), "height": "12",
                                     "fill": color, "fill-opacity": "0.25"])
            case .histogram, .bars:
                svg.element("rect", ["x": fmt(swatchLeft + 6), "y": fmt(centerY - 6), "width": fmt(Style.legendSwatch - 12), "height": "12",
                                     "fill": color, "fill-opacity": "0.7", "stroke": color])
            case .reference:
                break
            }
            svg.textElement(legendText(for: index, xScale: layout.xScale), [
                "x": fmt(swatchRight + 8), "y": fmt(centerY + Style.legendFont * 0.35),
                "fill": hasData ? Style.textColor : Style.mutedColor,
            ])
        }
        svg.close("g")
    }

    private func renderLabels(into svg: inout SVGWriter, layout: PlotLayout) {
        let area = layout.plotArea
        if !title.isEmpty {
            svg.textElement(title, ["x": fmt(area.x + area.width / 2), "y": fmt(area.y - 16), "text-anchor": "middle",
                                    "font-size": fmt(Style.titleFont), "font-weight": "bold", "fill": Style.textColor])
        }
        if !xLabel.isEmpty {
            svg.textElement(xLabel, ["x": fmt(area.x + area.width / 2),
                                     "y": fmt(area.bottom + Style.tickLength + 4 + Style.tickFont + 10 + Style.axisLabelFont),
                                     "text-anchor": "middle", "font-size": fmt(Style.axisLabelFont), "fill": Style.textColor])
        }
        if !yLabel.isEmpty {
            let x = 12 + Style.axisLabelFont
            let y = area.y + area.height / 2
            svg.textElement(yLabel, ["x": fmt(x), "y": fmt(y), "text-anchor": "middle", "font-size": fmt(Style.axisLabelFont),
                                     "fill": Style.textColor, "transform": "rotate(-90 \(fmt(x)) \(fmt(y)))"])
        }
    }
}
