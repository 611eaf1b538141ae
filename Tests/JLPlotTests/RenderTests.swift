import Testing
@testable import JLPlot
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses `svg` with Foundation's XML parser; true iff it is well-formed XML.
func isWellFormedXML(_ svg: String) -> Bool {
    let parser = XMLParser(data: Data(svg.utf8))
    return parser.parse() && parser.parserError == nil
}

/// True iff the text has a NaN or infinity spelled the way Swift/C print them ("nan", "-nan",
/// "inf", "-inf", "infinity"), i.e. "nan"/"inf" not preceded by a letter (so words such as
/// "dominant-baseline" do not count).
func containsNonFinite(_ svg: String) -> Bool {
    let characters = Array(svg.lowercased().unicodeScalars)
    for start in characters.indices where start + 3 <= characters.count {
        let word = String(String.UnicodeScalarView(characters[start..<start + 3]))
        guard word == "nan" || word == "inf" else { continue }
        if start == 0 || !(characters[start - 1].properties.isAlphabetic) { return true }
    }
    return false
}

private func samplePlot() throws -> Plot {
    var plot = Plot(title: "QJL error", xLabel: "m", yLabel: "error", xScale: .log10, yScale: .log10)
    let m: [Double] = [64, 128, 256, 512, 1024]
    try plot.line(x: m, y: m.map { 1 / $0.squareRoot() }, label: "measured", markers: true)
    try plot.dashedLine(x: m, y: m.map { 1.2 / $0.squareRoot() }, label: "theory")
    try plot.band(x: m, lower: m.map { 0.8 / $0.squareRoot() }, upper: m.map { 1.2 / $0.squareRoot() }, label: "95% band")
    try plot.errorBars(x: m, lower: m.map { 0.9 / $0.squareRoot() }, upper: m.map { 1.1 / $0.squareRoot() },
                       center: m.map { 1 / $0.squareRoot() }, label: "trials")
    plot.horizontalLine(at: 0.05, label: "δ = 0.05")
    plot.verticalLine(at: 300, label: "m = 300")
    return plot
}

@Suite("Coordinate mapping")
struct MappingTests {
    @Test func linearAndLogMapping() {
        #expect(AxisScale.linear.pixel(for: 10, domain: 0...10, start: 50, end: 650) == 650)
        #expect(AxisScale.linear.pixel(for: 0, domain: 0...10, start: 50, end: 650) == 50)
        #expect(AxisScale.linear.pixel(for: 2.5, domain: 0...10, start: 400, end: 0) == 300)   // y axis runs upward
        let middle = AxisScale.log10.pixel(for: 100, domain: 10...1000, start: 0, end: 100)
        #expect(abs((middle ?? -1) - 50) < 1e-9)   // log10(100) is halfway between 1 and 3
        #expect(AxisScale.log10.pixel(for: 0, domain: 10...1000, start: 0, end: 100) == nil)
        #expect(AxisScale.log10.pixel(for: -3, domain: 10...1000, start: 0, end: 100) == nil)
        #expect(AxisScale.linear.pixel(for: .nan, domain: 0...1, start: 0, end: 100) == nil)
        #expect(AxisScale.linear.pixel(for: 1e300, domain: 0...1, start: 0, end: 100) == 1e6)   // clamped
    }

    @Test func axisMaximumMapsToRightEdge() throws {
        var plot = Plot(xRange: 0...10, yRange: 0...1)
        try plot.scatter(x: [10.0], y: [1.0], label: "corner")
        let layout = plot.layout()
        let corner = try #require(layout.position(x: 10, y: 1))
        #expect(corner.x == layout.plotArea.right)
        #expect(corner.y == layout.plotArea.y)
        let origin = try #require(layout.position(x: 0, y: 0))
        #expect(origin.x == layout.plotArea.x)
        #expect(origin.y == layout.plotArea.bottom)
        // The rendered marker (circle path starts at x − r) sits on that corner.
        let svg = plot.render()
        #expect(svg.contains("M\(NumberFormat.coordinate(corner.x - 3.5)) \(NumberFormat.coordinate(corner.y))a"))
    }

