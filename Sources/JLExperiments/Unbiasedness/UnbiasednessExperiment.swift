import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLPlot
import JLStatistics
import JLTheory
import JLTransforms
import QJL

/// One row of exp-unbiasedness: a transform spec, an estimator and a unit pair.
public struct UnbiasednessCase: Codable, Sendable, Hashable {
    /// A `JLTransforms.TransformKind` spec, e.g. `orthogonal-sqrtd`.
    public var transform: String
    /// The estimator.
    public var estimator: UnbiasednessEstimator
    /// The query/key pair.
    public var pair: UnbiasednessPair

    public init(transform: String, estimator: UnbiasednessEstimator, pair: UnbiasednessPair) {
        self.transform = transform
        self.estimator = estimator
        self.pair = pair
    }
}

/// exp-unbiasedness: E[est] against ⟨q,k⟩ with a confidence interval, per (transform and row
/// scaling, estimator, pair), next to the closed-form mean and variance where one exists.
///
/// Trial t draws one S per transform from `RandomStream(seed).child("exp-unbiasedness").child(t)
/// .child(spec)` and evaluates every row of that transform on it. Per row, over n trials:
/// ```
/// ⟨q,k⟩ ≠ 0:  R = mean(est)/⟨q,k⟩,  CI = R ± t_{0.975,n−1}·s/(√n·|⟨q,k⟩|),  reference 1
/// ⟨q,k⟩ = 0:  B = mean(est),         CI = B ± t_{0.975,n−1}·s/√n,              reference 0
/// detectable = t_{0.975,n−1}·SE  (a true bias of this size is detected with ≈ 50 % power)
/// verdict: "biased (detected)" if the reference lies outside the CI, else "unbiased (consistent)"
/// theory ✓ if the closed-form mean (ratio) lies inside the CI
/// Var ratio = s²/Var_exact with the chi-square interval [(n−1)s²/χ²_{0.975}, (n−1)s²/χ²_{0.025}]/Var_exact
/// ```
/// Closed forms (theory.md §2): Gaussian QJL E = ⟨q,k⟩, Var = ((π/2)‖q‖²‖k‖² − ⟨q,k⟩²)/m;
/// √d-orthogonal rows E = c_d⟨q,k⟩, c_d = √(d/2)Γ(d/2)/Γ((d+1)/2) (§2.3); SimHash
/// E = Re[(1 − p + p e^{iπ/m})^m] (§2.7); SRHT ±1 rows E = √(π/2)⟨q,k⟩ for k = e₁ and
/// √(π/2)E|S_d|/√d·⟨q,k⟩ for the flat key (§2.5); sparse-s rows E = √(π/2)·√(s/m)⟨q,k⟩ for
/// k = e₁ (derived here: E|s₁| = (s/m)√(m/s), and rows with s₁ = 0 contribute −⟨s,q⟩, mean 0).
public struct UnbiasednessExperiment: Experiment {
    public static let name = "exp-unbiasedness"
    public static let blockSize = 50
    public static let defaultTrials = 4000

    /// Input dimension d (≥ 2).
    public var inputDimension: Int
    /// Sketch dimension m (≥ 1).
    public var sketchDimension: Int
    /// The rows, in table order.
    public var cases: [UnbiasednessCase]
    /// Seed of the fixed generic pair (not `--seed`: the pair is part of the question, not the noise).
    public var pairSeed: UInt64
    /// Whether Gaussian/orthogonal rows use the exact-in-law rotation shortcut (the internal `UnbiasednessSampling`).
    public var rotationShortcut: Bool
    /// Two-sided confidence level of every interval.
    public var level: Double

    /// The default transforms: every family and orthogonal row scaling.
    public static let defaultTransforms = [
        "gaussian", "orthogonal-sqrtd", "orthogonal-chi", "orthogonal-expectedchi", "srht", "gaussian-hd", "sparse-4",
    ]
    /// The default angles θ in degrees (q ∥ k, 60°, q ⟂ k).
    public static let defaultAngles: [Double] = [0, 60, 90]
    /// The default pair seed.
    public static let defaultPairSeed: UInt64 = 2_406_03482

