import Foundation
import JLExperimentKit
import JLStatistics
import JLTheory
import JLTransforms

/// The numbers exp-distortion reports (written under `"report"` in `--json`).
public struct DistortionReport: Codable, Sendable, Equatable {
    /// Trials.
    public var trials: Int
    /// Part 1 rows, ordered by (transform, ε, θ, m).
    public var distortion: [DistortionRow]
    /// Part 2 rows per (m, ε), ordered by (ε, m); empty without part 2.
    public var attention: [AttentionRow]
    /// Part 2 logit rows per m.
    public var logits: [LogitRow]
    /// Part 2 input summary.
    public var attentionSource: String?
}

/// One (transform, m, ε, θ) cell of part 1.
public struct DistortionRow: Codable, Sendable, Equatable {
    public var transform: String
    public var sketchDimension: Int
    public var epsilon: Double
    public var angleDegrees: Double
    public var failures: Int
    public var trials: Int
    /// P̂ = failures/trials and its 95% Wilson interval.
    public var failureRate: Double
    public var wilsonLower: Double
    public var wilsonUpper: Double
    /// 2 exp(−(3/4) m ε²/(1+ε)) (may exceed 1: vacuous).
    public var statedDelta: Double
    /// 2 exp(−m ε²/(π + 4ε/3)) (may exceed 1: vacuous).
    public var correctedDelta: Double
    /// The normal approximation of the failure probability.
    public var cltFailureProbability: Double
    public var verdictStated: Verdict
    public var verdictCorrected: Verdict
    /// For an inconclusive verdict: trials after which the 95% Wilson interval at the observed
    /// rate would exclude δ (nil when decided; `Int.max` when P̂ = δ exactly).
    public var trialsToDecideStated: Int?
    public var trialsToDecideCorrected: Int?
    /// Mean squared error of Prod_m and its exact value (Var + bias²).
    public var meanSquaredError: Double
    public var exactMeanSquaredError: Double
}

/// One (m, ε) cell of part 2 (Theorem 3.6).
public struct AttentionRow: Codable, Sendable, Equatable {
    public var sketchDimension: Int
    public var epsilon: Double
    public var maxNorm: Double
    /// 2 r² ε⁻² ln n.
    public var requiredSketchDimension: Double
    public var sketchDimensionHolds: Bool
    public var epsilonHolds: Bool
    public var maxNormHolds: Bool
    /// Mean and worst over trials of max_i |Ŝ_i − S_i|/S_i.
    public var meanMaxScoreError: Double
    public var worstMaxScoreError: Double
    /// Trials with max_i |Ŝ_i − S_i|/S_i > 3ε, rate and 95% Wilson interval.
    public var exceedances: Int
    public var trials: Int
    public var exceedanceRate: Double
    public var wilsonLower: Double
    public var wilsonUpper: Double
    /// The proof's union bound n · n^{−3/(2+2ε)} (the "1/poly(n)").
    public var promisedFailureProbability: Double
    /// Verdict against the promise, nil when an assumption fails (nothing is promised then).
    public var verdict: Verdict?
}

/// One m of part 2's logit error e = ‖â − a‖/‖a‖.
public struct LogitRow: Codable, Sendable, Equatable {
    public var sketchDimension: Int
    /// Mean e with its 95% t interval, against the Jensen bound √(C/m) ≥ E e.
    public var meanRelativeError: Double
    public var meanLower: Double
    public var meanUpper: Double
    public var jensenBound: Double
    public var verdictMean: Verdict
    /// Mean e² with its 99.9% t interval, against the exact E e² = C/m.
    public var meanSquaredRelativeError: Double
    public var squaredLower: Double
    public var squaredUpper: Double
    public var exactMeanSquared: Double
    public var exactAgrees: Bool
}

/// Decision helpers shared by the report.
public enum DecisionRule {
    /// Confidence level of every interval in the tables.
    public static let level = 0.95
    /// Level of the two-sided agreement check of E e² = C/m.
    public static let agreementLevel = 0.999

    /// Trials needed before a level-95% Wilson interval around the observed rate p̂ excludes δ.
    ///
    /// The Wilson interval is {p : |p̂ − p| ≤ z√(p(1−p)/n)}, so δ lies outside it iff
    /// ```
    /// n > z² δ(1 − δ) / (p̂ − δ)²          (z = Φ⁻¹(0.975) = 1.95996)
    /// ```
    /// Returns `Int.max` when p̂ = δ (never decided) and 1 when δ ∉ (0, 1).
    /// - Complexity: O(1).
    /// - Source: E. B. Wilson, JASA 22 (1927) 209–212, doi:10.1080/01621459.1927.10502953.
    public static func trialsToDecide(observedRate rate: Double, bound delta: Double, level: Double = level) -> Int {
        guard delta > 0, delta < 1 else { return 1 }
        let gap = rate - delta
        guard gap != 0 else { return Int.max }
        let z = (try? StandardNormal.quantile(0.5 + 0.5 * level)) ?? 1.959963984540054
        let needed = z * z * delta * (1 - delta) / (gap * gap)
        return needed >= Double(Int.max / 2) ? Int.max : Int(needed.rounded(.down)) + 1
    }
}

