import Foundation
import JLStatistics

/// Lemma 3.5 of QJL (distortion of Prod_QJL): the stated and the corrected Bernstein bounds.
///
/// Claim: Pr[|Prod − ⟨q,k⟩| > ε‖q‖‖k‖] ≤ δ once m is large enough. The paper's constant puts
/// 4/3 where the variance term needs π (theory.md §1.4), so the stated sketch size is too small.
public enum Lemma35 {
    /// Sketch size stated by the paper.
    ///
    /// ```
    /// m = ⌈(4/3) · (1 + ε)/ε² · ln(2/δ)⌉          (ε = 0.1: δ = 0.001 → 1115, δ = 0.05 → 542)
    /// ```
    /// - Throws: `TheoryError` unless ε > 0 and 0 < δ < 1.
    /// - Complexity: O(1).
    /// - Source: theory.md §1.4; arXiv 2406.03482 Lemma 3.5.
    public static func statedSketchDimension(epsilon: Double, failureProbability delta: Double) throws(TheoryError) -> Int {
        try requireEpsilon(epsilon)
        try requireProbability(delta, "failureProbability")
        return Int((4.0 / 3.0 * (1 + epsilon) / (epsilon * epsilon) * log(2 / delta)).rounded(.up))
    }

    /// Failure probability the paper's bound promises at sketch size m.
    ///
    /// ```
    /// δ(m, ε) = 2 exp(−(3/4) m ε² / (1 + ε))
    /// ```
    /// - Throws: `TheoryError` if m < 1 or ε ≤ 0.
    /// - Complexity: O(1).
    /// - Source: theory.md §1.4 (with the missing minus sign restored).
    public static func statedFailureProbability(sketchDimension m: Int, epsilon: Double) throws(TheoryError) -> Double {
        try requireInteger(m, "sketchDimension", atLeast: 1)
        try requireEpsilon(epsilon)
        return 2 * exp(-0.75 * Double(m) * epsilon * epsilon / (1 + epsilon))
    }

    /// Sketch size supported by the corrected Bernstein argument.
    ///
    /// ```
    /// m = ⌈(π + 4ε/3)/ε² · ln(2/δ)⌉              (ε = 0.1: δ = 0.001 → 2490, δ = 0.05 → 1209)
    /// ```
    /// - Throws: `TheoryError` unless ε > 0 and 0 < δ < 1.
    /// - Complexity: O(1).
    /// - Source: theory.md §1.4 ("The stated constant is too optimistic").
    public static func correctedSketchDimension(epsilon: Double, failureProbability delta: Double) throws(TheoryError) -> Int {
        try requireEpsilon(epsilon)
        try requireProbability(delta, "failureProbability")
        return Int(((Double.pi + 4 * epsilon / 3) / (epsilon * epsilon) * log(2 / delta)).rounded(.up))
    }

    /// Failure-probability bound of the corrected Bernstein argument at sketch size m.
    ///
    /// ```
    /// δ(m, ε) = 2 exp(−m ε² / (π + 4ε/3))
    /// ```
    /// - Throws: `TheoryError` if m < 1 or ε ≤ 0.
    /// - Complexity: O(1).
    /// - Source: theory.md §1.4.
    public static func correctedFailureProbability(sketchDimension m: Int, epsilon: Double) throws(TheoryError) -> Double {
        try requireInteger(m, "sketchDimension", atLeast: 1)
        try requireEpsilon(epsilon)
        return 2 * exp(-Double(m) * epsilon * epsilon / (Double.pi + 4 * epsilon / 3))
    }

