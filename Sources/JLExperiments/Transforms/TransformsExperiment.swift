import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLRandom
import JLStatistics
import JLTheory
import JLTransforms
import QJL

/// One transform of the `exp-transforms` sweep: a `JLTransforms/TransformKind` spec and the
/// input dimension it runs at (the DCT path of SRHT needs a non-power-of-two d, e.g. 96).
///
/// Text form: `spec` or `spec@d`, e.g. `srht-dct@96`.
public struct TransformEntry: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The transform spec, lowercased (e.g. `orthogonal-chi`).
    public var spec: String
    /// The input dimension d of this entry.
    public var inputDimension: Int

    public init(spec: String, inputDimension: Int) {
        self.spec = spec
        self.inputDimension = inputDimension
    }

    /// `spec` or `spec@d` (the `@d` part overrides `defaultDimension`).
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)` for an unknown spec or a bad d.
    public static func parse(_ text: String, defaultDimension: Int) throws(ExperimentError) -> TransformEntry {
        let parts = text.lowercased().split(separator: "@", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let spec = parts.first, !spec.isEmpty else {
            throw .invalidOption("--transforms: cannot read '\(text)'; write spec or spec@d, e.g. srht-dct@96")
        }
        var d = defaultDimension
        if parts.count == 2 {
            guard let value = Int(parts[1]) else { throw .invalidOption("--transforms: '\(parts[1])' in '\(text)' is not a dimension") }
            d = value
        }
        guard d >= 2, d <= 4096 else { throw .invalidOption("--transforms: d = \(d) in '\(text)' must be in 2...4096") }
        do { _ = try TransformKind(parsing: spec) } catch { throw .invalidOption("--transforms: \(error.description)") }
        return TransformEntry(spec: spec, inputDimension: d)
    }

    /// The parsed kind (validated at construction).
    var kind: TransformKind { (try? TransformKind(parsing: spec)) ?? .gaussian }

    public var description: String { "\(spec)@\(inputDimension)" }
}

/// Where the unit pair (q, k) lies.
public enum PairPlacement: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// q, k in a Haar-random plane (``SyntheticInputs/unitPair(angle:dimension:orientation:stream:)``, `.random`).
    case random
    /// k = e₀ and q = cos θ·e₀ + sin θ·v with v uniform on the unit sphere of e₀^⊥: the
    /// coordinate-aligned worst case of SRHT (E Prod = √(π/2)·⟨q,k⟩ for Rademacher rows, theory.md §2.5).
    case axis
    public var description: String { rawValue }
}

/// `exp-transforms`: the QJL estimator Prod(q, k) = (c/m)‖k‖⟨Sq, sign(Sk)⟩ with every transform
/// family, at equal m: bias, variance, tail and memory (timing: in the executable, on stderr).
///
/// For each (transform, placement, m), per trial one fresh transform (seed from the trial
/// stream) and one unit pair at angle θ:
/// ```
/// factor     = E Prod_paper / ⟨q,k⟩          (c = √(π/2));  95% t interval over trials
/// factor_der = factor · c_derived/c_paper   (c_derived: AsymmetricQJLEstimator .derived)
/// Var ratio  = Var̂ Prod_derived / ((π/2 − cos²θ)/m)      (the exact Gaussian-row variance)
/// closed     = Var_exact(orthogonal rows, theory.md §2.3) / ((π/2 − cos²θ)/m)
/// tail       = P(|Prod_derived − ⟨q,k⟩| > ε‖q‖‖k‖),  95% Wilson;  CLT ref 2Φ̄(ε/σ_gauss)
/// ```
/// Source: arXiv 2406.03482 Lemma 3.2; theory.md §2.1, §2.3–2.5.
public struct TransformsExperiment: Experiment {
    public static let name = "exp-transforms"
    public static let blockSize = 25
    public static let defaultTrials = 500

