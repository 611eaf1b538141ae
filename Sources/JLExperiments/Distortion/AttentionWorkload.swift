import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLRandom
import JLTheory
import JLTransforms

/// Part 2 of exp-distortion (QJL Theorem 3.6): fixed keys and query, a fresh Gaussian S per trial.
///
/// The keys and query are fixed for the whole run (the theorem is "for any keys", probability
/// over S), scaled so max‖k_j‖ = r and ‖q‖ = r. Only the derived constants are written to JSON
/// (`source`, n, d, r, the m sweep, the closed-form constant); the vectors themselves are not
/// encoded, so a decoded workload (in exp-merge) can finalize but not run trials.
public struct AttentionWorkload: Codable, Sendable, Equatable {
    /// Where the keys came from (``AttentionInputSource/summary``).
    public var source: String
    /// n.
    public var tokenCount: Int
    /// d of the keys.
    public var inputDimension: Int
    /// r = max(max_j ‖k_j‖, ‖q‖) after scaling.
    public var maxNorm: Double
    /// The m sweep of part 2, increasing.
    public var sketchDimensions: [Int]
    /// C with E‖â − a‖²/‖a‖² = C/m exactly (Gaussian S, theory.md §2.8):
    /// ```
    /// C = Σ_j [(π/2)‖q‖²‖k_j‖² − a_j²] / Σ_j a_j²
    /// ```
    public var distortionConstant: Double
    /// max_j |a_j|, the largest exact logit (for reading the softmax errors).
    public var largestLogit: Double
    /// Part 2 runs on trials t < trialLimit only (each of its trials costs an m_max×d Gaussian S
    /// and an n×d×m_max gemm, about 100× a part-1 trial); the report states the count used.
    public var trialLimit: Int

    /// Keys (n×d, row-major), not encoded.
    public var keys: [Double] = []
    /// The query, not encoded.
    public var query: [Double] = []
    /// ‖k_j‖, not encoded.
    public var keyNorms: [Double] = []
    /// a_j = ⟨q, k_j⟩, not encoded.
    public var logits: [Double] = []

    enum CodingKeys: String, CodingKey {
        case source, tokenCount, inputDimension, maxNorm, sketchDimensions, distortionConstant, largestLogit, trialLimit
    }

    /// A workload from `input` scaled to max norm r.
    /// - Throws: `JLExperimentKit.ExperimentError.invalidOption(_:)` for r ≤ 0, n < 2, an empty
    ///   sweep, or keys orthogonal to the query (Σ a_j² = 0).
    public init(input: AttentionInput, source: String, maxNorm r: Double, sketchDimensions: [Int],
                trialLimit: Int = AttentionWorkload.defaultTrialLimit) throws(ExperimentError) {
        guard trialLimit >= 1 else { throw .invalidOption("--attention-trials must be ≥ 1, got \(trialLimit)") }
        self.trialLimit = trialLimit
        let scaled: AttentionInput
        do { scaled = try input.scaled(toMaxNorm: r) } catch { throw error.experimentError }
        guard scaled.tokenCount >= 2 else { throw .invalidOption("the attention part needs n ≥ 2 keys, got \(scaled.tokenCount)") }
        guard !sketchDimensions.isEmpty, sketchDimensions.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else {
            throw .invalidOption("--attention-sketch-dimensions must be in 1...\(1 << 20), got \(sketchDimensions)")
        }
        let logits = scaled.logits
        let normsSquared = scaled.keyNormsSquared
        do {
            self.distortionConstant = try qjlExpectedRelativeScoreDistortion(
                queryNormSquared: scaled.queryNormSquared, keyNormsSquared: normsSquared,
                innerProducts: logits, sketchDimension: 1)
        } catch {
            throw .invalidOption("attention keys: \(error.description)")
        }
        self.source = source
        self.tokenCount = scaled.tokenCount
        self.inputDimension = scaled.dimension
        self.maxNorm = scaled.maxNorm
        self.sketchDimensions = Array(Set(sketchDimensions)).sorted()
        self.largestLogit = logits.map(Swift.abs).max() ?? 0
        self.keys = scaled.keys
        self.query = scaled.query
        self.keyNorms = normsSquared.map { $0.squareRoot() }
        self.logits = logits
    }

    /// The default number of part-2 trials (250: at 0 exceedances the 95% Wilson upper end is
    /// 0.015, far below the theorem's n·n^(−3/(2+2ε)) = 0.133 at n = 256, ε = 0.1).
    public static let defaultTrialLimit = 250

    /// The default m sweep: 64…1024 plus the theorem's m = ⌈2r²ε⁻² ln n⌉ for every ε.
    public static func defaultSketchDimensions(epsilons: [Double], maxNorm r: Double, tokenCount n: Int) -> [Int] {
        var sweep = [64, 128, 256, 512, 1024]
        for epsilon in epsilons where epsilon > 0 && n >= 2 {
            let required = (2 * r * r / (epsilon * epsilon) * log(Double(n))).rounded(.up)
            if required >= 1, required <= Double(1 << 20) { sweep.append(Int(required)) }
        }
        return Array(Set(sweep)).sorted()
    }
}

/// Sums of part 2 over one block's trials, per m (and per (m, ε) for the exceedances).
public struct AttentionAccumulator: Codable, Sendable, Equatable {
    public var trials = 0
    /// Σ e, Σ e², Σ e⁴ with e = ‖â − a‖/‖a‖, per m.
    public var logitErrorSums: [Double]
    public var logitErrorSquaredSums: [Double]
    public var logitErrorFourthPowerSums: [Double]
    /// Σ and max over trials of max_i |Ŝ_i − S_i|/S_i, per m.
    public var maxScoreErrorSums: [Double]
    public var maxScoreErrorMaxima: [Double]
    /// #{trials: max_i |Ŝ_i − S_i|/S_i > 3ε}, index m·E + ε.
    public var exceedances: [Int]