    /// Validates and stores the parameters.
    /// - Throws: `ExperimentError.invalidOption(_:)` for d < 2, m < 1, no cases, an unknown or
    ///   unbuildable transform, an angle outside [0°, 180°], or a level outside (0, 1).
    public init(inputDimension: Int = 128, sketchDimension: Int = 128, cases: [UnbiasednessCase],
                pairSeed: UInt64 = UnbiasednessExperiment.defaultPairSeed, rotationShortcut: Bool = true,
                level: Double = 0.95) throws(ExperimentError) {
        guard inputDimension >= 2 else { throw .invalidOption("--dimension must be ≥ 2 (pairs use e₁ and e₂), got \(inputDimension)") }
        guard sketchDimension >= 1 else { throw .invalidOption("--sketch-dimension must be ≥ 1, got \(sketchDimension)") }
        guard !cases.isEmpty else { throw .invalidOption("no rows to run: give at least one transform, estimator and angle") }
        guard level > 0, level < 1 else { throw .invalidOption("confidence level must be in (0, 1), got \(level)") }
        for row in cases {
            let angle = row.pair.angleDegrees
            guard angle.isFinite, angle >= 0, angle <= 180 else {
                throw .invalidOption("--angles: \(angle) is outside [0, 180] degrees")
            }
        }
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
        self.cases = cases
        self.pairSeed = pairSeed
        self.rotationShortcut = rotationShortcut
        self.level = level
        for spec in transformSpecs { _ = try Self.rowLaw(spec: spec, inputDimension: inputDimension, sketchDimension: sketchDimension) }
    }

    /// The default rows for the given transforms, estimators and angles:
    /// - every transform × applicable estimator × `generic(θ)` for each angle;
    /// - QJL also at `basisKey(60°)` and `flatKey(0°)` for transforms that are not rotation
    ///   invariant (SRHT, sparse, GaussianHD), where those keys matter;
    /// - `qjl-derived` only where its constant differs from the paper's √(π/2) (haar rows of a
    ///   fixed length other than E[χ_d]); `simhash` and `jl` only for plain Gaussian S (their
    ///   closed forms need iid Gaussian rows).
    /// - Throws: `ExperimentError.invalidOption(_:)` for an unknown transform spec.
    public static func defaultCases(
        transforms: [String] = defaultTransforms, estimators: [UnbiasednessEstimator] = UnbiasednessEstimator.allCases,
        angles: [Double] = defaultAngles, inputDimension d: Int = 128, sketchDimension m: Int = 128
    ) throws(ExperimentError) -> [UnbiasednessCase] {
        var cases: [UnbiasednessCase] = []
        for spec in transforms {
            let kind = try parse(spec)
            let law = try rowLaw(spec: spec, inputDimension: d, sketchDimension: m)
            let paper = try qjlConstant(law, .qjlPaper, inputDimension: d, sketchDimension: m)
            let derived = try qjlConstant(law, .qjlDerived, inputDimension: d, sketchDimension: m)
            var chosen: [UnbiasednessEstimator] = []
            for estimator in estimators {
                switch estimator {
                case .qjlPaper: chosen.append(estimator)
                case .qjlDerived:
                    if abs(paper - derived) > 1e-12 || !estimators.contains(.qjlPaper) { chosen.append(estimator) }
                case .simhash, .jl:
                    if kind == .gaussian { chosen.append(estimator) }
                }
            }
            for estimator in chosen {
                for angle in angles { cases.append(UnbiasednessCase(transform: spec, estimator: estimator, pair: .generic(angleDegrees: angle))) }
                if !UnbiasednessSampling.isRotationInvariant(kind), estimator == .qjlPaper || estimator == .qjlDerived {
                    cases.append(UnbiasednessCase(transform: spec, estimator: estimator, pair: .basisKey(angleDegrees: 60)))
                    cases.append(UnbiasednessCase(transform: spec, estimator: estimator, pair: .flatKey(angleDegrees: 0)))
                }
            }
        }
        return cases
    }

    /// The distinct transform specs, in first-use order.
    public var transformSpecs: [String] {
        var seen: [String] = []
        for row in cases where !seen.contains(row.transform) { seen.append(row.transform) }
        return seen
    }