    @Test func autoRangePadsFourPercentAndKeepsHistogramBaseline() throws {
        var plot = Plot()
        try plot.line(x: [0.0, 10.0], y: [5.0, 15.0])
        let layout = plot.layout()
        #expect(abs(layout.xDomain.lowerBound - -0.4) < 1e-12)
        #expect(abs(layout.xDomain.upperBound - 10.4) < 1e-12)
        var histogram = Plot()
        try histogram.histogram(values: [1.0, 2, 2, 3], bins: 3)
        #expect(histogram.layout().yDomain.lowerBound == 0)
        var logPlot = Plot(xScale: .log10)
        try logPlot.line(x: [-1.0, 0, 10, 1000], y: [1.0, 2, 3, 4])
        let logDomain = logPlot.layout().xDomain
        // Non-positive x dropped; log-space padding 0.04 · 2 decades on each side.
        #expect(abs(logDomain.lowerBound - 10 / pow(10, 0.08)) < 1e-9)
        #expect(abs(logDomain.upperBound - 1000 * pow(10, 0.08)) < 1e-6)
    }

    @Test func invalidRequestedRangeFallsBackToData() throws {
        var plot = Plot(yScale: .log10, yRange: -1...10)
        try plot.line(x: [1.0, 2], y: [10.0, 100])
        #expect(plot.layout().yDomain.lowerBound > 0)
    }
}

@Suite("Legend placement")
struct LegendTests {
    @Test func legendAvoidsRisingLine() throws {
        var plot = Plot()
        let x = (0...50).map { Double($0) / 50 }
        try plot.line(x: x, y: x, label: "y = x")
        let layout = plot.layout()
        let box = try #require(layout.legendBox)
        // y = x runs through the top-right corner; the first free corner is top-left.
        #expect(box.x == layout.plotArea.x + 10)
        #expect(box.y == layout.plotArea.y + 10)
        #expect(plot.coveredDataPoints(in: box, layout: layout) == 0)
    }

    @Test func legendGoesOutsideWhenAllCornersAreCovered() throws {
        var plot = Plot()
        let x = (0...200).map { Double($0) / 200 }
        try plot.scatter(x: x + x, y: x + x.map { 1 - $0 }, label: "cross")
        try plot.line(x: [0.0, 1], y: [0.0, 0], label: "floor")
        try plot.line(x: [0.0, 1], y: [1.0, 1], label: "ceiling")
        let layout = plot.layout()
        let box = try #require(layout.legendBox)
        #expect(box.x > layout.plotArea.right)
    }

    @Test func seriesWithoutPlottablePointsIsMarkedNoData() throws {
        var plot = Plot(yScale: .log10)
        try plot.line(x: [1.0, 2, 3], y: [-1.0, 0, .nan], label: "all invalid")
        try plot.line(x: [1.0, 2, 3], y: [1.0, 2, 3], label: "fine")
        let svg = plot.render()
        #expect(svg.contains("all invalid (no data)"))
        #expect(!svg.contains("fine (no data)"))
    }
}

@Suite("SVG output")
struct OutputTests {
    @Test func escapingCoversXMLSpecials() {
        #expect(xmlEscaped("a<b & \"c\" 'd' >") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;")
        #expect(xmlEscaped("x\u{1}y\u{7F}") == "x y\u{7F}")   // C0 control → space; DEL is allowed
        #expect(xmlEscaped("δ = 10⁻³") == "δ = 10⁻³")
    }

    @Test func renderedTextIsEscaped() throws {
        var plot = Plot(title: "<script>&\"'", xLabel: "a < b", yLabel: "c > d")
        try plot.line(x: [0.0, 1], y: [0.0, 1], label: "R&D \"ok\"")
        plot.horizontalLine(at: 0.5, label: "p < 0.05")
        let svg = plot.render()
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;&amp;&quot;&apos;"))
        #expect(svg.contains("R&amp;D &quot;ok&quot;"))
        #expect(svg.contains("p &lt; 0.05"))
        #expect(isWellFormedXML(svg))
    }

    @Test func renderIsDeterministic() throws {
        let first = try samplePlot().render()
        let second = try samplePlot().render()
        #expect(first == second)
        #expect(first.utf8.count > 1000)
    }

