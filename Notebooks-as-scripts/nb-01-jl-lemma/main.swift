// nb-01-jl-lemma: norms and distances under Gaussian, orthogonal and SRHT sketches, and the
// Johnson–Lindenstrauss dimension formula. Run: swift run nb-01-jl-lemma [--quick] [--out DIR].
import Foundation
import JLLinearAlgebra
import JLNotebook
import JLPlot
import JLRandom
import JLTheory
import JLTransforms

/// An independent transform seed per (label, trial), derived from the master seed.
func trialSeed(_ master: UInt64, _ label: String, _ trial: Int) -> UInt64 {
    let words = RandomStream(seed: master).child(label).child(UInt64(trial)).block(0)
    return UInt64(words.x) << 32 | UInt64(words.y)
}

func squaredNorm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }

/// Empirical density of `values` on `bins` equal bins over `range`: (bin centres, densities).
func density(_ values: [Double], range: ClosedRange<Double>, bins: Int) -> (x: [Double], y: [Double]) {
    let width = (range.upperBound - range.lowerBound) / Double(bins)
    var counts = [Double](repeating: 0, count: bins)
    for v in values where range.contains(v) {
        counts[min(bins - 1, Int((v - range.lowerBound) / width))] += 1
    }
    let centres = (0..<bins).map { range.lowerBound + (Double($0) + 0.5) * width }
    return (centres, counts.map { $0 / (Double(values.count) * width) })
}

/// Density of ‖Sx‖²/(m‖x‖²) for Gaussian S: m times the χ²_m density at m·r.
func scaledChiSquaredDensity(_ r: Double, m: Int) -> Double {
    let k = Double(m), x = k * r
    guard x > 0 else { return 0 }
    return k * exp((k / 2 - 1) * log(x) - x / 2 - (k / 2) * log(2) - lgamma(k / 2))
}

/// All pairwise ratios ‖y_i − y_j‖² / (m‖x_i − x_j‖²) for rows of X (n×d) and Y = X·Sᵀ (n×m).
func pairRatios(_ x: Matrix<Double>, _ y: Matrix<Double>) -> [Double] {
    var ratios: [Double] = []
    let m = Double(y.columns)
    for i in 0..<x.rows {
        for j in (i + 1)..<x.rows {
            var original = 0.0, sketched = 0.0
            for c in 0..<x.columns { let t = x[i, c] - x[j, c]; original += t * t }
            for c in 0..<y.columns { let t = y[i, c] - y[j, c]; sketched += t * t }
            ratios.append(sketched / (m * original))
        }
    }
    return ratios
}

let families: [(name: String, kind: TransformKind)] = [
    ("Gaussian", .gaussian), ("orthogonal", .orthogonal(.sqrtD)), ("SRHT", .srht(.automatic)),
]

