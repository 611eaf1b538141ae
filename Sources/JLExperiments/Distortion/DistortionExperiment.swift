import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLRandom
import JLStatistics
import JLTheory
import JLTransforms

/// `exp-distortion`: QJL Lemma 3.5 (distortion of Prod_QJL) and Theorem 3.6 (softmax scores)
/// against the paper's stated bounds, the corrected bound and the exact theory.
///
/// Part 1 (Lemma 3.5), for every (transform, m, ε, θ), unit q and k at angle θ:
/// ```
/// P̂ = #{trials: |Prod_m(q,k) − ⟨q,k⟩| > ε} / trials                 with a 95% Wilson interval
/// δ_stated(m)    = 2 exp(−(3/4) m ε²/(1+ε))                           (paper, theory.md §1.4)
/// δ_corrected(m) = 2 exp(−m ε²/(π + 4ε/3))                            (corrected Bernstein)
/// CLT            = 2(1 − Φ(ε√m/√(π/2 − cos²θ)))                       (Gaussian rows, §2.1)
///                  P(|N(b, σ²)| > ε), b, σ² from the exact orthogonal moments (§2.3)
/// ```
/// Part 2 (Theorem 3.6), n keys and a query with max norm r, one Gaussian S per trial:
/// ```
/// max_i |Ŝ_i − S_i|/S_i,  S = softmax(a), Ŝ = softmax(â)   (no 1/√d temperature)
/// E‖â − a‖²/‖a‖² = Σ_j[(π/2)‖q‖²‖k_j‖² − a_j²]/(m Σ_j a_j²)           (exact, §2.8)
/// ```
/// Every trial t draws from `RandomStream(seed).child("exp-distortion").child(t)`; each m uses
/// the first m rows of the trial's sketch (prefix), so rows for different m are correlated,
/// which does not affect any per-m interval.
public struct DistortionExperiment: Experiment {
    public static let name = "exp-distortion"
    public static let blockSize = 25
    public static let defaultTrials = 1000

    /// Input dimension d of the (q, k) pairs.
    public var inputDimension: Int
    /// Transform specs (`JLTransforms.TransformKind` text), rotation-invariant families only.
    public var transforms: [String]
    /// The ε values.
    public var epsilons: [Double]
    /// The m sweep of part 1, increasing.
    public var sketchDimensions: [Int]
    /// Angles θ between q and k, in degrees (90 = q ⟂ k, the worst case).
    public var anglesInDegrees: [Double]
    /// Part 2, or nil when disabled.
    public var attention: AttentionWorkload?

    public var transformSpecs: [String] { transforms + (attention == nil ? [] : ["gaussian (attention)"]) }