    @Test func nonFiniteAndNonPositiveInputsNeverLeak() throws {
        var plot = Plot(title: "hostile", xScale: .log10, yScale: .log10)
        try plot.line(x: [1.0, .nan, 10, .infinity, 100, -5, 0], y: [1.0, 2, -.infinity, 4, 0, 6, 7], label: "line", markers: true)
        try plot.scatter(x: [Double.nan, 1e-300, 1e300], y: [1.0, 1e300, -1], label: "scatter")
        try plot.errorBars(x: [1.0, 2, 3], lower: [-1.0, .nan, 0.5], upper: [2.0, 3, .infinity], label: "bars")
        try plot.band(x: [1.0, 2, .nan, 4], lower: [0.0, 1, 1, 1], upper: [2.0, .nan, 3, 4], label: "band")
        try plot.histogram(values: [Double.nan, .infinity, -3, 1, 2, 3], bins: 4, label: "hist")
        plot.horizontalLine(at: Double.nan, label: "nan line")
        plot.verticalLine(at: -1.0, label: "negative")
        let svg = plot.render()
        #expect(!containsNonFinite(svg))
        #expect(isWellFormedXML(svg))

        // (A NaN bound cannot even form a ClosedRange; infinite bounds can and must be ignored.)
        var linear = Plot(xRange: -Double.infinity...1, yRange: -Double.infinity...Double.infinity)
        try linear.line(x: [Double.nan, .infinity], y: [1.0, 2], label: "only junk")
        let junk = linear.render()
        #expect(!containsNonFinite(junk))
        #expect(isWellFormedXML(junk))
        #expect(junk.contains(">no data<"))
    }

    @Test func emptyPlotRendersFrameAndNoData() {
        for plot in [Plot(), Plot(xScale: .log10, yScale: .log10), Plot(width: -5, height: .nan)] {
            let svg = plot.render()
            #expect(svg.contains(">no data<"))
            #expect(svg.contains("<rect x=\""))
            #expect(isWellFormedXML(svg))
            #expect(!containsNonFinite(svg))
        }
    }

    @Test func defaultSizeAndPaletteOrder() throws {
        var plot = Plot()
        try plot.line(x: [0.0, 1], y: [0.0, 1], label: "a")
        try plot.line(x: [0.0, 1], y: [1.0, 0], label: "b")
        plot.horizontalLine(at: 0.25, label: "ref")   // reference lines take no palette slot
        try plot.line(x: [0.0, 1], y: [0.5, 0.5], label: "c", color: .black)
        try plot.scatter(x: [0.5], y: [0.5], label: "d")
        #expect(plot.slots().map(\.color) == [.blue, .vermillion, .referenceGrey, .black, .orange])
        #expect(plot.slots().map(\.marker) == [.circle, .square, .circle, .triangleUp, .diamond])
        let svg = plot.render()
        #expect(svg.contains("width=\"720\" height=\"480\""))
        #expect(svg.contains("stroke=\"#0072b2\""))   // Okabe–Ito blue first
        #expect(svg.contains("stroke=\"#d55e00\""))   // vermillion second
        #expect(svg.contains("stroke=\"#000000\""))   // explicit colour kept
        #expect(Color.palette.count == 7)
        #expect(!Color.palette.contains(.yellow))
    }

    @Test func barsGroupOnCategoricalAxis() throws {
        var plot = Plot(title: "bits per key", yLabel: "MSE")
        try plot.bars(categories: ["1 bit", "2 bits", "3 bits"], values: [0.4, 0.2, 0.1], label: "QJL")
        try plot.bars(categories: ["1 bit", "2 bits", "3 bits"], values: [0.5, 0.3, 0.15], label: "baseline")
        let layout = plot.layout()
        #expect(layout.xTicks.labels == ["1 bit", "2 bits", "3 bits"])
        #expect(layout.xDomain == -0.5...2.5)
        #expect(layout.yDomain.lowerBound == 0)
        #expect(isWellFormedXML(plot.render()))
    }

