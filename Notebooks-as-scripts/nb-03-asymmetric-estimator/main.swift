// nb-03-asymmetric-estimator: the QJL estimator's unbiasedness and exact variance, Gaussian vs
// orthogonal rows, and the √d bias with its χ fix. Run: swift run nb-03-asymmetric-estimator.
import Foundation
import JLLinearAlgebra
import JLNotebook
import JLPlot
import JLRandom
import JLStatistics
import JLTheory
import JLTransforms
import QJL

/// An independent transform seed per (label, trial), derived from the master seed.
func trialSeed(_ master: UInt64, _ label: String, _ trial: Int) -> UInt64 {
    let words = RandomStream(seed: master).child(label).child(UInt64(trial)).block(0)
    return UInt64(words.x) << 32 | UInt64(words.y)
}

/// Prod(q, kⱼ) for every key row j of `keys`, one sketch: (c/m)‖kⱼ‖⟨Sq, sign(Skⱼ)⟩.
func estimates<T: JLTransform<Double>>(query: [Double], keys: Matrix<Double>, transform: T,
                                       estimator: AsymmetricQJLEstimator) throws -> [Double] {
    let batch = try SignSketchBatch(keys: keys, transform: transform, normPrecision: .float32)
    let projected = try transform.apply(query)
    return try (0..<keys.rows).map { try estimator.estimate(projectedQuery: projected, keys: batch, index: $0) }
}

/// Mean over keys of Prod(kⱼ, kⱼ)/‖kⱼ‖² for one sketch (q = k: the estimator's mean factor).
func selfFactor<T: JLTransform<Double>>(keys: Matrix<Double>, transform: T, estimator: AsymmetricQJLEstimator) throws -> Double {
    let batch = try SignSketchBatch(keys: keys, transform: transform, normPrecision: .float32)
    let projected = try transform.apply(batch: keys)
    var sum = 0.0
    for j in 0..<keys.rows {
        sum += try estimator.estimate(projectedQuery: projected.row(j), keys: batch, index: j)
    }
    return sum / Double(keys.rows)
}