    /// The transforms, each with its d.
    public var transforms: [TransformEntry]
    /// The m sweep (increasing).
    public var sketchDimensions: [Int]
    /// The angle θ between q and k in degrees (cos θ ≠ 0, so the mean factor is defined).
    public var angleDegrees: Double
    /// The tail threshold ε (unit vectors: ε‖q‖‖k‖ = ε).
    public var epsilon: Double
    /// The pair placements.
    public var placements: [PairPlacement]

    public var transformSpecs: [String] { transforms.map(\.description) }

    /// Validates and builds.
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)` naming the bad value.
    public init(transforms: [TransformEntry], sketchDimensions: [Int], angleDegrees: Double = 60,
                epsilon: Double = 0.1, placements: [PairPlacement] = PairPlacement.allCases) throws(ExperimentError) {
        guard !transforms.isEmpty else { throw .invalidOption("--transforms needs at least one transform") }
        guard !sketchDimensions.isEmpty, sketchDimensions.allSatisfy({ (1...65536).contains($0) }) else {
            throw .invalidOption("--sketch-dimensions must be in 1...65536, got \(sketchDimensions)")
        }
        guard angleDegrees.isFinite, angleDegrees >= 0, angleDegrees < 90 else {
            throw .invalidOption("--angle must be in [0, 90) degrees (cos θ > 0 so that E Prod/⟨q,k⟩ is defined), got \(angleDegrees)")
        }
        guard epsilon > 0, epsilon.isFinite else { throw .invalidOption("--epsilon must be finite and > 0, got \(epsilon)") }
        guard !placements.isEmpty else { throw .invalidOption("--placements needs at least one of random, axis") }
        for entry in transforms {
            for m in sketchDimensions {
                do throws(TransformError) {
                    _ = try entry.kind.make(inputDimension: entry.inputDimension, sketchDimension: m, seed: 0, as: Float.self)
                } catch { throw .invalidOption("--transforms \(entry), m = \(m): \(error.description)") }
            }
        }
        self.transforms = transforms
        self.sketchDimensions = Array(Set(sketchDimensions)).sorted()
        self.angleDegrees = angleDegrees
        self.epsilon = epsilon
        self.placements = placements
    }

    /// cos θ, sin θ (exact at 0°).
    var trig: (Double, Double) { SyntheticInputs.cosineAndSine(angleDegrees * Double.pi / 180) }

    /// Sums of one block; index ((t·P + p)·M + mIndex).
    public struct Accumulator: Codable, Sendable, Equatable {
        public var trials = 0
        /// Σ Prod_paper and Σ Prod_paper².
        public var sums: [Double] = []
        public var squaredSums: [Double] = []
        /// #{|Prod_derived − ⟨q,k⟩| > ε}.
        public var exceedances: [Int] = []
    }

    public func runBlock(_ block: TrialBlock) throws(ExperimentError) -> Accumulator {
        switch block.precision {
        case .double: try runBlock(block, as: Double.self)
        case .float: try runBlock(block, as: Float.self)
        }
    }

    /// The unit pair of a placement at dimension d (q first).
    func pair(_ placement: PairPlacement, dimension d: Int, stream: RandomStream) throws(ExperimentError) -> (q: [Double], k: [Double]) {
        let (c, s) = trig
        switch placement {
        case .random:
            do {
                let pair = try SyntheticInputs.unitPair(angle: angleDegrees * Double.pi / 180, dimension: d,
                                                        orientation: .random, stream: stream)
                return (pair.query, pair.key)
            } catch { throw error.experimentError }
        case .axis:
            var v: [Double] = stream.gaussians(d)
            v[0] = 0
            let norm = SyntheticInputs.norm(v)
            var q = v.map { s * $0 / Swift.max(norm, .leastNormalMagnitude) }
            q[0] = c
            var k = [Double](repeating: 0, count: d)
            k[0] = 1
            return (q, k)
        }
    }

    /// Derived-to-paper constant ratio for a transform (1 where they agree).
    static func constantRatio<Scalar: LinearAlgebraScalar>(_ transform: any JLTransform<Scalar>) throws(ExperimentError) -> Double {
        do {
            let derived = try AsymmetricQJLEstimator(rowLaw: transform.rowLaw, inputDimension: transform.inputDimension,
                                                     sketchDimension: transform.sketchDimension, constant: .derived)
            return derived.constant / (Double.pi / 2).squareRoot()
        } catch { throw .internalFailure("estimator: \(error.description)") }
    }

    func runBlock<Scalar: LinearAlgebraScalar>(_ block: TrialBlock, as type: Scalar.Type) throws(ExperimentError) -> Accumulator {
        let pCount = placements.count, mCount = sketchDimensions.count
        let cells = transforms.count * pCount * mCount
        var acc = Accumulator(trials: 0, sums: .init(repeating: 0, count: cells),
                              squaredSums: .init(repeating: 0, count: cells), exceedances: .init(repeating: 0, count: cells))
        let paperConstant = (Double.pi / 2).squareRoot()
        let (cosine, _) = trig
        for trial in block.trials {
            if block.isCancelled { throw .interrupted }
            let stream = block.stream(forTrial: trial)
            for (t, entry) in transforms.enumerated() {
                let d = entry.inputDimension
                // Pairs are shared by all transforms of the same d (common random numbers).
                var rows: [Scalar] = []
                for placement in placements {
                    let (q, k) = try pair(placement, dimension: d, stream: stream.child("pair").child(placement.rawValue).child(UInt64(d)))
                    rows += q.map { Scalar($0) } + k.map { Scalar($0) }
                }
                let batch: Matrix<Scalar>
                do { batch = try Matrix(rows: 2 * pCount, columns: d, elements: rows) } catch { throw .internalFailure("\(error)") }
                for (mIndex, m) in sketchDimensions.enumerated() {
                    let words = stream.child("transform").child(entry.description).child(UInt64(m)).block(0)
                    let seed = UInt64(words.x) | UInt64(words.y) << 32
                    let projected: Matrix<Scalar>
                    let ratio: Double
                    let transform: any JLTransform<Scalar>
                    do throws(TransformError) {
                        transform = try entry.kind.make(inputDimension: d, sketchDimension: m, seed: seed, as: Scalar.self)
                        projected = try transform.apply(batch: batch)
                    } catch { throw .invalidOption("--transforms \(entry), m = \(m): \(error.description)") }
                    ratio = try Self.constantRatio(transform)
                    projected.elements.withUnsafeBufferPointer { p in
                        for placementIndex in 0..<pCount {
                            let qRow = 2 * placementIndex * m, kRow = qRow + m
                            var sum = 0.0
                            for r in 0..<m {
                                let sq = Double(p[qRow + r])
                                sum += p[kRow + r] > 0 ? sq : -sq   // sign(0) = −1, as SignSketchBatch
                            }
                            let prod = paperConstant / Double(m) * sum   // ‖k‖ = 1
                            let cell = (t * pCount + placementIndex) * mCount + mIndex
                            acc.sums[cell] += prod
                            acc.squaredSums[cell] += prod * prod
                            if Swift.abs(prod * ratio - cosine) > epsilon { acc.exceedances[cell] += 1 }
                        }
                    }
                }
            }
            acc.trials += 1
        }
        return acc
    }

    public func finalize(_ blocks: [Accumulator], manifest: RunManifest) throws(ExperimentError) -> TransformsReport {
        let pCount = placements.count, mCount = sketchDimensions.count
        let cells = transforms.count * pCount * mCount
        var sums = [Double](repeating: 0, count: cells), squares = sums, exceed = [Int](repeating: 0, count: cells)
        var n = 0
        for block in blocks {
            guard block.sums.count == cells, block.squaredSums.count == cells, block.exceedances.count == cells else {
                throw .internalFailure("block accumulator has the wrong size")
            }
            n += block.trials
            for i in 0..<cells {
                sums[i] += block.sums[i]
                squares[i] += block.squaredSums[i]
                exceed[i] += block.exceedances[i]
            }
        }
        guard n >= 2 else { throw .invalidOption("exp-transforms needs at least 2 trials for intervals, got \(n)") }
        let (c, _) = trig
        var rows: [TransformRow] = []
        for (t, entry) in transforms.enumerated() {
            for (p, placement) in placements.enumerated() {
                for (mIndex, m) in sketchDimensions.enumerated() {
                    let cell = (t * pCount + p) * mCount + mIndex
                    rows.append(try row(entry: entry, placement: placement, m: m, trials: n, sum: sums[cell],
                                        squaredSum: squares[cell], exceedances: exceed[cell], cosine: c))
                }
            }
        }
        return TransformsReport(trials: n, rows: rows)
    }

    /// The exact paper-constant mean factor E Prod_paper/⟨q,k⟩ where a closed form exists.
    static func exactPaperFactor(kind: TransformKind, placement: PairPlacement, estimator: AsymmetricQJLEstimator) -> Double? {
        if let factor = estimator.meanFactor { return factor }  // Gaussian / Haar rows: any placement
        guard placement == .axis else { return nil }
        switch kind {
        case .srht where estimator.rowLaw == .rademacher:
            return srhtBasisKeyMeanFactor   // √(π/2): sign(s·e₀) = s₀, E Prod = c·q₀
        case let .sparseSign(s):
            // s·e₀ = ±√(m/s) with probability s/m, else 0 (sign −1, mean-zero contribution).
            return (Double.pi / 2).squareRoot() * (Double(s) / Double(estimator.sketchDimension)).squareRoot()
        default:
            return nil
        }
    }

    /// One report row from the sums.
    func row(entry: TransformEntry, placement: PairPlacement, m: Int, trials n: Int, sum: Double, squaredSum: Double,
             exceedances: Int, cosine c: Double) throws(ExperimentError) -> TransformRow {
        let d = entry.inputDimension
        let transform: any JLTransform<Double>
        do { transform = try entry.kind.make(inputDimension: d, sketchDimension: m, seed: 0, as: Double.self) } catch {
            throw .invalidOption("--transforms \(entry): \(error.description)")
        }
        let ratio = try Self.constantRatio(transform)
        let paper: AsymmetricQJLEstimator, derived: AsymmetricQJLEstimator
        do {
            paper = try AsymmetricQJLEstimator(transform: transform, constant: .paper)
            derived = try AsymmetricQJLEstimator(transform: transform, constant: .derived)
        } catch { throw .internalFailure(error.description) }
        let mean = sum / Double(n)
        let variancePaper = Swift.max(0, (squaredSum - Double(n) * mean * mean) / Double(n - 1))
        let interval: ConfidenceInterval
        let wilson: ConfidenceInterval
        do {
            interval = try ConfidenceInterval.studentTMean(mean: mean, standardDeviation: variancePaper.squareRoot(), count: n, level: 0.95)
            wilson = try ConfidenceInterval.wilson(successes: exceedances, trials: n, level: 0.95)
        } catch { throw .internalFailure("interval: \(error)") }
        let gaussianVariance = (Double.pi / 2 - c * c) / Double(m)
        // Closed forms need the geometry only (‖q‖ = ‖k‖ = 1, ⟨q,k⟩ = c); any vectors with it do.
        var q = [Double](repeating: 0, count: d), k = q
        q[0] = 1; k[0] = c; k[1] = (1 - c * c).squareRoot()
        let closed = derived.variance(q: q, k: k)
        let sampleVarianceDerived = variancePaper * ratio * ratio
        return TransformRow(
            transform: entry.spec, inputDimension: d, placement: placement.rawValue, sketchDimension: m,
            rowLaw: transform.rowLaw.description,
            paperConstant: paper.constant, derivedConstant: derived.constant,
            meanFactorPaper: mean / c, meanFactorLower: interval.lower / c, meanFactorUpper: interval.upper / c,
            exactFactorPaper: Self.exactPaperFactor(kind: entry.kind, placement: placement, estimator: paper),
            meanFactorDerived: mean * ratio / c, isUnbiasedDerived: derived.isUnbiased,
            varianceRatio: sampleVarianceDerived / gaussianVariance,
            closedFormVarianceRatio: closed.map { $0 / gaussianVariance },
            sampleOverClosedForm: closed.map { sampleVarianceDerived / $0 },
            exceedances: exceedances, trials: n, tailRate: Double(exceedances) / Double(n),
            tailLower: wilson.lower, tailUpper: wilson.upper,
            gaussianTail: 2 * StandardNormal.survival(epsilon / gaussianVariance.squareRoot()),
            memory: TransformMemory(kind: entry.kind, inputDimension: d, sketchDimension: m))
    }
}

/// What `exp-transforms` reports (under `"report"` in `--json`).
public struct TransformsReport: Codable, Sendable, Equatable {
    public var trials: Int
    /// Ordered by (transform, placement, m).
    public var rows: [TransformRow]
}

/// One (transform, placement, m) cell.
public struct TransformRow: Codable, Sendable, Equatable {
    public var transform: String
    public var inputDimension: Int
    public var placement: String
    public var sketchDimension: Int
    public var rowLaw: String
    /// √(π/2) and the derived constant (equal where no unbiasing constant exists).
    public var paperConstant: Double
    public var derivedConstant: Double
    /// E Prod_paper/⟨q,k⟩ estimate and its 95% t interval.
    public var meanFactorPaper: Double
    public var meanFactorLower: Double
    public var meanFactorUpper: Double
    /// The exact factor for the paper constant, where a closed form exists.
    public var exactFactorPaper: Double?
    /// The same with the derived constant.
    public var meanFactorDerived: Double
    /// Whether the derived constant is exactly unbiased for this row law.
    public var isUnbiasedDerived: Bool
    /// Var̂(Prod_derived) / ((π/2 − cos²θ)/m).
    public var varianceRatio: Double
    /// Closed-form Var(Prod_derived) / ((π/2 − cos²θ)/m) (Gaussian and orthogonal rows; theory.md §2.3).
    public var closedFormVarianceRatio: Double?
    /// Var̂ / closed form.
    public var sampleOverClosedForm: Double?
    /// Tail counts and rate with a 95% Wilson interval.
    public var exceedances: Int
    public var trials: Int
    public var tailRate: Double
    public var tailLower: Double
    public var tailUpper: Double
    /// 2Φ̄(ε/σ_gauss), σ²_gauss = (π/2 − cos²θ)/m.
    public var gaussianTail: Double
    /// Bytes to hold or regenerate S.
    public var memory: TransformMemory
}

/// The memory needed to hold or regenerate a transform (Float32 entries; theory.md §3.1).
///
/// ```
/// dense      = 4·m·d                         (S materialized in Float32)
/// seed       = 8                             (every family here is a function of (d, m, seed))
/// fast state = what apply needs without the dense S:
///   gaussian, orthogonal-*: 4·m·d (dense is the fast form)
///   srht:        B·⌈d/8⌉ sign bytes + 2·m row indices (UInt16),  B = ⌈m/d⌉
///   gaussian-hd: ⌈d/8⌉ sign bytes + 4·m·d (the Gaussian factor)
///   sparse-s:    d·s·(2 + 1/8) bytes (UInt16 row index and a sign bit per nonzero)
/// ```
public struct TransformMemory: Codable, Sendable, Equatable {
    public var denseBytes: Int
    public var seedBytes: Int
    public var fastStateBytes: Int

    public init(kind: TransformKind, inputDimension d: Int, sketchDimension m: Int) {
        let dense = 4 * m * d
        denseBytes = dense
        seedBytes = 8
        switch kind {
        case .gaussian, .orthogonal: fastStateBytes = dense
        case .srht: fastStateBytes = ((m + d - 1) / d) * ((d + 7) / 8) + 2 * m
        case .gaussianHD: fastStateBytes = (d + 7) / 8 + dense
        case let .sparseSign(s): fastStateBytes = d * s * 2 + (d * s + 7) / 8
        }
    }
}
