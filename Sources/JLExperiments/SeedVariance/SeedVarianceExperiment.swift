import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLPlot
import JLRandom
import JLStatistics
import JLTheory
import JLTransforms
import QJL

/// exp-seed-variance: the QJL metrics of one configuration repeated under many master seeds, to
/// show how much a reported number moves from seed to seed and that the spread matches theory.
///
/// A harness trial is one master seed; a block is `blockSize` consecutive seeds, so `--shard`
/// and `exp-merge` work unchanged. Seed s (0-based) and its inner trials:
/// ```
/// masterSeed_s = words 0,1 of RandomStream(seed).child("exp-seed-variance").child(s).block(0)
/// inner trial i: stream = RandomStream(seed: masterSeed_s).child("exp-seed-variance-inner").child(i)
///                S seed  = words 0,1 of stream.block(0)
/// per seed (T inner trials):  mean error ē_s = mean(est − <q,k>),  failure rate f_s = #{|est − <q,k>| > ε}/T,
///                             RMS logit error r_s = √(mean ‖â − a‖²/‖a‖²),  variance ratio v_s = s²_s/Var
/// theory: E ē_s = 0, sd(ē_s) = √(Var/T);  E f_s ≈ 2Φ̄(ε/√Var) (CLT);  E r_s² = Σ_j[(π/2)‖q‖²‖k_j‖² − a_j²]/(m Σ a_j²)
///         (Gaussian S, theory.md §2.8);  E v_s = 1, sd ≈ √(2/(T−1))
/// across seeds: Var_s(ē_s)/(Var/T) with the chi-square interval on S − 1 degrees of freedom
/// ```
/// q and all keys live in the first p = 8 coordinates of R^d, so a Gaussian S needs only its first
/// p columns, `RandomStream(seed).child("GaussianJL").gaussian(at: i·d + j)` (exactly those of
/// `GaussianJL(d, m, seed)`); other transforms are applied to the d-vectors.
public struct SeedVarianceExperiment: Experiment {
    public static let name = "exp-seed-variance"
    public static let blockSize = 1
    public static let defaultTrials = 20
    /// Coordinates spanned by the query and the keys.
    static let subspaceDimension = 8

    public var inputDimension: Int
    public var sketchDimension: Int
    /// A TransformKind spec.
    public var transform: String
    /// qjl-derived or qjl-paper.
    public var estimator: UnbiasednessEstimator
    /// Angle between q and k for the pair metrics, degrees.
    public var angleDegrees: Double
    /// ε of the failure event |est − <q,k>| > ε‖q‖‖k‖.
    public var epsilon: Double
    /// Inner trials T per master seed.
    public var trialsPerSeed: Int
    /// Keys in the logit metric.
    public var keyCount: Int
    /// Seed of the fixed vectors (independent of --seed).
    public var pairSeed: UInt64
    public var level: Double

    /// - Throws: `ExperimentError.invalidOption(_:)` for out-of-range values or an unknown transform.
    public init(inputDimension: Int = 128, sketchDimension: Int = 256, transform: String = "gaussian",
                estimator: UnbiasednessEstimator = .qjlDerived, angleDegrees: Double = 90, epsilon: Double = 0.1,
                trialsPerSeed: Int = 400, keyCount: Int = 16, pairSeed: UInt64 = UnbiasednessExperiment.defaultPairSeed,
                level: Double = 0.95) throws(ExperimentError) {
        guard inputDimension >= Self.subspaceDimension else {
            throw .invalidOption("--dimension must be ≥ \(Self.subspaceDimension) (q and the keys span 8 coordinates), got \(inputDimension)")
        }
        guard sketchDimension >= 1 else { throw .invalidOption("--sketch-dimension must be ≥ 1, got \(sketchDimension)") }
        guard inputDimension <= 1 << 14, sketchDimension <= 1 << 16 else {
            throw .invalidOption("--dimension ≤ 16384 and --sketch-dimension ≤ 65536, got d = \(inputDimension), m = \(sketchDimension)")
        }
        guard estimator == .qjlDerived || estimator == .qjlPaper else {
            throw .invalidOption("--estimator must be qjl-derived or qjl-paper, got \(estimator)")
        }
        guard angleDegrees.isFinite, angleDegrees >= 0, angleDegrees <= 180 else {
            throw .invalidOption("--angle must be in [0, 180] degrees, got \(angleDegrees)")
        }
        guard epsilon.isFinite, epsilon > 0 else { throw .invalidOption("--epsilon must be > 0, got \(epsilon)") }
        guard trialsPerSeed >= 2 else { throw .invalidOption("--trials-per-seed must be ≥ 2, got \(trialsPerSeed)") }
        guard keyCount >= 1, keyCount <= 4096 else { throw .invalidOption("--keys must be in 1…4096, got \(keyCount)") }
        guard level > 0, level < 1 else { throw .invalidOption("level must be in (0, 1), got \(level)") }
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
        self.transform = transform
        self.estimator = estimator
        self.angleDegrees = angleDegrees
        self.epsilon = epsilon
        self.trialsPerSeed = trialsPerSeed
        self.keyCount = keyCount
        self.pairSeed = pairSeed
        self.level = level
        _ = try UnbiasednessExperiment.rowLaw(spec: transform, inputDimension: inputDimension, sketchDimension: sketchDimension)
    }