    // MARK: Helpers shared with exp-seed-variance

    static func parse(_ spec: String) throws(ExperimentError) -> TransformKind {
        do { return try TransformKind(parsing: spec) } catch { throw .invalidOption("--transforms: \(error.description)") }
    }

    /// The row law of `spec` at (d, m), from a built transform (the library's own mapping).
    static func rowLaw(spec: String, inputDimension d: Int, sketchDimension m: Int) throws(ExperimentError) -> RowLaw {
        let kind = try parse(spec)
        do {
            return try kind.make(inputDimension: d, sketchDimension: m, seed: 0, as: Double.self).rowLaw
        } catch {
            throw .invalidOption("transform '\(spec)' at d = \(d), m = \(m): \(error.description)")
        }
    }

    /// The QJL constant c for a row law and constant choice (1 for the non-QJL estimators).
    static func qjlConstant(_ law: RowLaw, _ estimator: UnbiasednessEstimator, inputDimension d: Int,
                            sketchDimension m: Int) throws(ExperimentError) -> Double {
        let choice: AsymmetricQJLEstimator.ConstantChoice
        switch estimator {
        case .qjlDerived: choice = .derived
        case .qjlPaper: choice = .paper
        case .simhash, .jl: return 1
        }
        do {
            return try AsymmetricQJLEstimator(rowLaw: law, inputDimension: d, sketchDimension: m, constant: choice).constant
        } catch {
            throw .invalidOption("QJL estimator at d = \(d), m = \(m): \(error.description)")
        }
    }

    static func entrySecondMoment(_ law: RowLaw, inputDimension d: Int, sketchDimension m: Int) -> Double {
        (try? UnquantizedJLEstimator(rowLaw: law, inputDimension: d, sketchDimension: m).entrySecondMoment) ?? 1
    }

    // MARK: Running

    public typealias Accumulator = [EstimateMoments]

    /// The trials of one transform: its rows and the pairs they need.
    struct TransformGroup {
        var spec: String
        var kind: TransformKind
        var pairs: [UnbiasednessPair]
        var vectors: [(query: [Double], key: [Double])]
        /// (case index, pair index, estimator, QJL constant).
        var rows: [(caseIndex: Int, pairIndex: Int, estimator: UnbiasednessEstimator, constant: Double)]
        var entrySecondMoment: Double
    }

    func groups() throws(ExperimentError) -> [TransformGroup] {
        var groups: [TransformGroup] = []
        for spec in transformSpecs {
            let kind = try Self.parse(spec)
            let law = try Self.rowLaw(spec: spec, inputDimension: inputDimension, sketchDimension: sketchDimension)
            var group = TransformGroup(spec: spec, kind: kind, pairs: [], vectors: [], rows: [],
                                       entrySecondMoment: Self.entrySecondMoment(law, inputDimension: inputDimension, sketchDimension: sketchDimension))
            for (index, row) in cases.enumerated() where row.transform == spec {
                let pairIndex: Int
                if let existing = group.pairs.firstIndex(of: row.pair) {
                    pairIndex = existing
                } else {
                    pairIndex = group.pairs.count
                    group.pairs.append(row.pair)
                    group.vectors.append(row.pair.vectors(inputDimension: inputDimension, pairSeed: pairSeed))
                }
                let constant = try Self.qjlConstant(law, row.estimator, inputDimension: inputDimension, sketchDimension: sketchDimension)
                group.rows.append((index, pairIndex, row.estimator, constant))
            }
            groups.append(group)
        }
        return groups
    }

    public func runBlock(_ block: TrialBlock) throws(ExperimentError) -> [EstimateMoments] {
        switch block.precision {
        case .double: try run(block, as: Double.self)
        case .float: try run(block, as: Float.self)
        }
    }