Notebook.main(name: "nb-01-jl-lemma", title: "The Johnson–Lindenstrauss lemma, measured") { nb in
    // %% [markdown]
    // A JL sketch is a random m×d matrix S with entries of unit second moment, so that
    // E‖Sx‖² = m‖x‖² for every x. The Johnson–Lindenstrauss lemma says more: for n points,
    // m = O(ε⁻² log n) rows keep *every* pairwise squared distance within a factor 1 ± ε, with
    // high probability (Johnson–Lindenstrauss 1984; Dasgupta–Gupta 2003, doi:10.1002/rsa.10073).
    //
    // This notebook measures three sketches from `JLTransforms`:
    //
    // - **Gaussian** (`GaussianJL`): iid N(0, 1) entries;
    // - **orthogonal** (`OrthogonalJL`, rows of length √d): blocks of d orthonormal directions;
    // - **SRHT** (`SRHT`): √d · (row sample) · (Walsh–Hadamard) · (random signs), applied in O(d log d).
    //
    // ## 1. One vector, many sketches
    //
    // Fix one vector x and draw many independent sketches. The ratio ‖Sx‖²/(m‖x‖²) has mean 1;
    // its spread is what the lemma controls. For Gaussian S, m times the ratio is χ²ₘ, so the
    // variance is exactly 2/m. Orthogonal rows are negatively correlated and do better: for
    // m ≤ d the ratio is (d/m) times a Beta(m/2, (d−m)/2) variable, with variance
    // 2(d − m)/(m(d + 2)).
    let d = 512
    let trials = nb.options.pick(full: 1000, quick: 24)
    let sketchDimensions = [64, 256]
    let x = RandomStream(seed: nb.seed).child("x").gaussians(d, as: Double.self)
    let xNormSquared = squaredNorm(x)
    var ratios: [String: [Double]] = [:]
    for family in families {
        for m in sketchDimensions {
            var values: [Double] = []
            for t in 0..<trials {
                let transform = try family.kind.make(
                    inputDimension: d, sketchDimension: m,
                    seed: trialSeed(nb.seed, "norms-\(family.name)-\(m)", t), as: Double.self)
                values.append(squaredNorm(try transform.apply(x)) / (Double(m) * xNormSquared))
            }
            ratios["\(family.name)-\(m)"] = values
        }
    }
    // %% [hide]
    var rows: [[String]] = []
    for family in families {
        for m in sketchDimensions {
            let values = ratios["\(family.name)-\(m)"] ?? []
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            let theory: String
            switch family.name {
            case "Gaussian": theory = (2 / Double(m)).squareRoot().fixed(4)
            case "orthogonal" where m <= d:
                theory = (2 * Double(d - m) / (Double(m) * Double(d + 2))).squareRoot().fixed(4)
            default: theory = "—"
            }
            let outside = values.filter { abs($0 - 1) > 0.2 }.count
            rows.append([family.name, "\(m)", mean.fixed(4), variance.squareRoot().fixed(4), theory,
                         (Double(outside) / Double(values.count)).fixed(3)])
        }
    }
    nb.markdown("With d = \(d), one fixed Gaussian vector x and \(trials) independent sketches per row of the table:")
    nb.table(columns: ["sketch", "m", "mean ratio", "sd (measured)", "sd (exact)", "P(|ratio − 1| > 0.2)"],
             rows: rows, caption: "‖Sx‖²/(m‖x‖²) over \(trials) sketches, d = \(d)")
    var panels: [Plot] = []
    for m in sketchDimensions {
        let range = 0.4...1.6
        var plot = Plot(title: "m = \(m), d = \(d)", xLabel: "‖Sx‖² / (m‖x‖²)", yLabel: "density",
                        xRange: range, width: 560, height: 400, legendPosition: .topRight)
        for family in families {
            let curve = density(ratios["\(family.name)-\(m)"] ?? [], range: range, bins: nb.options.pick(full: 40, quick: 12))
            try plot.line(x: curve.x, y: curve.y, label: family.name, markers: true)
        }
        let grid = stride(from: range.lowerBound, through: range.upperBound, by: 0.01).map { $0 }
        try plot.dashedLine(x: grid, y: grid.map { scaledChiSquaredDensity($0, m: m) }, label: "Gaussian, exact law")
        panels.append(plot)
    }
    try nb.figure(name: "norm-ratios",
                  svg: Figure(rows: 1, columns: 2, panels: panels, title: "One vector, \(trials) sketches").render(),
                  caption: "Histograms (as densities) of ‖Sx‖²/(m‖x‖²) for m = 64 and m = 256; dashed: the exact Gaussian law.")
    let gaussian64 = (ratios["Gaussian-64"] ?? []).filter { abs($0 - 1) > 0.2 }.count
    let orthogonal256 = (ratios["orthogonal-256"] ?? []).filter { abs($0 - 1) > 0.2 }.count
    nb.markdown("""
        Quadrupling m halves the spread (sd ∝ 1/√m). At m = 64, \(gaussian64) of \(trials) Gaussian \
        sketches distort ‖x‖² by more than 20 %; the orthogonal sketch at m = 256 does so \
        \(orthogonal256) times. SRHT behaves like the orthogonal sketch here because x is a generic \
        (dense) vector; for a spiky x such as a basis vector its rows are ±1 and ‖Sx‖² = m‖x‖² exactly.
        """)

    // %% [markdown]
    // ## 2. Many points, one sketch
    //
    // The lemma is a statement about all pairs at once: one sketch must preserve every pairwise
    // distance. Take n points with varied norms, sketch them with one S of each family, and
    // compare every sketched squared distance with the original.
    let n = nb.options.pick(full: 100, quick: 16)
    let pointStream = RandomStream(seed: nb.seed).child("points")
    let points = try Matrix<Double>(rows: n, columns: d) { i, j in
        (0.5 + 1.5 * pointStream.child("scale").uniform(at: UInt64(i))) * pointStream.gaussian(at: UInt64(i * d + j))
    }
    var distortionRows: [[String]] = []
    var scatterPanels: [Plot] = []
    for m in sketchDimensions {
        var scatter = Plot(title: "Gaussian sketch, m = \(m)", xLabel: "‖xᵢ − xⱼ‖² / d",
                           yLabel: "‖S(xᵢ − xⱼ)‖² / (m·d)", width: 560, height: 400, legendPosition: .topLeft)
        for family in families {
            let transform = try family.kind.make(inputDimension: d, sketchDimension: m,
                                                 seed: trialSeed(nb.seed, "pairs-\(family.name)", m), as: Double.self)
            let sketched = try transform.apply(batch: points)
            let pairRatio = pairRatios(points, sketched)
            let sorted = pairRatio.sorted()
            let worst = pairRatio.map { abs($0 - 1) }.max() ?? 0
            distortionRows.append([family.name, "\(m)", "\(pairRatio.count)", sorted[sorted.count / 100].fixed(3),
                                   sorted[sorted.count - 1 - sorted.count / 100].fixed(3), worst.fixed(3)])
            if family.name == "Gaussian" {
                var original: [Double] = [], projected: [Double] = []
                for i in 0..<n {
                    for j in (i + 1)..<n {
                        var a = 0.0, b = 0.0
                        for c in 0..<d { let t = points[i, c] - points[j, c]; a += t * t }
                        for c in 0..<m { let t = sketched[i, c] - sketched[j, c]; b += t * t }
                        original.append(a / Double(d))
                        projected.append(b / Double(m * d))
                    }
                }
                try scatter.scatter(x: original, y: projected, label: "pairs")
                let lo = original.min() ?? 0, hi = original.max() ?? 1
                try scatter.dashedLine(x: [lo, hi], y: [lo, hi], label: "no distortion")
                scatterPanels.append(scatter)
            }
        }
    }
    nb.table(columns: ["sketch", "m", "pairs", "1st percentile", "99th percentile", "max |ratio − 1|"],
             rows: distortionRows,
             caption: "‖S(xᵢ − xⱼ)‖²/(m‖xᵢ − xⱼ‖²) over all pairs of n = \(n) points in d = \(d), one sketch each")
    try nb.figure(name: "pairwise", svg: Figure(rows: 1, columns: 2, panels: scatterPanels).render(),
                  caption: "Sketched against original squared distances of all \(n * (n - 1) / 2) pairs (Gaussian S).")

    // %% [markdown]
    // ## 3. How many rows does the lemma ask for?
    //
    // `johnsonLindenstraussMinimumDimension(sampleCount:epsilon:)` is the Dasgupta–Gupta bound
    // as scikit-learn computes it, m ≥ 4 ln n / (ε²/2 − ε³/3). Empirically we sweep m, draw
    // several Gaussian sketches per m, and record the worst pairwise distortion
    // max |ratio − 1| of each; the empirical m for a given ε is the smallest m on the grid whose
    // median worst distortion is at most ε.
    let grid = nb.options.pick(full: [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024],
                               quick: [16, 64, 256])
    let sweepTrials = nb.options.pick(full: 11, quick: 3)
    var medianWorst: [Double] = []
    for m in grid {
        var worst: [Double] = []
        for t in 0..<sweepTrials {
            let transform = try GaussianJL<Double>(inputDimension: d, sketchDimension: m,
                                                   seed: trialSeed(nb.seed, "sweep-\(m)", t))
            worst.append(pairRatios(points, try transform.apply(batch: points)).map { abs($0 - 1) }.max() ?? 0)
        }
        medianWorst.append(worst.sorted()[sweepTrials / 2])
    }
    let epsilons = [0.5, 0.35, 0.25]
    var boundRows: [[String]] = []
    var sweep = Plot(title: "Worst pairwise distortion, n = \(n), d = \(d)", xLabel: "sketch dimension m",
                     yLabel: "median of max |ratio − 1|", xScale: .log10, yScale: .log10, legendPosition: .bottomLeft)
    try sweep.line(x: grid.map(Double.init), y: medianWorst, label: "Gaussian S (median of \(sweepTrials))", markers: true)
    let theoryCurve = grid.map { (8 * log(Double(n)) / Double($0)).squareRoot() }
    try sweep.dashedLine(x: grid.map(Double.init), y: theoryCurve, label: "√(8 ln n / m)")
    for epsilon in epsilons {
        let bound = try johnsonLindenstraussMinimumDimension(sampleCount: n, epsilon: epsilon)
        let empirical = zip(grid, medianWorst).first { $0.1 <= epsilon }?.0
        boundRows.append([epsilon.fixed(2), "\(bound)", empirical.map { "\($0)" } ?? "> \(grid.last ?? 0)",
                          empirical.map { (Double(bound) / Double($0)).fixed(1) + "×" } ?? "—"])
        sweep.horizontalLine(at: epsilon, label: "ε = \(epsilon.fixed(2))")
    }
    nb.table(columns: ["ε", "formula m (n = \(n))", "empirical m (grid)", "formula / empirical"], rows: boundRows)
    try nb.figure(name: "dimension", svg: sweep.render(),
                  caption: "Median worst distortion against m; horizontal lines: the ε of the table.")
    let slope = log(medianWorst[medianWorst.count - 1] / medianWorst[0]) / log(Double(grid[grid.count - 1]) / Double(grid[0]))
    nb.markdown("""
        The worst distortion falls like m^\(slope.fixed(2)) on this grid (the lemma's rate is m^−0.5, \
        up to the √(ln n) union-bound factor drawn dashed). The formula is a worst-case bound with a \
        failure probability built in, so it asks for about \(boundRows.first?[3] ?? "—") more rows than \
        these \(n) points need at ε = \(epsilons[0].fixed(2)); it is safe, not tight.
        """)
    // %% [end]
}