    public var transformSpecs: [String] { [transform] }

    // MARK: Vectors

    /// (q, k, keys), all supported on the first 8 coordinates, ‖q‖ = ‖k‖ = 1, ∠(q,k) = θ; the
    /// logit keys are g_j/√8 with g_j ~ N(0, I_8) from `RandomStream(seed: pairSeed).child("SeedVarianceKeys")`.
    func vectors() -> (query: [Double], key: [Double], keys: [[Double]]) {
        let p = Self.subspaceDimension, d = inputDimension
        let pair = UnbiasednessPair.generic(angleDegrees: angleDegrees)
        let (small, smallKey) = pair.vectors(inputDimension: p, pairSeed: pairSeed)
        func embed(_ x: [Double]) -> [Double] { x + [Double](repeating: 0, count: d - p) }
        let stream = RandomStream(seed: pairSeed).child("SeedVarianceKeys")
        let keys = (0..<keyCount).map { j in
            embed(stream.gaussians(p, startingAt: UInt64(j * p), as: Double.self).map { $0 / Double(p).squareRoot() })
        }
        return (embed(small), embed(smallKey), keys)
    }

    // MARK: Running

    /// What one master seed produced.
    public struct SeedRecord: Codable, Sendable, Equatable {
        public var seedIndex: Int
        public var masterSeed: UInt64
        /// Moments of est − <q,k>.
        public var errors: EstimateMoments
        public var failures: Int
        /// Moments of ‖â − a‖²/‖a‖² over the logit keys.
        public var relativeErrorSquared: EstimateMoments
    }

    public func runBlock(_ block: TrialBlock) throws(ExperimentError) -> [SeedRecord] {
        switch block.precision {
        case .double: try run(block, as: Double.self)
        case .float: try run(block, as: Float.self)
        }
    }