    func run<Scalar: LinearAlgebraScalar>(_ block: TrialBlock, as type: Scalar.Type) throws(ExperimentError) -> [EstimateMoments] {
        let groups = try groups()
        let vectors = groups.map { group in
            group.vectors.map { (query: $0.query.map { Scalar($0) }, key: $0.key.map { Scalar($0) }) }
        }
        var moments = [EstimateMoments](repeating: EstimateMoments(), count: cases.count)
        for trial in block.trials {
            if block.isCancelled { break }
            let stream = block.stream(forTrial: trial)
            for (groupIndex, group) in groups.enumerated() {
                let seed = UnbiasednessSampling.transformSeed(trialStream: stream, spec: group.spec)
                let projected: [ProjectedPair<Scalar>]
                do {
                    projected = try UnbiasednessSampling.project(
                        kind: group.kind, inputDimension: inputDimension, sketchDimension: sketchDimension, seed: seed,
                        pairs: group.pairs, vectors: vectors[groupIndex], shortcut: rotationShortcut)
                } catch {
                    throw .experimentFailed("\(group.spec), trial \(trial): \(error.description)")
                }
                for row in group.rows {
                    let pair = projected[row.pairIndex]
                    moments[row.caseIndex].add(UnbiasednessEstimator.estimate(
                        row.estimator, query: pair.query, key: pair.key, qjlConstant: row.constant,
                        entrySecondMoment: group.entrySecondMoment))
                }
            }
        }
        return moments
    }

    // MARK: Theory

