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
        // Deterministic, bell-shaped values without an RNG: the mean of three Weyl (golden-ratio,
        // √2, √3) sequences is Irwin–Hall(3)/3-distributed, rescaled to −1…1 (σ = 2·√(1/36) = 1/3).
        let values = (1...4000).map { index -> Double in
            let i = Double(index)
            let u = (i * 0.6180339887498949).truncatingRemainder(dividingBy: 1)
            let v = (i * 0.4142135623730951).truncatingRemainder(dividingBy: 1)
            let w = (i * 0.7320508075688772).truncatingRemainder(dividingBy: 1)
            return 2 * (u + v + w) / 3 - 1
        }
        try plot.histogram(values: values, bins: 24, range: -1...1, density: true, label: "trials")
        let grid = (0...100).map { -1 + 2 * Double($0) / 100 }
        let sigma = 1.0 / 3
        try plot.dashedLine(x: grid, y: grid.map { exp(-$0 * $0 / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot()) },
                            label: "normal approximation")
        return plot
    }

    static func gallery() throws -> Figure {
        var bars = Plot(title: "MSE by bits per coordinate", yLabel: "MSE")
        try bars.bars(categories: ["1 bit", "2 bits", "3 bits", "4 bits"], values: [0.36, 0.12, 0.035, 0.009], label: "QJL")
        try bars.bars(categories: ["1 bit", "2 bits", "3 bits", "4 bits"], values: [0.5, 0.18, 0.05, 0.02], label: "scalar quantizer")
        var crowded = Plot(title: "Legend with no free corner", xLabel: "x", yLabel: "y")
        let t = (0...60).map { Double($0) / 60 }
        try crowded.scatter(x: t + t, y: t + t.map { 1 - $0 }, label: "diagonals")
        try crowded.line(x: [0.0, 1], y: [0.0, 0], label: "floor")
        try crowded.line(x: [0.0, 1], y: [1.0, 1], label: "ceiling")
        var hostile = Plot(title: "Log axes, non-finite and ≤ 0 data", xLabel: "n", yLabel: "value", xScale: .log10, yScale: .log10)
        try hostile.line(x: [1.0, .nan, 10, .infinity, 100, -5, 1000, 1e4], y: [1e-3, 2, -1, 4, 0, 6, 1e-1, 1], label: "broken line", markers: true)
        try hostile.line(x: [1.0, 2], y: [-1.0, 0], label: "nothing plottable")
        try hostile.errorBars(x: [3.0, 30, 300], lower: [-1.0, 0.01, 0.1], upper: [0.01, 0.1, 1], label: "bars to 0")
        let empty = Plot(title: "Empty <plot> & \"quotes\"", xLabel: "x", yLabel: "y")
        return try Figure(rows: 2, columns: 2, panels: [bars, crowded, hostile, empty], title: "Edge cases")
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
        let gallery = try Self.gallery().render()
        #expect(isWellFormedXML(gallery) && !containsNonFinite(gallery))
        if let directory = ProcessInfo.processInfo.environment["JLPLOT_EXAMPLE_DIR"] {
            try svg.write(toFile: directory + "/plot-example.svg", atomically: true, encoding: .utf8)
            try figureSVG.write(toFile: directory + "/plot-figure.svg", atomically: true, encoding: .utf8)
            try Self.gallery().render().write(toFile: directory + "/plot-gallery.svg", atomically: true, encoding: .utf8)
        }
    }
}
