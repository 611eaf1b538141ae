import Testing
@testable import JLPlot

/// Tick values are k·step products, so compare with a relative tolerance of 1e-12 (a few ulps).
private func expectClose(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "got \(actual)", sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        #expect(abs(a - e) <= 1e-12 * max(1, abs(e)), "got \(actual), expected \(expected)", sourceLocation: sourceLocation)
    }
}

@Suite("Axis ticks")
struct TickTests {
    @Test func niceStepPicksOneTwoFive() {
        #expect(AxisTicks.niceStep(span: 1, targetCount: 5) == 0.2)
        #expect(AxisTicks.niceStep(span: 7, targetCount: 5) == 2)      // raw 1.4 → 2
        #expect(AxisTicks.niceStep(span: 12, targetCount: 5) == 5)     // raw 2.4 → 5
        #expect(AxisTicks.niceStep(span: 30, targetCount: 5) == 10)    // raw 6 → 10
        #expect(AxisTicks.niceStep(span: 100, targetCount: 5) == 20)
    }

    @Test func linearZeroToOne() {
        let ticks = AxisTicks.linear(lower: 0, upper: 1)
        expectClose(ticks.major, [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ticks.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(ticks.minor.isEmpty)
    }

    @Test func linearSymmetricAndOffset() {
        let symmetric = AxisTicks.linear(lower: -1, upper: 1)
        expectClose(symmetric.major, [-1, -0.5, 0, 0.5, 1])
        #expect(symmetric.labels == ["-1", "-0.5", "0", "0.5", "1"])
        // Ticks stay inside the range and start at the first multiple of the step.
        let offset = AxisTicks.linear(lower: 0.13, upper: 0.87)
        expectClose(offset.major, [0.2, 0.4, 0.6, 0.8])
        // Large values switch to compact scientific labels with just enough mantissa digits.
        #expect(AxisTicks.linear(lower: 0, upper: 300_000).labels == ["0", "1e5", "2e5", "3e5"])
        #expect(AxisTicks.linear(lower: 0, upper: 150_000).labels == ["0", "5e4", "1e5", "1.5e5"])
    }

    @Test func logDecadesWithTwoFiveWhenFew() {
        // 64…1024 spans 1.2 decades: labels at 1-2-5 numbers; 64 and 1024 are not labelled.
        let ticks = AxisTicks.logarithmic(lower: 64, upper: 1024)
        expectClose(ticks.major, [100, 200, 500, 1000])
        #expect(ticks.labels == ["100", "200", "500", "1000"])
        expectClose(ticks.minor, [70, 80, 90, 300, 400, 600, 700, 800, 900])
    }

    @Test func logDecadesOnlyWhenMany() {
        let ticks = AxisTicks.logarithmic(lower: 1e-3, upper: 1)
        expectClose(ticks.major, [1e-3, 1e-2, 0.1, 1])
        #expect(ticks.labels == ["1e-3", "0.01", "0.1", "1"])
        #expect(ticks.minor.count == 3 * 8)  // 2…9 in each of the three decades
    }

    @Test func logThinsDecadesOverWideRanges() {
        let ticks = AxisTicks.logarithmic(lower: 1, upper: 1e20, maxLabels: 8)
        // 21 decades, stride ⌈21/8⌉ = 3 → 10^0, 10^3, …, 10^18; no minor ticks when thinned.
        expectClose(ticks.major, [1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18])
        #expect(ticks.labels == ["1", "1000", "1e6", "1e9", "1e12", "1e15", "1e18"])
        #expect(ticks.minor.isEmpty)
    }

    @Test func logNarrowRangeFallsBackToLinear() {
        let ticks = AxisTicks.logarithmic(lower: 3, upper: 4)
        expectClose(ticks.major, [3, 3.5, 4])
    }

    @Test func invalidRangesGiveNoTicks() {
        #expect(AxisTicks.linear(lower: 1, upper: 1).major.isEmpty)
        #expect(AxisTicks.linear(lower: .nan, upper: 1).major.isEmpty)
        #expect(AxisTicks.linear(lower: 0, upper: .infinity).major.isEmpty)
        #expect(AxisTicks.logarithmic(lower: 0, upper: 10).major.isEmpty)
        #expect(AxisTicks.logarithmic(lower: -5, upper: 10).major.isEmpty)
    }
}

@Suite("Number formatting")
struct NumberFormatTests {
    @Test func fixedIsRoundedAndTrimmed() {
        #expect(NumberFormat.fixed(0.1 + 0.2, decimals: 2) == "0.3")
        #expect(NumberFormat.fixed(1234.5678, decimals: 2) == "1234.57")
        #expect(NumberFormat.fixed(-0.004, decimals: 2) == "0")      // no "-0"
        #expect(NumberFormat.fixed(-12.5, decimals: 0) == "-13")     // half away from zero
        #expect(NumberFormat.fixed(3, decimals: 2, trimZeros: false) == "3.00")
        #expect(NumberFormat.fixed(0.05, decimals: 2, trimZeros: false) == "0.05")
        #expect(NumberFormat.fixed(.nan, decimals: 2) == "0")
    }

    @Test func scientificIsCompact() {
        #expect(NumberFormat.scientific(0.001, mantissaDecimals: 0) == "1e-3")
        #expect(NumberFormat.scientific(2.5e6) == "2.5e6")
        #expect(NumberFormat.scientific(-4.2e-7) == "-4.2e-7")
        #expect(NumberFormat.scientific(9.999e-4) == "1e-3")           // mantissa rounds up to 10
    }

    @Test func tickLabelsAreCompact() {
        #expect(NumberFormat.tickLabel(0.001, step: 0.001) == "1e-3")
        #expect(NumberFormat.tickLabel(0.01, step: 0.01) == "0.01")
        #expect(NumberFormat.tickLabel(64, step: 64) == "64")
        #expect(NumberFormat.tickLabel(1024, step: 1024) == "1024")
        #expect(NumberFormat.tickLabel(1e5, step: 1e5) == "1e5")
        #expect(NumberFormat.tickLabel(1e-17, step: 0.2) == "0")
    }
}