    /// Float and Double inputs with exactly representable values give identical bytes.
    @Test(arguments: [false, true])
    func genericInputsAgree(useFloat: Bool) throws {
        let xs: [Double] = [1, 2, 4, 8]
        let ys: [Double] = [0.5, 0.25, 0.125, 0.0625]
        var reference = Plot(xScale: .log10)
        try reference.line(x: xs, y: ys, label: "s")
        var plot = Plot(xScale: .log10)
        if useFloat {
            try plot.line(x: xs.map(Float.init), y: ys.map(Float.init), label: "s")
        } else {
            try plot.line(x: xs, y: ys, label: "s")
        }
        #expect(plot.render() == reference.render())
    }
}

@Suite("Histogram and errors")
struct HistogramAndErrorTests {
    @Test func histogramCountsAndDensity() throws {
        var plot = Plot()
        try plot.histogram(values: [0.0, 0.1, 0.5, 0.9, 1.0], bins: 2)
        try plot.histogram(values: [0.0, 0.1, 0.5, 0.9, 1.0], bins: 2, density: true)
        guard case let .histogram(edges, counts) = plot.series[0].kind,
              case let .histogram(_, density) = plot.series[1].kind else {
            Issue.record("expected histogram series")
            return
        }
        #expect(edges == [0, 0.5, 1])
        #expect(counts == [2, 3])           // 0.5 opens bin 1; the maximum 1.0 closes it
        #expect(density == [0.8, 1.2])      // count / (N · w) = count / 2.5
    }

    @Test func extremeHistogramRangesDoNotCrash() throws {
        var plot = Plot()
        try plot.histogram(values: [0.0, 5e-324], bins: 2, label: "subnormal span")     // w underflows to 0
        try plot.histogram(values: [-1e308, 1e308], bins: 3, label: "overflowing span")  // hi − lo = inf
        try plot.histogram(values: [Double.nan], bins: 3, label: "nothing")
        guard case let .histogram(_, counts) = plot.series[0].kind else {
            Issue.record("expected histogram series")
            return
        }
        #expect(counts.reduce(0, +) == 2)
        let svg = plot.render()
        #expect(isWellFormedXML(svg) && !containsNonFinite(svg))
        #expect(svg.contains("nothing (no data)"))
    }

    @Test func typedErrors() {
        var plot = Plot()
        #expect(throws: PlotError.lengthMismatch(series: "s", expected: 2, actual: 3)) {
            try plot.line(x: [1.0, 2], y: [1.0, 2, 3], label: "s")
        }
        #expect(throws: PlotError.invalidBinCount(0)) {
            try plot.histogram(values: [1.0], bins: 0)
        }
        #expect(throws: PlotError.invalidBinEdges(series: "h")) {
            try plot.histogram(binEdges: [0.0, 1, 1], counts: [1.0, 2], label: "h")
        }
        #expect(throws: PlotError.invalidGrid(rows: 0, columns: 2)) {
            _ = try Figure(rows: 0, columns: 2, panels: [])
        }
        #expect(throws: PlotError.tooManyPanels(panels: 5, capacity: 4)) {
            _ = try Figure(rows: 2, columns: 2, panels: Array(repeating: Plot(), count: 5))
        }
        #expect(PlotError.invalidBinCount(0).description.contains("bins ≥ 1"))
        #expect(plot.series.isEmpty)
    }
}

@Suite("Figure")
struct FigureTests {
    @Test func gridRendersAllPanelsWithDistinctClips() throws {
        let panel = try samplePlot()
        var histogram = Plot(title: "distribution", width: 480, height: 360)
        try histogram.histogram(values: (0..<200).map { Double($0 % 17) }, bins: 17, label: "counts")
        let figure = try Figure(rows: 2, columns: 2, panels: [panel, histogram, Plot()], title: "comparison")
        let svg = figure.render()
        #expect(svg.contains("width=\"1440\" height=\"996\""))   // 2 · 720 by 36 + 2 · 480
        for index in 0..<3 { #expect(svg.contains("id=\"jlplot-p\(index)-clip\"")) }
        #expect(!svg.contains("jlplot-p3-clip"))
        #expect(svg.contains("translate(720 0)") == false)       // title row shifts panels down
        #expect(svg.contains("translate(720 36)"))
        #expect(isWellFormedXML(svg))
        #expect(!containsNonFinite(svg))
        #expect(svg == figure.render())
    }
}