    /// Normal-approximation (CLT) failure probability of Prod_QJL with Gaussian S.
    ///
    /// ```
    /// Pr[|Prod − ⟨q,k⟩| > ε‖q‖‖k‖] ≈ 2(1 − Φ(ε√m / √(π/2 − cos²θ)))
    /// ```
    /// (q ⟂ k, ε = 0.1: m = 1115 → ≈ 0.0077, m = 542 → ≈ 0.063.) Computed as erfc(z/√2) to
    /// keep precision in the tail.
    /// - Throws: `TheoryError` if m < 1, ε ≤ 0, or |cos θ| > 1.
    /// - Complexity: O(1).
    /// - Source: theory.md §1.4 (CLT check), per-row variance from §2.1.
    public static func normalApproximationFailureProbability(sketchDimension m: Int, epsilon: Double,
                                                             cosine: Double) throws(TheoryError) -> Double {
        try requireInteger(m, "sketchDimension", atLeast: 1)
        try requireEpsilon(epsilon)
        try requireReal(cosine, "cosine", "in [−1, 1]") { Swift.abs($0) <= 1 }
        let perRowStandardDeviation = (Double.pi / 2 - cosine * cosine).squareRoot()
        let z = epsilon * Double(m).squareRoot() / perRowStandardDeviation
        return 2 * StandardNormal.survival(z)
    }
}

/// The largest ε with e^{2ε} ≤ 1 + 3ε (root of e^{2ε} = 1 + 3ε), ≈ 0.3813442804251696.
///
/// ```
/// e^{2ε*} = 1 + 3ε*,  solved by Newton's method from ε = 0.5
/// ```
/// Theorem 3.6 turns Scorẽ ∈ e^{±2ε}·Score into (1 ± 3ε)·Score, valid only for ε ≤ ε*.
/// - Source: theory.md §1.6 (caveats), §4.1 item 4.
public let theorem36MaximumEpsilon: Double = {
    var epsilon = 0.5
    for _ in 0..<100 {
        let step = (exp(2 * epsilon) - 1 - 3 * epsilon) / (2 * exp(2 * epsilon) - 3)
        epsilon -= step
        if Swift.abs(step) < 1e-17 { break }
    }
    return epsilon
}()

/// The assumptions of QJL Theorem 3.6 for given (r, m, ε, n), as checkable values.
///
/// Theorem 3.6: if max‖k_i‖ ≤ r, ‖q‖ ≤ r and m ≥ 2r²ε⁻² ln n, then with probability
/// 1 − 1/poly(n), |Scorẽ(i) − Score(i)| ≤ 3ε·Score(i) for all i.
/// - Source: theory.md §1.6; arXiv 2406.03482 Theorem 3.6.
public struct Theorem36Assumptions: Sendable, Equatable, Hashable {
    /// r: bound on the key and query norms.
    public let maxNorm: Double
    /// m: sketch dimension (sign bits per key).
    public let sketchDimension: Int
    /// ε: the accuracy parameter.
    public let epsilon: Double
    /// n: number of key tokens.
    public let tokenCount: Int

    /// Validates and stores the parameters.
    /// - Throws: `TheoryError` unless r > 0, m ≥ 1, ε > 0 and n ≥ 2 (ln n > 0).
    public init(maxNorm: Double, sketchDimension: Int, epsilon: Double, tokenCount: Int) throws(TheoryError) {
        try requireReal(maxNorm, "maxNorm", "finite and > 0") { $0 > 0 }
        try requireInteger(sketchDimension, "sketchDimension", atLeast: 1)
        try requireEpsilon(epsilon)
        try requireInteger(tokenCount, "tokenCount", atLeast: 2)
        self.maxNorm = maxNorm
        self.sketchDimension = sketchDimension
        self.epsilon = epsilon
        self.tokenCount = tokenCount
    }

    /// The theorem's sketch-size condition.
    ///
    /// ```
    /// m_required = 2 r² ε⁻² ln n
    /// ```
    public var requiredSketchDimension: Double {
        2 * maxNorm * maxNorm / (epsilon * epsilon) * log(Double(tokenCount))
    }

    /// Whether m ≥ 2 r² ε⁻² ln n.
    public var sketchDimensionHolds: Bool { Double(sketchDimension) >= requiredSketchDimension }