extension DistortionExperiment {
    public typealias Report = DistortionReport

    public func finalize(_ blocks: [Accumulator], manifest: RunManifest) throws(ExperimentError) -> DistortionReport {
        let angleCount = anglesInDegrees.count, mCount = sketchDimensions.count, eCount = epsilons.count
        var total = Accumulator()
        total.failures = [Int](repeating: 0, count: transforms.count * angleCount * mCount * eCount)
        total.errorSums = [Double](repeating: 0, count: transforms.count * angleCount * mCount)
        total.squaredErrorSums = total.errorSums
        var attentionTotal = attention.map {
            AttentionAccumulator(sketchCount: $0.sketchDimensions.count, epsilonCount: eCount)
        }
        for block in blocks {
            guard block.failures.count == total.failures.count, block.squaredErrorSums.count == total.squaredErrorSums.count else {
                throw .invalidInput("a block's counts do not match the experiment's parameters")
            }
            total.trials += block.trials
            for i in total.failures.indices { total.failures[i] += block.failures[i] }
            for i in total.errorSums.indices {
                total.errorSums[i] += block.errorSums[i]
                total.squaredErrorSums[i] += block.squaredErrorSums[i]
            }
            if var sum = attentionTotal {
                guard let part = block.attention, part.exceedances.count == sum.exceedances.count else {
                    throw .invalidInput("a block lacks the attention part the parameters ask for")
                }
                sum.trials += part.trials
                for p in sum.logitErrorSums.indices {
                    sum.logitErrorSums[p] += part.logitErrorSums[p]
                    sum.logitErrorSquaredSums[p] += part.logitErrorSquaredSums[p]
                    sum.logitErrorFourthPowerSums[p] += part.logitErrorFourthPowerSums[p]
                    sum.maxScoreErrorSums[p] += part.maxScoreErrorSums[p]
                    sum.maxScoreErrorMaxima[p] = Swift.max(sum.maxScoreErrorMaxima[p], part.maxScoreErrorMaxima[p])
                }
                for i in sum.exceedances.indices { sum.exceedances[i] += part.exceedances[i] }
                attentionTotal = sum
            }
        }
        let n = total.trials
        guard n >= 1 else { throw .internalFailure("finalize saw no trials") }
        do throws(ExperimentError) {
            var rows: [DistortionRow] = []
            for (t, spec) in transforms.enumerated() {
                let kind = try Self.planeKind(spec)
                for (e, epsilon) in epsilons.enumerated() {
                    for (a, degrees) in anglesInDegrees.enumerated() {
                        for (mIndex, m) in sketchDimensions.enumerated() {
                            let cell = (t * angleCount + a) * mCount + mIndex
                            rows.append(try distortionRow(
                                kind: kind, spec: spec, m: m, epsilon: epsilon, degrees: degrees,
                                failures: total.failures[cell * eCount + e], trials: n,
                                squaredErrorSum: total.squaredErrorSums[cell]))
                        }
                    }
                }
            }
            var attentionRows: [AttentionRow] = []
            var logitRows: [LogitRow] = []
            if let attention, let sum = attentionTotal {
                (attentionRows, logitRows) = try attentionReport(attention, sum)
            }
            return DistortionReport(trials: n, distortion: rows, attention: attentionRows, logits: logitRows,
                                    attentionSource: attention?.source)
        } catch {
            throw error
        }
    }