Notebook.main(name: "nb-03-asymmetric-estimator", title: "The asymmetric QJL estimator: mean, variance, and row laws") { nb in
    // %% [markdown]
    // QJL (Zandieh–Daliri–Han, arXiv 2406.03482, Definition 3.1) stores a key k as the m sign
    // bits of Sk plus its norm, and keeps the query's projection Sq unquantized:
    //
    // ```
    // Prod(q, k) = (√(π/2) / m) · ‖k‖ · ⟨Sq, sign(Sk)⟩
    // ```
    //
    // For Gaussian S it is unbiased (Lemma 3.2), and each row contributes an independent term
    // X = √(π/2)‖k‖(α|z₁| + βz₂ sign z₁) with α = ⟨q, k̂⟩, β² = ‖q‖² − α², z₁, z₂ iid N(0, 1).
    // That gives the exact variance (theory.md §2.1, `JLTheory.qjlGaussianMoments`)
    //
    // ```
    // Var Prod = ((π/2)‖q‖²‖k‖² − ⟨q, k⟩²) / m
    // ```
    //
    // ## 1. Unbiasedness and the exact variance, checked live
    //
    // ‖q‖ = 2, ‖k‖ = 1.5 and seven angles between them; every sketch scores all seven keys.
    let d = nb.options.pick(full: 128, quick: 32)
    let m = 2 * d
    let trials = nb.options.pick(full: 3000, quick: 150)
    let angles = (0...6).map { Double($0) * Double.pi / 6 }
    var query = [Double](repeating: 0, count: d)
    query[0] = 2
    let keys = try Matrix<Double>(rowVectors: angles.map { theta in
        var key = [Double](repeating: 0, count: d)
        key[0] = 1.5 * cos(theta)
        key[1] = 1.5 * sin(theta)
        return key
    })
    let estimator = try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: d, sketchDimension: m)
    var moments = [RunningMoments](repeating: RunningMoments(), count: angles.count)
    for t in 0..<trials {
        let sketch = try GaussianJL<Double>(inputDimension: d, sketchDimension: m, seed: trialSeed(nb.seed, "angles", t))
        for (j, value) in try estimates(query: query, keys: keys, transform: sketch, estimator: estimator).enumerated() {
            try moments[j].add(value)
        }
    }
    // %% [hide]
    var rows: [[String]] = []
    var ratioLower: [Double] = [], ratioUpper: [Double] = [], ratioCenter: [Double] = []
    var worstZ = 0.0, ratiosInside = 0
    for (j, theta) in angles.enumerated() {
        let geometry = try InnerProductGeometry(queryNorm: 2, keyNorm: 1.5, cosine: cos(theta))
        let exact = try qjlGaussianMoments(geometry, sketchDimension: m)
        let sample = moments[j]
        let z = (sample.mean - exact.mean) / (exact.variance / Double(trials)).squareRoot()
        worstZ = max(worstZ, abs(z))
        let ratio = try ConfidenceInterval.varianceRatio(sampleVariance: sample.sampleVariance ?? 0, count: trials,
                                                         referenceVariance: exact.variance, level: 0.99)
        if ratio.contains(1) { ratiosInside += 1 }
        ratioLower.append(ratio.lower)
        ratioUpper.append(ratio.upper)
        ratioCenter.append((sample.sampleVariance ?? 0) / exact.variance)
        rows.append([(theta / Double.pi).fixed(3) + "π", exact.mean.fixed(4), sample.mean.fixed(4), z.fixed(2),
                     exact.variance.fixed(5), (sample.sampleVariance ?? 0).fixed(5),
                     "[\(ratio.lower.fixed(3)), \(ratio.upper.fixed(3))]"])
    }
    nb.table(columns: ["θ", "⟨q, k⟩", "mean of Prod", "z", "exact Var", "measured Var", "Var ratio, 99 % interval"],
             rows: rows, caption: "Gaussian S, d = \(d), m = \(m), \(trials) sketches; z = (mean − ⟨q,k⟩)/(exact sd/√trials)")
    nb.markdown("""
        Every mean is within |z| ≤ \(worstZ.fixed(2)) of ⟨q, k⟩, and \(ratiosInside) of \(angles.count) \
        variance-ratio intervals (χ² intervals at 99 %) contain 1. The variance is largest when q ⟂ k \
        ((π/2)·\((4 * 2.25).fixed(2))/m = \((Double.pi / 2 * 9 / Double(m)).fixed(5))) and smallest, but not zero, when q ∥ k \
        ((π/2 − 1)·\((4 * 2.25).fixed(2))/m = \(((Double.pi / 2 - 1) * 9 / Double(m)).fixed(5))): even a key's own \
        direction is estimated with noise, because |z₁| is random.
        """)
    var variancePlot = Plot(title: "Measured / exact variance (Gaussian S, d = \(d), m = \(m))", xLabel: "angle θ between q and k (radians)",
                            yLabel: "measured Var / exact Var")
    try variancePlot.errorBars(x: angles, lower: ratioLower, upper: ratioUpper, center: ratioCenter, label: "99 % χ² interval")
    variancePlot.horizontalLine(at: 1.0, label: "exact")
    var exactPlot = Plot(title: "Exact variance × m", xLabel: "angle θ (radians)", yLabel: "m · Var Prod")
    let dense = stride(from: 0.0, through: Double.pi, by: Double.pi / 60).map { $0 }
    try exactPlot.line(x: dense, y: dense.map { (Double.pi / 2) * 9 - 9 * cos($0) * cos($0) }, label: "(π/2)‖q‖²‖k‖² − ⟨q,k⟩²")
    try exactPlot.scatter(x: angles, y: moments.map { ($0.sampleVariance ?? 0) * Double(m) }, label: "measured")
    try nb.figure(name: "variance", svg: Figure(rows: 1, columns: 2, panels: [exactPlot, variancePlot]).render(),
                  caption: "Left: m·Var against θ, closed form and Monte Carlo. Right: their ratio with 99 % intervals.")

    // %% [markdown]
    // ## 2. Gaussian against orthogonal rows
    //
    // The official QJL code orthogonalizes S in blocks of d rows (QR of a Gaussian matrix) and
    // scales every row to length √d (`OrthogonalJL`, `.sqrtD`). Within a block the rows are
    // dependent, which cuts the variance a lot, but the closed form (theory.md §2.3,
    // `JLTheory.qjlOrthogonalMoments`) is not monotone in m: a partial last block of r < d
    // rows has a large per-row cost, so m = 1.5d can be *worse* than m = d.
    // Here q = k, a unit vector; the estimator uses the paper's constant √(π/2) for both.
    let multiples = [0.5, 1, 1.5, 2, 3, 4]
    let sweep = multiples.map { Int($0 * Double(d)) }
    let sweepTrials = nb.options.pick(full: 1500, quick: 60)
    let unit = [1.0] + [Double](repeating: 0, count: d - 1)
    let unitKey = try Matrix<Double>(rowVectors: [unit])
    let geometry = try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: 1)
    var gaussianMC: [RunningMoments] = [], orthogonalMC: [RunningMoments] = []
    for sketchDimension in sweep {
        var g = RunningMoments(), o = RunningMoments()
        let paper = try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: d, sketchDimension: sketchDimension)
        let orthogonalEstimator = try AsymmetricQJLEstimator(
            rowLaw: .haar(length: Double(d).squareRoot()), inputDimension: d, sketchDimension: sketchDimension, constant: .paper)
        for t in 0..<sweepTrials {
            let gaussian = try GaussianJL<Double>(inputDimension: d, sketchDimension: sketchDimension,
                                                  seed: trialSeed(nb.seed, "sweep-g-\(sketchDimension)", t))
            let orthogonal = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: sketchDimension,
                                                      seed: trialSeed(nb.seed, "sweep-o-\(sketchDimension)", t))
            try g.add(try estimates(query: unit, keys: unitKey, transform: gaussian, estimator: paper)[0])
            try o.add(try estimates(query: unit, keys: unitKey, transform: orthogonal, estimator: orthogonalEstimator)[0])
        }
        gaussianMC.append(g)
        orthogonalMC.append(o)
    }
    // %% [hide]
    var sweepRows: [[String]] = []
    for (index, sketchDimension) in sweep.enumerated() {
        let gaussianExact = try qjlGaussianMoments(geometry, sketchDimension: sketchDimension).standardDeviation
        let orthogonalExact = try qjlOrthogonalMoments(geometry, inputDimension: d, sketchDimension: sketchDimension,
                                                       scaling: .sqrtD).standardDeviation
        let perpendicular = try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: 0)
        let orthogonalPerp = try qjlOrthogonalMoments(perpendicular, inputDimension: d, sketchDimension: sketchDimension,
                                                      scaling: .sqrtD).standardDeviation
        sweepRows.append(["\(sketchDimension)", gaussianExact.fixed(5), (gaussianMC[index].sampleStandardDeviation ?? 0).fixed(5),
                          orthogonalExact.fixed(5), (orthogonalMC[index].sampleStandardDeviation ?? 0).fixed(5),
                          orthogonalPerp.fixed(5)])
    }
    nb.table(columns: ["m", "Gaussian sd (exact)", "Gaussian sd (MC)", "orthogonal sd (exact)", "orthogonal sd (MC)", "orthogonal sd, q ⟂ k (exact)"],
             rows: sweepRows, caption: "sd of Prod(q, k), unit q = k (last column: unit q ⟂ k), d = \(d), \(sweepTrials) sketches per m")
    var sweepPlot = Plot(title: "QJL standard deviation, q = k unit, d = \(d)", xLabel: "sketch dimension m", yLabel: "sd of Prod",
                         xScale: .log10, yScale: .log10)
    let denseM = Array(stride(from: max(4, d / 8), through: 4 * d, by: max(1, d / 32)))
    try sweepPlot.dashedLine(x: denseM.map(Double.init),
                             y: try denseM.map { try qjlGaussianMoments(geometry, sketchDimension: $0).standardDeviation },
                             label: "Gaussian, exact √((π/2 − 1)/m)")
    try sweepPlot.line(x: denseM.map(Double.init),
                       y: try denseM.map { try qjlOrthogonalMoments(geometry, inputDimension: d, sketchDimension: $0, scaling: .sqrtD).standardDeviation },
                       label: "orthogonal √d rows, exact")
    try sweepPlot.scatter(x: sweep.map(Double.init), y: gaussianMC.map { $0.sampleStandardDeviation ?? 0 }, label: "Gaussian, Monte Carlo")
    try sweepPlot.scatter(x: sweep.map(Double.init), y: orthogonalMC.map { $0.sampleStandardDeviation ?? 0 }, label: "orthogonal, Monte Carlo")
    try nb.figure(name: "gaussian-vs-orthogonal", svg: sweepPlot.render(),
                  caption: "Exact curves and Monte Carlo points; the orthogonal curve has a saw-tooth with teeth at multiples of d.")
    let at = { (multiple: Double) in sweep.firstIndex(of: Int(multiple * Double(d))) ?? 0 }
    let sd = { (index: Int) in try qjlOrthogonalMoments(geometry, inputDimension: d, sketchDimension: sweep[index], scaling: .sqrtD).standardDeviation }
    nb.markdown("""
        At d = \(d): orthogonal rows give sd \(try sd(at(1)).fixed(5)) at m = \(sweep[at(1)]), \
        **\(try sd(at(1.5)).fixed(5))** at m = \(sweep[at(1.5)]) and \(try sd(at(2)).fixed(5)) at m = \(sweep[at(2)]) \
        (Monte Carlo \(orthogonalMC[at(1)].sampleStandardDeviation?.fixed(5) ?? "—"), \
        \(orthogonalMC[at(1.5)].sampleStandardDeviation?.fixed(5) ?? "—"), \
        \(orthogonalMC[at(2)].sampleStandardDeviation?.fixed(5) ?? "—")): adding half a block of rows *raises* \
        the error. At m = d the orthogonal sd is \((try qjlGaussianMoments(geometry, sketchDimension: d).standardDeviation / sd(at(1))).fixed(2))× \
        smaller than the Gaussian one, so whole blocks are the sizes to use.
        """)

    // %% [markdown]
    // ## 3. The √d bias and the χ fix
    //
    // A Haar row of length √d is not a Gaussian row: its length is fixed, while a Gaussian row's
    // length is χ_d with mean E[χ_d] < √d. With the paper's constant, the orthogonal estimator's
    // mean is therefore c_d·⟨q, k⟩ with (theory.md §2.3, `JLTheory.orthogonalScalingBias`)
    //
    // ```
    // c_d = √d / E[χ_d] = √(d/2) · Γ(d/2) / Γ((d+1)/2) ≈ 1 + 1/(4d)
    // ```
    //
    // Three fixes are unbiased: give each row an independent χ_d length (orthogonal random
    // features, Yu et al. 2016, arXiv 1610.09072: rows become marginally exactly N(0, I_d)),
    // use length E[χ_d] for every row, or keep √d rows and use the constant 1/(√d·μ_d)
    // (`AsymmetricQJLEstimator`'s `.derived` constant). Below: per sketch, the average of
    // Prod(k, k)/‖k‖² over random unit keys; intervals are 99 % Student-t over sketches.
    let dimensions = nb.options.pick(full: [16, 32, 64, 128], quick: [16, 32])
    let sketches = nb.options.pick(full: 400, quick: 20)
    let keysPerSketch = nb.options.pick(full: 64, quick: 16)
    let variants: [(name: String, kind: TransformKind, constant: AsymmetricQJLEstimator.ConstantChoice)] = [
        ("Gaussian, √(π/2)", .gaussian, .paper),
        ("orthogonal √d rows, √(π/2) (official code)", .orthogonal(.sqrtD), .paper),
        ("orthogonal √d rows, derived constant", .orthogonal(.sqrtD), .derived),
        ("orthogonal χ_d rows (ORF), √(π/2)", .orthogonal(.chi), .paper),
        ("orthogonal E[χ_d] rows, √(π/2)", .orthogonal(.expectedChi), .paper),
    ]
    var factors: [String: RunningMoments] = [:]
    for dimension in dimensions {
        let sketchDimension = 2 * dimension
        for variant in variants {
            var moments = RunningMoments()
            for s in 0..<sketches {
                let stream = RandomStream(seed: nb.seed).child("keys-\(dimension)").child(UInt64(s))
                let keys = try Matrix<Double>(rowVectors: (0..<keysPerSketch).map { j in
                    let g = stream.gaussians(dimension, startingAt: UInt64(j * dimension), as: Double.self)
                    let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    return g.map { $0 / norm }
                })
                let transform = try variant.kind.make(inputDimension: dimension, sketchDimension: sketchDimension,
                                                      seed: trialSeed(nb.seed, "bias-\(dimension)", s), as: Double.self)
                let estimator = try AsymmetricQJLEstimator(transform: transform, constant: variant.constant)
                try moments.add(try selfFactor(keys: keys, transform: transform, estimator: estimator))
            }
            factors["\(variant.name)-\(dimension)"] = moments
        }
    }
    // %% [hide]
    let largest = dimensions.last ?? 16
    var biasRows: [[String]] = []
    for variant in variants {
        let moments = factors["\(variant.name)-\(largest)"] ?? RunningMoments()
        let transform = try variant.kind.make(inputDimension: largest, sketchDimension: 2 * largest, seed: 0, as: Double.self)
        let exact = try AsymmetricQJLEstimator(transform: transform, constant: variant.constant).meanFactor ?? .nan
        let interval = try ConfidenceInterval.studentTMean(mean: moments.mean, standardDeviation: moments.sampleStandardDeviation ?? 0,
                                                           count: moments.count, level: 0.99)
        biasRows.append([variant.name, exact.fixed(6), moments.mean.fixed(6),
                         "[\(interval.lower.fixed(6)), \(interval.upper.fixed(6))]", interval.contains(exact) ? "yes" : "no",
                         interval.contains(1) ? "yes" : "no"])
    }
    nb.table(columns: ["rows, constant", "exact E Prod/⟨q,k⟩", "measured", "99 % interval", "exact inside?", "1 inside?"],
             rows: biasRows, caption: "Mean factor at d = \(largest), m = \(2 * largest): \(sketches) sketches × \(keysPerSketch) unit keys, q = k")
    let cLargest = try orthogonalScalingBias(inputDimension: largest)
    let resolved = biasRows[1][5] == "no"
    let fixesCentred = [2, 3, 4].filter { biasRows[$0][5] == "yes" }.count
    nb.markdown("""
        At d = \(largest) the official code's estimator overshoots by c_\(largest) − 1 = \((cLargest - 1).scientific(3)) \
        (1/(4d) = \((0.25 / Double(largest)).scientific(3))); \
        \(resolved ? "the measurement resolves it (1 lies outside its interval)" : "this run is too small to separate it from 1"), \
        and \(fixesCentred) of the 3 fixes have 1 inside their intervals. The bias is small, but it is systematic: unlike the variance, it does not average away \
        over keys, heads or layers.
        """)
    var biasPlot = Plot(title: "Mean factor E Prod / ⟨q, k⟩ against d (m = 2d)", xLabel: "input dimension d",
                        yLabel: "E Prod / ⟨q, k⟩", xScale: .log10, legendPosition: .topRight)
    let denseD = Array(stride(from: 8, through: 256, by: 2))
    try biasPlot.dashedLine(x: denseD.map(Double.init), y: try denseD.map { try orthogonalScalingBias(inputDimension: $0) },
                            label: "exact c_d = √d / E[χ_d]")
    let shown = [(variants[1], 0.97, "√d rows, √(π/2) (official code)"), (variants[3], 1.0, "χ_d rows (ORF), √(π/2)"),
                 (variants[2], 1.03, "√d rows, derived constant")]
    for (variant, offset, label) in shown {
        let ms = dimensions.map { factors["\(variant.name)-\($0)"] ?? RunningMoments() }
        let half = try ms.map { moments in
            let interval = try ConfidenceInterval.studentTMean(mean: moments.mean, standardDeviation: moments.sampleStandardDeviation ?? 0,
                                                               count: moments.count, level: 0.99)
            return interval.upper - moments.mean
        }
        try biasPlot.errorBars(x: dimensions.map { Double($0) * offset }, lower: zip(ms, half).map { $0.mean - $1 },
                               upper: zip(ms, half).map { $0.mean + $1 }, center: ms.map(\.mean), label: label)
    }
    biasPlot.horizontalLine(at: 1.0, label: "unbiased")
    try nb.figure(name: "sqrt-d-bias", svg: biasPlot.render(),
                  caption: "Measured mean factors with 99 % intervals (points nudged sideways to stay apart) and the exact c_d.")
    // %% [end]
}