    /// Whether r ≤ 1: only then does the proof's exponent (3/2) ln n/(r² + ε) match the quoted
    /// per-key failure n^{−3/(2+2ε)} (theory.md §1.6 caveats).
    /// Inputs scaled to max norm exactly 1 can land one rounding above it (1 + 2.2e-16), so
    /// the check allows 1e-12 of relative slack.
    public var maxNormAtMostOne: Bool { maxNorm <= 1 + 1e-12 }

    /// Whether ε ≤ ``theorem36MaximumEpsilon`` (≈ 0.38134), needed for e^{2ε} ≤ 1 + 3ε.
    public var epsilonAtMostExponentialLimit: Bool { epsilon <= theorem36MaximumEpsilon }

    /// Whether ε < 1/2, needed for the union bound n · n^{−3/(2+2ε)} to be 1/poly(n).
    public var unionBoundIsPolynomial: Bool { epsilon < 0.5 }

    /// Whether every condition above holds.
    public var allAssumptionsHold: Bool {
        sketchDimensionHolds && maxNormAtMostOne && epsilonAtMostExponentialLimit && unionBoundIsPolynomial
    }

    /// The promised bound on the relative score error, |Scorẽ(i) − Score(i)| / Score(i) ≤ 3ε.
    public var promisedRelativeScoreError: Double { 3 * epsilon }

    /// The quoted per-key failure probability of the proof, n^{−3/(2+2ε)} (valid for r = 1).
    public var statedPerKeyFailureProbability: Double {
        pow(Double(tokenCount), -3 / (2 + 2 * epsilon))
    }

    /// Sketch size the corrected Lemma 3.5 supports for per-key failure n^{−c}.
    ///
    /// ```
    /// m ≥ r⁴ (π + 4ε/(3r²)) / ε² · ln(2 n^c)        (union bound: total failure ≤ n^{1−c})
    /// ```
    /// - Throws: `TheoryError.invalidReal` unless c > 0.
    /// - Complexity: O(1).
    /// - Source: theory.md §1.6, last caveat (Lemma 3.5 applied with ε' = ε/r²).
    public func correctedSketchDimension(failureExponent c: Double) throws(TheoryError) -> Double {
        try requireReal(c, "failureExponent", "finite and > 0") { $0 > 0 }
        let r2 = maxNorm * maxNorm
        return r2 * r2 * (Double.pi + 4 * epsilon / (3 * r2)) / (epsilon * epsilon)
            * (log(2.0) + c * log(Double(tokenCount)))
    }
}

/// Minimum JL dimension of Dasgupta–Gupta as computed by scikit-learn.
///
/// ```
/// k = ⌊ 4 ln n / (ε²/2 − ε³/3) ⌋            (truncated, as `.astype(np.int64)` does)
/// ```
/// (n = 1e6: ε = 0.5 → 663, 0.1 → 11841, 0.01 → 1112658; ε = 0.1: n = 1e4 → 7894, 1e5 → 9868.)
/// - Throws: `TheoryError` if n < 1 or ε ∉ (0, 1).
/// - Complexity: O(1).
/// - Source: theory.md §6; Dasgupta & Gupta, Random Struct. Algorithms 22 (2003) 60–65,
///   doi:10.1002/rsa.10073; scikit-learn `johnson_lindenstrauss_min_dim`.
public func johnsonLindenstraussMinimumDimension(sampleCount n: Int, epsilon: Double) throws(TheoryError) -> Int {
    try requireInteger(n, "sampleCount", atLeast: 1)
    try requireReal(epsilon, "epsilon", "strictly between 0 and 1") { $0 > 0 && $0 < 1 }
    let denominator = pow(epsilon, 2) / 2 - pow(epsilon, 3) / 3
    return Int((4 * log(Double(n)) / denominator).rounded(.towardZero))
}