    func run<Scalar: LinearAlgebraScalar>(_ block: TrialBlock, as type: Scalar.Type) throws(ExperimentError) -> [SeedRecord] {
        let d = inputDimension, m = sketchDimension, p = Self.subspaceDimension
        let kind = try UnbiasednessExperiment.parse(transform)
        let law = try UnbiasednessExperiment.rowLaw(spec: transform, inputDimension: d, sketchDimension: m)
        let constant = try UnbiasednessExperiment.qjlConstant(law, estimator, inputDimension: d, sketchDimension: m)
        let (q, k, keys) = vectors()
        let target = zip(q, k).reduce(0) { $0 + $1.0 * $1.1 }
        let logits = keys.map { key in zip(q, key).reduce(0) { $0 + $1.0 * $1.1 } }
        let logitNormSquared = logits.reduce(0) { $0 + $1 * $1 }
        let keyNorms = keys.map { key in key.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let all = [q, k] + keys
        let allScalar = all.map { $0.map { Scalar($0) } }
        let threshold = epsilon  // ‖q‖‖k‖ = 1
        var records: [SeedRecord] = []
        for seedIndex in block.trials {
            if block.isCancelled { break }
            let seedBlock = block.stream(forTrial: seedIndex).block(0)
            let masterSeed = UInt64(seedBlock.x) << 32 | UInt64(seedBlock.y)
            let root = RandomStream(seed: masterSeed).child("exp-seed-variance-inner")
            var record = SeedRecord(seedIndex: seedIndex, masterSeed: masterSeed, errors: EstimateMoments(),
                                    failures: 0, relativeErrorSquared: EstimateMoments())
            for inner in 0..<trialsPerSeed {
                let words = root.child(UInt64(inner)).block(0)
                let seed = UInt64(words.x) << 32 | UInt64(words.y)
                var projected: [[Scalar]]
                if kind == .gaussian {
                    // Columns 0..<p of GaussianJL(d, m, seed), then S·x = Σ_j x_j·column_j.
                    let stream = RandomStream(seed: seed).child(GaussianJL<Double>.streamLabel)
                    var columns = [Scalar](repeating: 0, count: m * p)  // row-major m×p
                    for i in 0..<m {
                        for j in 0..<p { columns[i * p + j] = Scalar(stream.gaussian(at: UInt64(i * d + j))) }
                    }
                    projected = allScalar.map { x in
                        (0..<m).map { i in
                            var sum: Scalar = 0
                            for j in 0..<p { sum += columns[i * p + j] * x[j] }
                            return sum
                        }
                    }
                } else {
                    do {
                        let sketch = try kind.make(inputDimension: d, sketchDimension: m, seed: seed, as: Scalar.self)
                        projected = []
                        for x in allScalar { projected.append(try sketch.apply(x)) }
                    } catch {
                        throw .experimentFailed("\(transform), seed \(seedIndex), trial \(inner): \(error.description)")
                    }
                }
                let estimate = UnbiasednessEstimator.estimate(
                    estimator, query: projected[0], key: projected[1], qjlConstant: constant, entrySecondMoment: 1)
                let error = estimate - target
                record.errors.add(error)
                if abs(error) > threshold { record.failures += 1 }
                var squaredError = 0.0
                for j in 0..<keys.count {
                    let logit = UnbiasednessEstimator.estimate(
                        estimator, query: projected[0], key: projected[2 + j], qjlConstant: constant,
                        entrySecondMoment: 1, keyNorm: keyNorms[j])
                    squaredError += (logit - logits[j]) * (logit - logits[j])
                }
                record.relativeErrorSquared.add(squaredError / logitNormSquared)
            }
            records.append(record)
        }
        return records
    }

    // MARK: Report

    /// One metric across seeds.
    public struct MetricSummary: Codable, Sendable, Equatable {
        public var metric: String
        /// Per-seed values, in seed order.
        public var values: [Double]
        public var theory: Double?
        /// The theoretical standard deviation of one seed's value, where known.
        public var expectedStandardDeviation: Double?
        public var mean: Double
        public var standardDeviation: Double
        public var minimum: Double
        public var maximum: Double
        public var worstSeedIndex: Int
        public var worstMasterSeed: UInt64
        /// Interval for the pooled quantity (all seeds' trials together) and whether theory is inside.
        public var pooledLower: Double?
        public var pooledUpper: Double?
        public var theoryInPooledInterval: Bool?
    }

    public struct Report: Codable, Sendable, Equatable {
        public var seeds: Int
        public var trialsPerSeed: Int
        public var exactVariance: Double?
        public var metrics: [MetricSummary]
        /// Var over seeds of the per-seed mean error / (Var/T), with its chi-square interval (S − 1 df).
        public var acrossSeedVarianceRatio: Double?
        public var acrossSeedVarianceLower: Double?
        public var acrossSeedVarianceUpper: Double?
        public var masterSeeds: [UInt64]
    }

    public func finalize(_ blocks: [[SeedRecord]], manifest: RunManifest) throws(ExperimentError) -> Report {
        let records = blocks.flatMap { $0 }
        guard records.count >= 2 else { throw .invalidOption("--seeds must be ≥ 2 to measure a spread across seeds, got \(records.count)") }
        let d = inputDimension, m = sketchDimension
        let law = try UnbiasednessExperiment.rowLaw(spec: transform, inputDimension: d, sketchDimension: m)
        let (q, k, keys) = vectors()
        let qjl = try? AsymmetricQJLEstimator(rowLaw: law, inputDimension: d, sketchDimension: m,
                                              constant: estimator == .qjlPaper ? .paper : .derived)
        let exactVariance = qjl?.variance(q: q, k: k).flatMap { $0 > 0 ? $0 : nil }
        let meanBias = qjl?.mean(q: q, k: k).map { $0 - zip(q, k).reduce(0) { $0 + $1.0 * $1.1 } }
        let t = Double(trialsPerSeed)
        var logitTheory: Double?
        if case .gaussian = law, estimator == .qjlPaper || (qjl?.isUnbiased ?? false) {
            let qq = q.reduce(0) { $0 + $1 * $1 }
            logitTheory = try? qjlExpectedRelativeScoreDistortion(
                queryNormSquared: qq, keyNormsSquared: keys.map { $0.reduce(0) { $0 + $1 * $1 } },
                innerProducts: keys.map { key in zip(q, key).reduce(0) { $0 + $1.0 * $1.1 } }, sketchDimension: m)
        }
        let failureTheory = exactVariance.map { 2 * StandardNormal.survival(epsilon / $0.squareRoot()) }

        var pooledErrors = EstimateMoments(), pooledRelative = EstimateMoments()
        for record in records {
            pooledErrors.merge(record.errors)
            pooledRelative.merge(record.relativeErrorSquared)
        }
        let totalFailures = records.reduce(0) { $0 + $1.failures }

        func summary(_ metric: String, _ values: [Double], theory: Double?, expectedSD: Double?,
                     worst: (Double) -> Double, pooled: ConfidenceInterval?, pooledTheory: Double?) -> MetricSummary {
            var moments = EstimateMoments()
            for value in values { moments.add(value) }
            let worstIndex = values.indices.max { worst(values[$0]) < worst(values[$1]) } ?? 0
            return MetricSummary(
                metric: metric, values: values, theory: theory, expectedStandardDeviation: expectedSD,
                mean: moments.mean, standardDeviation: moments.sampleVariance.squareRoot(),
                minimum: values.min() ?? .nan, maximum: values.max() ?? .nan,
                worstSeedIndex: records[worstIndex].seedIndex, worstMasterSeed: records[worstIndex].masterSeed,
                pooledLower: pooled?.lower, pooledUpper: pooled?.upper,
                theoryInPooledInterval: pooledTheory.flatMap { value in pooled.map { UnbiasednessExperiment.contains($0, value) } })
        }
        let n = pooledErrors.count
        let errorInterval = try? ConfidenceInterval.studentTMean(
            mean: pooledErrors.mean, standardDeviation: pooledErrors.sampleVariance.squareRoot(), count: n, level: level)
        let failureInterval = try? ConfidenceInterval.wilson(successes: totalFailures, trials: n, level: level)
        let relativeInterval = try? ConfidenceInterval.studentTMean(
            mean: pooledRelative.mean, standardDeviation: pooledRelative.sampleVariance.squareRoot(), count: n, level: level)
        // The RMS interval is the square root of the interval for the mean squared error.
        let rmsInterval = relativeInterval.map {
            ConfidenceInterval(lower: max(0, $0.lower).squareRoot(), upper: max(0, $0.upper).squareRoot(), level: level)
        }
        let varianceInterval = exactVariance.flatMap {
            UnbiasednessExperiment.varianceRatioInterval(pooledErrors, exactVariance: $0, level: level)
        }
        var metrics = [
            summary("mean error E[est]-<q,k>", records.map(\.errors.mean), theory: meanBias ?? (exactVariance != nil ? 0 : nil),
                    expectedSD: exactVariance.map { ($0 / t).squareRoot() }, worst: { abs($0) },
                    pooled: errorInterval, pooledTheory: meanBias),
            summary("failure rate P(|err|>eps)", records.map { Double($0.failures) / t }, theory: failureTheory,
                    expectedSD: failureTheory.map { ($0 * (1 - $0) / t).squareRoot() }, worst: { $0 },
                    pooled: failureInterval, pooledTheory: failureTheory),
            summary("RMS logit rel. error", records.map { $0.relativeErrorSquared.mean.squareRoot() },
                    theory: logitTheory.map { $0.squareRoot() }, expectedSD: nil, worst: { $0 },
                    pooled: rmsInterval, pooledTheory: logitTheory.map { $0.squareRoot() }),
        ]
        if let exactVariance {
            metrics.append(summary("Var[est] / Var_exact", records.map { $0.errors.sampleVariance / exactVariance }, theory: 1,
                                   expectedSD: (2 / (t - 1)).squareRoot(), worst: { abs($0 - 1) },
                                   pooled: varianceInterval, pooledTheory: 1))
        }
        var acrossRatio: Double?, acrossInterval: ConfidenceInterval?
        if let exactVariance {
            var means = EstimateMoments()
            for record in records { means.add(record.errors.mean) }
            acrossRatio = means.sampleVariance / (exactVariance / t)
            acrossInterval = try? ConfidenceInterval.varianceRatio(
                sampleVariance: means.sampleVariance, count: records.count, referenceVariance: exactVariance / t, level: level)
        }
        return Report(seeds: records.count, trialsPerSeed: trialsPerSeed, exactVariance: exactVariance, metrics: metrics,
                      acrossSeedVarianceRatio: acrossRatio, acrossSeedVarianceLower: acrossInterval?.lower,
                      acrossSeedVarianceUpper: acrossInterval?.upper, masterSeeds: records.map(\.masterSeed))
    }

    public func table(for report: Report, manifest: RunManifest) -> TextTable {
        let percent = Int((level * 100).rounded())
        var table = TextTable(columns: [
            .init("metric (per seed)", alignment: .left), .init("theory"), .init("mean"), .init("std"), .init("expected std"),
            .init("min"), .init("max"), .init("worst seed", alignment: .left), .init("pooled \(percent)% CI", alignment: .left),
            .init("theory in CI", alignment: .left),
        ])
        func f(_ x: Double?) -> String { x.map { NumberFormat.significant($0, digits: 4) } ?? "none" }
        for metric in report.metrics {
            table.append([
                metric.metric, f(metric.theory), f(metric.mean), f(metric.standardDeviation), f(metric.expectedStandardDeviation),
                f(metric.minimum), f(metric.maximum), "#\(metric.worstSeedIndex) (\(metric.worstMasterSeed))",
                metric.pooledLower.map { "[\(f($0)), \(f(metric.pooledUpper))]" } ?? "—",
                metric.theoryInPooledInterval.map { $0 ? "✓" : "✗" } ?? "—",
            ])
        }
        let check = report.acrossSeedVarianceLower.map { lower in
            lower <= 1 && 1 <= (report.acrossSeedVarianceUpper ?? .nan) ? "✓" : "✗"
        } ?? "—"
        table.append([
            "across seeds: Var(mean error)/(Var/T)", "1", f(report.acrossSeedVarianceRatio), "", "", "", "", "",
            report.acrossSeedVarianceLower.map { "[\(f($0)), \(f(report.acrossSeedVarianceUpper))]" } ?? "—", check,
        ])
        table.append(["", "", "", "", "", "", "", "", "", ""])
        table.append(["\(report.seeds) seeds × \(report.trialsPerSeed) trials", transform, "d = \(inputDimension)",
                      "m = \(sketchDimension)", "θ = \(NumberFormatShort.angle(angleDegrees))", "ε = \(epsilon)",
                      "Var_exact =", f(report.exactVariance), "", ""])
        return table
    }

    public func csv(for report: Report, manifest: RunManifest) -> CSVTable {
        var csv = CSVTable(header: ["seed_index", "master_seed"] + report.metrics.map(\.metric))
        for (index, seed) in report.masterSeeds.enumerated() {
            csv.append(["\(index)", "\(seed)"] + report.metrics.map { NumberFormat.significant($0.values[index], digits: 17) })
        }
        return csv
    }

    /// Two panels: per-seed mean error and failure rate as points, the theory as a dashed line and
    /// the ±1.96·(expected std) band where the per-seed values should fall 95 % of the time.
    public func plot(for report: Report, manifest: RunManifest) -> String? {
        var panels: [Plot] = []
        for metric in report.metrics.prefix(2) {
            let x = metric.values.indices.map { Double($0) }
            var plot = Plot(title: metric.metric, xLabel: "master seed index", yLabel: metric.metric,
                            width: 560, height: 420, legendPosition: .outsideRight)
            if let theory = metric.theory {
                if let sd = metric.expectedStandardDeviation {
                    try? plot.band(x: [x.first ?? 0, x.last ?? 1], lower: [theory - 1.96 * sd, theory - 1.96 * sd],
                                   upper: [theory + 1.96 * sd, theory + 1.96 * sd], label: "theory ± 1.96 sd", color: .skyBlue)
                }
                try? plot.dashedLine(x: [x.first ?? 0, x.last ?? 1], y: [theory, theory], label: "theory", color: .vermillion)
            }
            try? plot.scatter(x: x, y: metric.values, label: "per seed", color: .blue)
            panels.append(plot)
        }
        guard let figure = try? Figure(rows: 1, columns: panels.count, panels: panels,
                                       title: "exp-seed-variance: \(report.seeds) seeds × \(report.trialsPerSeed) trials")
        else { return nil }
        return figure.render()
    }
}