    /// Builds the experiment after validating every value.
    /// - Throws: `JLExperimentKit.ExperimentError.invalidOption(_:)` naming the bad value.
    public init(inputDimension: Int = 128, transforms: [String] = ["gaussian", "orthogonal-sqrtd"],
                epsilons: [Double] = [0.1], sketchDimensions: [Int], anglesInDegrees: [Double] = [90],
                attention: AttentionWorkload?) throws(ExperimentError) {
        try Self.checkInputDimension(inputDimension)
        guard !transforms.isEmpty else { throw .invalidOption("--transforms needs at least one transform") }
        for spec in transforms { _ = try Self.planeKind(spec) }
        guard !epsilons.isEmpty, epsilons.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidOption("--epsilons must be finite and > 0, got \(epsilons)")
        }
        guard !sketchDimensions.isEmpty, sketchDimensions.allSatisfy({ $0 >= 1 && $0 <= 1 << 22 }) else {
            throw .invalidOption("--sketch-dimensions must be in 1...\(1 << 22), got \(sketchDimensions)")
        }
        guard !anglesInDegrees.isEmpty, anglesInDegrees.allSatisfy({ $0 >= 0 && $0 <= 180 }) else {
            throw .invalidOption("--angles are degrees in 0...180, got \(anglesInDegrees)")
        }
        self.inputDimension = inputDimension
        self.transforms = transforms
        self.epsilons = epsilons
        self.sketchDimensions = Array(Set(sketchDimensions)).sorted()
        self.anglesInDegrees = anglesInDegrees
        self.attention = attention
    }

    /// `--dimension` must be in 2...`JLTransforms/maximumInputDimension`; checked before the
    /// attention input is built so a bad value is reported as `--dimension`.
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)`.
    static func checkInputDimension(_ inputDimension: Int) throws(ExperimentError) {
        guard inputDimension >= 2, inputDimension <= maximumInputDimension else {
            throw .invalidOption("--dimension must be in 2...\(maximumInputDimension), got \(inputDimension)")
        }
    }

    /// The families part 1 supports: those whose law is rotation invariant (see ``PlaneSketch``).
    enum PlaneKind: Equatable {
        case gaussian
        case orthogonal(OrthogonalRowLength)
    }

    static func planeKind(_ spec: String) throws(ExperimentError) -> PlaneKind {
        let kind: TransformKind
        do { kind = try TransformKind(parsing: spec) } catch { throw .invalidOption("--transforms: \(error.description)") }
        switch kind {
        case .gaussian: return .gaussian
        case let .orthogonal(length, _): return .orthogonal(length)
        default:
            throw .invalidOption("--transforms: '\(spec)' is not rotation invariant; exp-distortion's q ⟂ k worst case needs gaussian or orthogonal-* (use exp-unbiasedness for srht, sparse and gaussian-hd)")
        }
    }

    /// The default m sweep: 64…1024 plus the Lemma 3.5 check points for every ε and
    /// δ ∈ {0.05, 0.001}: the stated m (ε = 0.1: 542, 1115) and the corrected m (1209, 2490).
    /// - Throws: never for ε > 0 (validated by the caller).
    public static func defaultSketchDimensions(epsilons: [Double]) throws(ExperimentError) -> [Int] {
        var sweep = [64, 128, 256, 512, 1024]
        for epsilon in epsilons {
            for delta in checkpointFailureProbabilities {
                do {
                    sweep.append(try Lemma35.statedSketchDimension(epsilon: epsilon, failureProbability: delta))
                    sweep.append(try Lemma35.correctedSketchDimension(epsilon: epsilon, failureProbability: delta))
                } catch { throw .invalidOption("--epsilons: \(error.description)") }
            }
        }
        return Array(Set(sweep)).sorted()
    }

    /// The δ values whose Lemma 3.5 check points the default sweep includes.
    public static let checkpointFailureProbabilities = [0.05, 0.001]

    // MARK: Trials

    /// Counts of one block.
    public struct Accumulator: Codable, Sendable, Equatable {
        /// Trials in the block.
        public var trials = 0
        /// Failure counts, index ((transform·A + angle)·M + m)·E + ε.
        public var failures: [Int] = []
        /// Σ error and Σ error² per (transform, angle, m), index (transform·A + angle)·M + m.
        public var errorSums: [Double] = []
        public var squaredErrorSums: [Double] = []
        /// Part 2 sums, nil without it.
        public var attention: AttentionAccumulator?
    }

    public func runBlock(_ block: TrialBlock) throws(ExperimentError) -> Accumulator {
        switch block.precision {
        case .double: try runBlock(block, as: Double.self)
        case .float: try runBlock(block, as: Float.self)
        }
    }

    func runBlock<Scalar: LinearAlgebraScalar>(_ block: TrialBlock, as type: Scalar.Type) throws(ExperimentError) -> Accumulator {
        let kinds = try transforms.map { (spec) throws(ExperimentError) in try Self.planeKind(spec) }
        let angleCount = anglesInDegrees.count, mCount = sketchDimensions.count, eCount = epsilons.count
        var accumulator = Accumulator()
        accumulator.failures = [Int](repeating: 0, count: kinds.count * angleCount * mCount * eCount)
        accumulator.errorSums = [Double](repeating: 0, count: kinds.count * angleCount * mCount)
        accumulator.squaredErrorSums = accumulator.errorSums
        var attentionRunner = try attention.map { (workload) throws(ExperimentError) in try AttentionRunner<Scalar>(workload, epsilonCount: eCount) }
        let rows = sketchDimensions.last ?? 1
        let trig = anglesInDegrees.map { SyntheticInputs.cosineAndSine($0 * Double.pi / 180) }
        for trial in block.trials {
            if block.isCancelled { throw .interrupted }
            let stream = block.stream(forTrial: trial)
            for (t, kind) in kinds.enumerated() {
                let transformStream = stream.child(transforms[t])
                let sketch: PlaneSketch
                switch kind {
                case .gaussian:
                    let words = transformStream.child("seed").block(0)
                    let seed = UInt64(words.x) | UInt64(words.y) << 32
                    sketch = PlaneSketch.gaussian(rows: rows, inputDimension: inputDimension, seed: seed)
                case let .orthogonal(length):
                    sketch = PlaneSketch.orthogonal(rows: rows, inputDimension: inputDimension, rowLength: length,
                                                    stream: transformStream.child("frames"))
                }
                for (a, (c, s)) in trig.enumerated() {
                    let errors = sketch.estimationErrors(cosine: c, sine: s, checkpoints: sketchDimensions, as: Scalar.self)
                    for (mIndex, error) in errors.enumerated() {
                        let cell = (t * angleCount + a) * mCount + mIndex
                        accumulator.errorSums[cell] += error
                        accumulator.squaredErrorSums[cell] += error * error
                        for (e, epsilon) in epsilons.enumerated() where Swift.abs(error) > epsilon {
                            accumulator.failures[cell * eCount + e] += 1
                        }
                    }
                }
            }
            if attentionRunner != nil, trial < attention?.trialLimit ?? 0 {
                try attentionRunner?.runTrial(stream: stream.child("attention"), epsilons: epsilons)
            }
            accumulator.trials += 1
        }
        accumulator.attention = attentionRunner?.accumulator
        return accumulator
    }
}