    /// The closed-form mean factor f with E[est] = f·⟨q,k⟩ (SimHash: E[est]/⟨q,k⟩, or E[est]
    /// itself when ⟨q,k⟩ = 0) and the exact variance of a row, where they exist.
    func theory(for row: UnbiasednessCase) throws(ExperimentError) -> (meanFactor: Double?, variance: Double?) {
        let d = inputDimension, m = sketchDimension
        let law = try Self.rowLaw(spec: row.transform, inputDimension: d, sketchDimension: m)
        let (q, k) = row.pair.vectors(inputDimension: d, pairSeed: pairSeed)
        let paperConstant = (Double.pi / 2).squareRoot()
        switch row.estimator {
        case .qjlDerived, .qjlPaper:
            let estimator: AsymmetricQJLEstimator
            do {
                estimator = try AsymmetricQJLEstimator(rowLaw: law, inputDimension: d, sketchDimension: m,
                                                       constant: row.estimator == .qjlPaper ? .paper : .derived)
            } catch { throw .invalidOption(error.description) }
            if let factor = estimator.meanFactor {
                return (factor, estimator.variance(q: q, k: k))
            }
            let scale = estimator.constant / paperConstant
            switch (law, row.pair) {
            case (.rademacher, .basisKey):
                return (srhtBasisKeyMeanFactor * scale, nil)
            case (.rademacher, .flatKey):
                return ((try? srhtAllEqualKeyMeanFactor(inputDimension: d)).map { $0 * scale }, nil)
            case let (.sparseSign(s, sketch), .basisKey):
                return (estimator.constant * (Double(s) / Double(sketch)).squareRoot(), nil)
            default:
                return (nil, nil)
            }
        case .simhash:
            guard case .gaussian = law else { return (nil, nil) }
            let theta = row.pair.angleDegrees * Double.pi / 180
            guard let moments = try? symmetricSimHashMoments(queryNorm: 1, keyNorm: 1, angle: theta, sketchDimension: m)
            else { return (nil, nil) }
            let target = row.pair.innerProduct
            return (target == 0 ? moments.mean : moments.mean / target, moments.variance)
        case .jl:
            guard let estimator = try? UnquantizedJLEstimator(rowLaw: law, inputDimension: d, sketchDimension: m) else { return (nil, nil) }
            var variance = estimator.variance(q: q, k: k)
            if case .gaussian = law, let geometry = try? InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: row.pair.innerProduct) {
                variance = (try? unquantizedJLInnerProductMoments(geometry, sketchDimension: m))?.variance ?? variance
            }
            return (1, variance)
        }
    }

    // MARK: Report

    /// One finished row.
    public struct Row: Codable, Sendable, Equatable {
        public var transform: String
        public var rowLaw: String
        public var estimator: String
        public var qjlConstant: Double?
        public var pair: String
        public var innerProduct: Double
        /// `"E[est]/<q,k>"` (reference 1) or `"E[est]-<q,k>"` (reference 0, when ⟨q,k⟩ = 0).
        public var quantity: String
        public var reference: Double
        public var trials: Int
        public var empirical: Double
        public var lower: Double
        public var upper: Double
        /// CI half-width: the bias detected with ≈ 50 % power at this trial count.
        public var detectable: Double
        public var theory: Double?
        public var biasDetected: Bool
        public var theoryInInterval: Bool?
        public var exactVariance: Double?
        public var sampleVariance: Double
        public var varianceRatio: Double?
        public var varianceRatioLower: Double?
        public var varianceRatioUpper: Double?
        /// Sample kurtosis of the estimates (3 for normal), which widens the variance interval.
        public var kurtosis: Double
    }

    /// The finished report.
    public struct Report: Codable, Sendable, Equatable {
        public var level: Double
        public var rows: [Row]
        /// c_d − 1 for √d orthogonal rows at this d (theory.md §2.3).
        public var orthogonalBias: Double
        /// √(π/2) and the flat-key factor at this d (theory.md §2.5).
        public var srhtBasisKeyFactor: Double
        public var srhtFlatKeyFactor: Double
    }

    public func finalize(_ blocks: [[EstimateMoments]], manifest: RunManifest) throws(ExperimentError) -> Report {
        var totals = [EstimateMoments](repeating: EstimateMoments(), count: cases.count)
        for block in blocks {
            guard block.count == cases.count else {
                throw .internalFailure("a block has \(block.count) rows, the experiment \(cases.count)")
            }
            for index in cases.indices { totals[index].merge(block[index]) }
        }
        var rows: [Row] = []
        for (index, row) in cases.enumerated() {
            let moments = totals[index]
            guard moments.count >= 2 else { throw .invalidOption("--trials must be ≥ 2 for an interval, got \(moments.count)") }
            let law = try Self.rowLaw(spec: row.transform, inputDimension: inputDimension, sketchDimension: sketchDimension)
            let target = row.pair.innerProduct
            let ratio = target != 0
            let scale = ratio ? abs(target) : 1
            let value = ratio ? moments.mean / target : moments.mean
            let s = moments.sampleVariance.squareRoot() / scale
            let interval: ConfidenceInterval
            do {
                interval = try ConfidenceInterval.studentTMean(mean: value, standardDeviation: s, count: moments.count, level: level)
            } catch { throw .experimentFailed("interval for row \(index): \(error.description)") }
            let reference = ratio ? 1.0 : 0.0
            let (theoryFactor, exactVariance) = try theory(for: row)
            // E = factor·⟨q,k⟩: the ratio is the factor; at ⟨q,k⟩ = 0 the bias is 0 (SimHash: its mean).
            let theoryShown: Double? = ratio || row.estimator == .simhash ? theoryFactor : theoryFactor.map { _ in 0 }
            var varianceRatio: Double?, varianceInterval: ConfidenceInterval?
            if let exact = exactVariance, exact > 0 {
                varianceRatio = moments.sampleVariance / exact
                varianceInterval = Self.varianceRatioInterval(moments, exactVariance: exact, level: level)
            }
            let constant: Double? = row.estimator == .qjlPaper || row.estimator == .qjlDerived
                ? try Self.qjlConstant(law, row.estimator, inputDimension: inputDimension, sketchDimension: sketchDimension) : nil
            rows.append(Row(
                transform: row.transform, rowLaw: Self.shortLaw(law), estimator: row.estimator.rawValue, qjlConstant: constant,
                pair: row.pair.description, innerProduct: target,
                quantity: ratio ? "E[est]/<q,k>" : "E[est]-<q,k>", reference: reference, trials: moments.count,
                empirical: value, lower: interval.lower, upper: interval.upper,
                detectable: (interval.upper - interval.lower) / 2, theory: theoryShown,
                biasDetected: !interval.contains(reference), theoryInInterval: theoryShown.map { Self.contains(interval, $0) },
                exactVariance: exactVariance.flatMap { $0 > 0 ? $0 : nil }, sampleVariance: moments.sampleVariance,
                varianceRatio: varianceRatio, varianceRatioLower: varianceInterval?.lower, varianceRatioUpper: varianceInterval?.upper,
                kurtosis: moments.kurtosis))
        }
        let cd = (try? orthogonalScalingBias(inputDimension: inputDimension)) ?? .nan
        return Report(level: level, rows: rows, orthogonalBias: cd - 1, srhtBasisKeyFactor: srhtBasisKeyMeanFactor,
                      srhtFlatKeyFactor: (try? srhtAllEqualKeyMeanFactor(inputDimension: inputDimension)) ?? .nan)
    }

    /// The chi-square interval for s²/Var_exact, widened on the log scale for non-normal draws:
    ///
    /// ```
    /// [L, U] = chi-square interval (JLStatistics.ConfidenceInterval.varianceRatio), R = s²/Var_exact
    /// w = √(max(1, (κ̂ − 1)/2)),   interval = [R·(L/R)^w, R·(U/R)^w]
    /// ```
    /// Var(ln s²) ≈ (κ − 1)/n against 2/n for normal draws, so w = 1 (the plain chi-square
    /// interval) when the sample kurtosis κ̂ ≤ 3; heavier tails (κ̂ > 3) widen it. Never narrowed.
    /// - Source: asymptotic variance of the sample variance, e.g. Box, Biometrika 40 (1953) 318–335,
    ///   doi:10.1093/biomet/40.3-4.318.
    static func varianceRatioInterval(_ moments: EstimateMoments, exactVariance: Double, level: Double) -> ConfidenceInterval? {
        guard moments.count >= 2, exactVariance > 0,
              let chi = try? ConfidenceInterval.varianceRatio(
                sampleVariance: moments.sampleVariance, count: moments.count, referenceVariance: exactVariance, level: level)
        else { return nil }
        let ratio = moments.sampleVariance / exactVariance
        guard ratio > 0 else { return chi }
        let widening = max(1, (moments.kurtosis - 1) / 2).squareRoot()
        return ConfidenceInterval(lower: ratio * pow(chi.lower / ratio, widening),
                                  upper: ratio * pow(chi.upper / ratio, widening), level: level)
    }

    /// Interval membership with a rounding slack of 1e-12·max(1, |x|) (zero-width intervals of
    /// deterministic rows, e.g. SRHT with m = d and k = e₁, equal the theory only to rounding).
    static func contains(_ interval: ConfidenceInterval, _ value: Double) -> Bool {
        let slack = 1e-12 * max(1, abs(value))
        return interval.lower - slack <= value && value <= interval.upper + slack
    }

    static func shortLaw(_ law: RowLaw) -> String {
        switch law {
        case .gaussian: "N(0,I)"
        case let .haar(length): "Haar·\(NumberFormat.significant(length, digits: 5))"
        case .haarWithChiLength: "Haar·χ_d"
        case .rademacher: "±1"
        case let .sparseSign(s, _): "sparse s=\(s)"
        case .randomSignCosine: "±DCT"
        }
    }

    public func table(for report: Report, manifest: RunManifest) -> TextTable {
        let percent = Int((report.level * 100).rounded())
        var table = TextTable(columns: [
            .init("transform", alignment: .left), .init("rows", alignment: .left), .init("estimator", alignment: .left),
            .init("pair", alignment: .left), .init("quantity", alignment: .left), .init("empirical"),
            .init("\(percent)% CI", alignment: .left), .init("theory"), .init("detectable±"),
            .init("verdict", alignment: .left), .init("theory in CI", alignment: .left),
            .init("Var/Var_exact"), .init("\(percent)% CI (Var)", alignment: .left), .init("kurtosis"),
        ])
        func f(_ x: Double) -> String { NumberFormat.significant(x, digits: 5) }
        for row in report.rows {
            let estimator = row.qjlConstant.map { "\(row.estimator) c=\(NumberFormat.significant($0, digits: 5))" } ?? row.estimator
            table.append([
                row.transform, row.rowLaw, estimator, row.pair, row.quantity, f(row.empirical),
                "[\(f(row.lower)), \(f(row.upper))]", row.theory.map(f) ?? "none",
                NumberFormat.significant(row.detectable, digits: 2),
                row.biasDetected ? "biased (detected)" : "unbiased (consistent)",
                row.theoryInInterval.map { $0 ? "✓" : "✗" } ?? "—",
                row.varianceRatio.map { NumberFormat.significant($0, digits: 4) } ?? "none",
                row.varianceRatioLower.map { "[\(NumberFormat.significant($0, digits: 4)), \(NumberFormat.significant(row.varianceRatioUpper ?? .nan, digits: 4))]" } ?? "—",
                NumberFormat.significant(row.kurtosis, digits: 3),
            ])
        }
        table.append(["", "", "", "", "", "", "", "", "", "", "", "", "", ""])
        table.append(["reference biases at d = \(inputDimension):", "", "", "", "",
                      "c_d−1 = \(NumberFormat.significant(report.orthogonalBias, digits: 4))", "",
                      "SRHT e₁ ×\(NumberFormat.significant(report.srhtBasisKeyFactor, digits: 5))",
                      "SRHT flat ×\(NumberFormat.significant(report.srhtFlatKeyFactor, digits: 5))", "", "", "", "", ""])
        return table
    }

    public func csv(for report: Report, manifest: RunManifest) -> CSVTable {
        var csv = CSVTable(header: [
            "transform", "row_law", "estimator", "qjl_constant", "pair", "inner_product", "quantity", "reference", "trials",
            "empirical", "ci_lower", "ci_upper", "detectable", "theory", "bias_detected", "theory_in_ci",
            "exact_variance", "sample_variance", "variance_ratio", "variance_ratio_lower", "variance_ratio_upper", "kurtosis",
        ])
        func g(_ x: Double?) -> String { x.map { NumberFormat.significant($0, digits: 17) } ?? "" }
        for row in report.rows {
            csv.append([
                row.transform, row.rowLaw, row.estimator, g(row.qjlConstant), row.pair, g(row.innerProduct), row.quantity,
                g(row.reference), "\(row.trials)", g(row.empirical), g(row.lower), g(row.upper), g(row.detectable),
                g(row.theory), "\(row.biasDetected)", row.theoryInInterval.map { "\($0)" } ?? "", g(row.exactVariance),
                g(row.sampleVariance), g(row.varianceRatio), g(row.varianceRatioLower), g(row.varianceRatioUpper), g(row.kurtosis),
            ])
        }
        return csv
    }

    /// Bias (empirical − reference) per row with its interval, the theory's bias as dashed
    /// markers; rows whose bias exceeds the plotted range are listed in the title.
    public func plot(for report: Report, manifest: RunManifest) -> String? {
        let rows = report.rows
        let x = rows.indices.map { Double($0 + 1) }
        let centre = rows.map { $0.empirical - $0.reference }
        let lower = rows.map { $0.lower - $0.reference }
        let upper = rows.map { $0.upper - $0.reference }
        // Range from the rows whose |bias| stays below 5 % so that c_d − 1 ≈ 0.002 is visible.
        let small = rows.indices.filter { abs(centre[$0]) < 0.05 }
        let span = small.map { max(abs(lower[$0]), abs(upper[$0])) }.max() ?? 0.05
        let clipped = rows.indices.filter { abs(centre[$0]) >= 0.05 }.map { "\($0 + 1)" }
        var plot = Plot(
            title: "exp-unbiasedness: bias with \(Int(report.level * 100))% CI (d = \(inputDimension), m = \(sketchDimension))"
                + (clipped.isEmpty ? "" : "; rows off scale: \(clipped.joined(separator: ","))"),
            xLabel: "row of the table (1 = first)", yLabel: "E[est]/<q,k> − 1   (or E[est] − <q,k> at q ⟂ k)",
            yRange: (-1.3 * span)...(1.3 * span), width: 960, height: 520, legendPosition: .outsideRight)
        try? plot.errorBars(x: x, lower: lower, upper: upper, center: centre, label: "empirical, \(Int(report.level * 100))% CI", color: .blue)
        let theoryRows = rows.indices.filter { rows[$0].theory != nil }
        try? plot.scatter(x: theoryRows.map { x[$0] }, y: theoryRows.map { (rows[$0].theory ?? 0) - rows[$0].reference },
                          label: "closed-form theory", color: .vermillion)
        plot.horizontalLine(at: 0.0, label: "unbiased")
        return plot.render()
    }
}
