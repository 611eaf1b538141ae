import Foundation
import Testing
@testable import JLPlot

/// Example figures for visual inspection. Set `JLPLOT_EXAMPLE_DIR` to write them there, e.g.
/// `JLPLOT_EXAMPLE_DIR=/tmp swift test --filter JLPlotTests.ExampleTests`
/// (writes plot-example.svg and plot-figure.svg). Without the variable the test only checks
/// that the examples render to well-formed, NaN-free SVG.
@Suite("Examples")
struct ExampleTests {
    static func errorPlot() throws -> Plot {
        var plot = Plot(title: "QJL inner-product error vs sketch dimension",
                        xLabel: "sketch dimension m", yLabel: "relative error |⟨q,k⟩ − est| / ‖q‖‖k‖",
                        xScale: .log10, yScale: .log10)
        let m: [Double] = [64, 128, 256, 512, 1024]
        let measured = m.map { 1.25 / $0.squareRoot() * (1 + 0.05 * Double(Int($0) % 3)) }
        try plot.band(x: m, lower: measured.map { $0 * 0.8 }, upper: measured.map { $0 * 1.25 }, label: "5–95% of trials")
        try plot.line(x: m, y: measured, label: "measured (mean)", markers: true)
        try plot.errorBars(x: m.map { $0 * 1.04 }, lower: measured.map { $0 * 0.9 }, upper: measured.map { $0 * 1.1 },
                           label: "±1 s.e.")
        try plot.dashedLine(x: m, y: m.map { (Double.pi / 2).squareRoot() / $0.squareRoot() }, label: "theory √(π/2)/√m")
        plot.horizontalLine(at: 0.05, label: "target ε = 0.05")
        plot.verticalLine(at: 300, label: "m = 300")
        return plot
    }

    static func histogramPlot() throws -> Plot {
        var plot = Plot(title: "Distribution of estimates", xLabel: "estimate − truth", yLabel: "density")
        // Deterministic, roughly bell-shaped values (sum of three uniform grids), no RNG needed.
        var values: [Double] = []
        for a in 0..<12 { for b in 0..<12 { for c in 0..<12 {
            values.append((Double(a) + Double(b) + Double(c)) / 33 * 2 - 1)
        } } }
        try plot.histogram(values: values, bins: 24, density: true, label: "trials")
        let grid = (0...100).map { -1 + 2 * Double($0) / 100 }
        let sigma = 2.0 / 33 * (143.0 / 12 * 3).squareRoot()
        try plot.dashedLine(x: grid, y: grid.map { exp(-$0 * $0 / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot()) },
                            label: "normal approximation")
        return plot
    }

    @Test func examplesRender() throws {
        let plot = try Self.errorPlot()
        let figure = try Figure(rows: 1, columns: 2, panels: [plot, try Self.histogramPlot()],
                                title: "JLPlot example figure")
        let svg = plot.render()
        let figureSVG = figure.render()
        #expect(isWellFormedXML(svg))
        #expect(isWellFormedXML(figureSVG))
        #expect(!containsNonFinite(svg) && !containsNonFinite(figureSVG))
        if let directory = ProcessInfo.processInfo.environment["JLPLOT_EXAMPLE_DIR"] {
            try svg.write(toFile: directory + "/plot-example.svg", atomically: true, encoding: .utf8)
            try figureSVG.write(toFile: directory + "/plot-figure.svg", atomically: true, encoding: .utf8)
        }
    }
}