    func distortionRow(kind: PlaneKind, spec: String, m: Int, epsilon: Double, degrees: Double,
                       failures: Int, trials n: Int, squaredErrorSum: Double) throws(ExperimentError) -> DistortionRow {
        let cosine = SyntheticInputs.cosineAndSine(degrees * Double.pi / 180).0
        do {
            let interval = try ConfidenceInterval.wilson(successes: failures, trials: n, level: DecisionRule.level)
            let stated = try Lemma35.statedFailureProbability(sketchDimension: m, epsilon: epsilon)
            let corrected = try Lemma35.correctedFailureProbability(sketchDimension: m, epsilon: epsilon)
            let geometry = try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: cosine)
            let clt: Double
            let exactMSE: Double
            switch kind {
            case .gaussian:
                clt = try Lemma35.normalApproximationFailureProbability(sketchDimension: m, epsilon: epsilon, cosine: cosine)
                exactMSE = try qjlGaussianMoments(geometry, sketchDimension: m).variance
            case let .orthogonal(length):
                let scaling: OrthogonalRowScaling = switch length {
                case .sqrtD: .sqrtD
                case .chi: .chi
                case .expectedChi: .expectedChi
                }
                let moments = try qjlOrthogonalMoments(geometry, inputDimension: inputDimension, sketchDimension: m, scaling: scaling)
                let bias = moments.mean - cosine
                let sd = moments.standardDeviation
                clt = sd > 0
                    ? StandardNormal.cdf((-epsilon - bias) / sd) + StandardNormal.survival((epsilon - bias) / sd)
                    : (Swift.abs(bias) > epsilon ? 1 : 0)
                exactMSE = moments.meanSquaredError(target: cosine)
            }
            let rate = Double(failures) / Double(n)
            let verdictStated = Verdict(interval: interval, promisedBound: stated)
            let verdictCorrected = Verdict(interval: interval, promisedBound: corrected)
            return DistortionRow(
                transform: spec, sketchDimension: m, epsilon: epsilon, angleDegrees: degrees,
                failures: failures, trials: n, failureRate: rate,
                wilsonLower: interval.lower, wilsonUpper: interval.upper,
                statedDelta: stated, correctedDelta: corrected, cltFailureProbability: clt,
                verdictStated: verdictStated, verdictCorrected: verdictCorrected,
                trialsToDecideStated: verdictStated == .inconclusive ? DecisionRule.trialsToDecide(observedRate: rate, bound: stated) : nil,
                trialsToDecideCorrected: verdictCorrected == .inconclusive ? DecisionRule.trialsToDecide(observedRate: rate, bound: corrected) : nil,
                meanSquaredError: squaredErrorSum / Double(n), exactMeanSquaredError: exactMSE)
        } catch {
            throw .experimentFailed("theory for \(spec) m=\(m) ε=\(epsilon): \(error)")
        }
    }

    func attentionReport(_ workload: AttentionWorkload, _ sum: AttentionAccumulator) throws(ExperimentError) -> ([AttentionRow], [LogitRow]) {
        let n = sum.trials
        guard n >= 1 else { return ([], []) }
        var rows: [AttentionRow] = []
        var logitRows: [LogitRow] = []
        do {
            for (e, epsilon) in epsilons.enumerated() {
                for (p, m) in workload.sketchDimensions.enumerated() {
                    let assumptions = try Theorem36Assumptions(maxNorm: workload.maxNorm, sketchDimension: m,
                                                               epsilon: epsilon, tokenCount: workload.tokenCount)
                    let count = sum.exceedances[p * epsilons.count + e]
                    let interval = try ConfidenceInterval.wilson(successes: count, trials: n, level: DecisionRule.level)
                    let promised = Swift.min(1, Double(workload.tokenCount) * assumptions.statedPerKeyFailureProbability)
                    rows.append(AttentionRow(
                        sketchDimension: m, epsilon: epsilon, maxNorm: workload.maxNorm,
                        requiredSketchDimension: assumptions.requiredSketchDimension,
                        sketchDimensionHolds: assumptions.sketchDimensionHolds,
                        epsilonHolds: assumptions.epsilonAtMostExponentialLimit,
                        maxNormHolds: assumptions.maxNormAtMostOne,
                        meanMaxScoreError: sum.maxScoreErrorSums[p] / Double(n),
                        worstMaxScoreError: sum.maxScoreErrorMaxima[p],
                        exceedances: count, trials: n, exceedanceRate: Double(count) / Double(n),
                        wilsonLower: interval.lower, wilsonUpper: interval.upper,
                        promisedFailureProbability: promised,
                        verdict: assumptions.allAssumptionsHold ? Verdict(interval: interval, promisedBound: promised) : nil))
                }
            }
            for (p, m) in workload.sketchDimensions.enumerated() {
                let count = Double(n)
                let mean = sum.logitErrorSums[p] / count
                let meanSquare = sum.logitErrorSquaredSums[p] / count
                let meanFourth = sum.logitErrorFourthPowerSums[p] / count
                // Sample standard deviations from the raw sums (n ≥ 2 needed for t intervals).
                let sdE = n >= 2 ? (Swift.max(0, meanSquare - mean * mean) * count / (count - 1)).squareRoot() : 0
                let sdE2 = n >= 2 ? (Swift.max(0, meanFourth - meanSquare * meanSquare) * count / (count - 1)).squareRoot() : 0
                let exact = workload.distortionConstant / Double(m)
                let meanInterval = n >= 2
                    ? try ConfidenceInterval.studentTMean(mean: mean, standardDeviation: sdE, count: n, level: DecisionRule.level)
                    : ConfidenceInterval(lower: -.infinity, upper: .infinity, level: DecisionRule.level)
                let squareInterval = n >= 2
                    ? try ConfidenceInterval.studentTMean(mean: meanSquare, standardDeviation: sdE2, count: n, level: DecisionRule.agreementLevel)
                    : ConfidenceInterval(lower: -.infinity, upper: .infinity, level: DecisionRule.agreementLevel)
                logitRows.append(LogitRow(
                    sketchDimension: m, meanRelativeError: mean, meanLower: meanInterval.lower, meanUpper: meanInterval.upper,
                    jensenBound: exact.squareRoot(),
                    verdictMean: Verdict(interval: meanInterval, promisedBound: exact.squareRoot()),
                    meanSquaredRelativeError: meanSquare, squaredLower: squareInterval.lower, squaredUpper: squareInterval.upper,
                    exactMeanSquared: exact, exactAgrees: squareInterval.contains(exact)))
            }
        } catch {
            throw .experimentFailed("attention theory: \(error)")
        }
        return (rows, logitRows)
    }
}