    init(sketchCount: Int, epsilonCount: Int) {
        logitErrorSums = [Double](repeating: 0, count: sketchCount)
        logitErrorSquaredSums = logitErrorSums
        logitErrorFourthPowerSums = logitErrorSums
        maxScoreErrorSums = logitErrorSums
        maxScoreErrorMaxima = logitErrorSums
        exceedances = [Int](repeating: 0, count: sketchCount * epsilonCount)
    }
}

/// Runs part-2 trials in `Scalar`: one `GaussianJL<Scalar>(d, m_max, seed)` per trial applied to
/// all keys with one gemm; every m uses its first m rows.
struct AttentionRunner<Scalar: LinearAlgebraScalar> {
    let workload: AttentionWorkload
    let keyMatrix: Matrix<Scalar>
    let query: [Scalar]
    let epsilonCount: Int
    var accumulator: AttentionAccumulator

    init(_ workload: AttentionWorkload, epsilonCount: Int) throws(ExperimentError) {
        guard workload.keys.count == workload.tokenCount * workload.inputDimension, !workload.keys.isEmpty else {
            throw .internalFailure("the attention workload holds no keys (decoded workloads can only finalize)")
        }
        self.workload = workload
        do {
            keyMatrix = try Matrix(rows: workload.tokenCount, columns: workload.inputDimension,
                                   elements: workload.keys.map { Scalar($0) })
        } catch { throw .internalFailure("attention keys: \(error)") }
        query = workload.query.map { Scalar($0) }
        self.epsilonCount = epsilonCount
        accumulator = AttentionAccumulator(sketchCount: workload.sketchDimensions.count, epsilonCount: epsilonCount)
    }

    /// One trial: estimates â_j(m) = (√(π/2)/m)‖k_j‖⟨(Sq)_{<m}, sign((Sk_j)_{<m})⟩ for every m.
    /// - Complexity: one n×d×m_max gemm plus O(n·m_max).
    mutating func runTrial(stream: RandomStream, epsilons: [Double]) throws(ExperimentError) {
        let words = stream.child("seed").block(0)
        let seed = UInt64(words.x) | UInt64(words.y) << 32
        let checkpoints = workload.sketchDimensions
        let rows = checkpoints.last ?? 1
        let n = workload.tokenCount
        let projectedKeys: Matrix<Scalar>
        let projectedQuery: [Scalar]
        do {
            let transform = try GaussianJL<Scalar>(inputDimension: workload.inputDimension, sketchDimension: rows, seed: seed)
            projectedKeys = try transform.apply(batch: keyMatrix)
            projectedQuery = try transform.apply(query)
        } catch {
            throw .experimentFailed("attention sketch: \(error.description)")
        }
        // estimates[p·n + j] = â_j at m = checkpoints[p]
        var estimates = [Double](repeating: 0, count: checkpoints.count * n)
        let constant = (Double.pi / 2).squareRoot()
        projectedKeys.elements.withUnsafeBufferPointer { keysBuffer in
            projectedQuery.withUnsafeBufferPointer { queryBuffer in
                guard let base = keysBuffer.baseAddress, queryBuffer.count == rows else { return }
                for j in 0..<n {
                    let row = base + j * rows
                    var sum: Scalar = 0
                    var i = 0
                    for (p, m) in checkpoints.enumerated() {
                        while i < m {
                            sum += row[i] > 0 ? queryBuffer[i] : -queryBuffer[i]
                            i += 1
                        }
                        estimates[p * n + j] = constant / Double(m) * workload.keyNorms[j] * Double(sum)
                    }
                }
            }
        }
        let logits = workload.logits
        let exactLogSum = Self.logSumExp(logits)
        let signal = logits.reduce(0) { $0 + $1 * $1 }
        for p in 0..<checkpoints.count {
            let estimated = Array(estimates[(p * n)..<((p + 1) * n)])
            var squaredError = 0.0
            for j in 0..<n { squaredError += (estimated[j] - logits[j]) * (estimated[j] - logits[j]) }
            let relativeSquared = squaredError / signal
            let relative = relativeSquared.squareRoot()
            accumulator.logitErrorSums[p] += relative
            accumulator.logitErrorSquaredSums[p] += relativeSquared
            accumulator.logitErrorFourthPowerSums[p] += relativeSquared * relativeSquared
            // |Ŝ_j/S_j − 1| = |exp((â_j − a_j) − (LSE(â) − LSE(a))) − 1|
            let shift = Self.logSumExp(estimated) - exactLogSum
            var worst = 0.0
            for j in 0..<n { worst = Swift.max(worst, Swift.abs(expm1(estimated[j] - logits[j] - shift))) }
            accumulator.maxScoreErrorSums[p] += worst
            accumulator.maxScoreErrorMaxima[p] = Swift.max(accumulator.maxScoreErrorMaxima[p], worst)
            for (e, epsilon) in epsilons.enumerated() where worst > 3 * epsilon {
                accumulator.exceedances[p * epsilonCount + e] += 1
            }
        }
        accumulator.trials += 1
    }

    /// log Σ exp(x_j), shifted by the maximum.
    static func logSumExp(_ x: [Double]) -> Double {
        let top = x.max() ?? 0
        return top + log(x.reduce(0) { $0 + exp($1 - top) })
    }
}
