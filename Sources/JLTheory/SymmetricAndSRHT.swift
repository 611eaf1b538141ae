import Foundation
import JLStatistics

/// Exact mean and variance of the symmetric (sign–sign, SimHash) inner-product estimator.
///
/// With H = #{i : sign(s_iᵀq) ≠ sign(s_iᵀk)} ~ Binomial(m, p), p = θ/π (Gaussian rows):
/// ```
/// Est  = ‖q‖‖k‖ cos(πH/m)
/// E    = ‖q‖‖k‖ · Re[(1 − p + p e^{iπ/m})^m]                     (≠ ⟨q,k⟩: biased)
/// Var  = ‖q‖²‖k‖² · Σ_H P(H) cos²(πH/m) − E²,   P(H) = C(m,H) p^H (1−p)^(m−H)
/// ```
/// The mean uses the closed form; the variance sums the binomial pmf in log space
/// (ln C(m,H) via lgamma), so it is stable for large m.
/// - Throws: `TheoryError` if m < 1, a norm is negative or not finite, or θ ∉ [0, π].
/// - Complexity: O(m).
/// - Source: theory.md §1.2, §2.7; collision probability from Charikar, STOC 2002,
///   doi:10.1145/509907.509965.
public func symmetricSimHashMoments(queryNorm: Double, keyNorm: Double, angle theta: Double,
                                    sketchDimension m: Int) throws(TheoryError) -> EstimatorMoments {
    try requireInteger(m, "sketchDimension", atLeast: 1)
    try requireReal(queryNorm, "queryNorm", "finite and ≥ 0") { $0 >= 0 }
    try requireReal(keyNorm, "keyNorm", "finite and ≥ 0") { $0 >= 0 }
    try requireReal(theta, "angle", "in [0, π]") { $0 >= 0 && $0 <= Double.pi }
    let scale = queryNorm * keyNorm
    let p = theta / Double.pi
    let sketch = Double(m)
    // Mean: Re[z^m] with z = 1 − p + p e^{iπ/m}, via modulus and argument.
    let real = 1 - p + p * cos(Double.pi / sketch)
    let imaginary = p * sin(Double.pi / sketch)
    let normalizedMean = pow(hypot(real, imaginary), sketch) * cos(sketch * atan2(imaginary, real))
    // Second moment: Σ_H P(H) cos²(πH/m), pmf in log space.
    var secondMoment = 0.0
    if p == 0 || p == 1 {
        secondMoment = 1  // H is 0 or m, cos² = 1.
    } else {
        let logP = log(p)
        let logQ = log1p(-p)
        let logMFactorial = SpecialFunctions.logGamma(sketch + 1)
        for h in 0...m {
            let hits = Double(h)
            let logPmf = logMFactorial - SpecialFunctions.logGamma(hits + 1)
                - SpecialFunctions.logGamma(sketch - hits + 1) + hits * logP + (sketch - hits) * logQ
            let c = cos(Double.pi * hits / sketch)
            secondMoment += exp(logPmf) * c * c
        }
    }
    let variance = Swift.max(0, secondMoment - normalizedMean * normalizedMean)
    return EstimatorMoments(mean: scale * normalizedMean, variance: scale * scale * variance)
}

/// QJL mean factor E Prod / ⟨q,k⟩ with SRHT (Rademacher) rows and a basis key k = e_1.
///
/// ```
/// E Prod = √(π/2) · ⟨q,k⟩       (factor 1.2533…, because E|s_1| = 1 instead of √(2/π))
/// ```
/// - Source: theory.md §2.5 ("SRHT as the QJL sketch itself").
public let srhtBasisKeyMeanFactor: Double = (Double.pi / 2).squareRoot()

/// E|S_n| for the simple ±1 random walk S_n = Σ_{i≤n} ε_i.
///
/// ```
/// E|S_{2l}| = 2l · C(2l, l) / 4^l,      E|S_{2l−1}| = E|S_{2l}|
/// ```
/// Evaluated in log space (lgamma), stable for large n.
/// - Throws: `TheoryError.invalidInteger` if n < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.5; the odd case from E|S_{2l}| − E|S_{2l−1}| = E[sign(S_{2l−1})ε_{2l}] = 0.
public func rademacherWalkMeanAbsolute(steps n: Int) throws(TheoryError) -> Double {
    try requireInteger(n, "steps", atLeast: 1)
    let l = Double((n + 1) / 2)
    let logValue = log(2 * l) + SpecialFunctions.logGamma(2 * l + 1)
        - 2 * SpecialFunctions.logGamma(l + 1) - 2 * l * log(2.0)
    return exp(logValue)
}

/// QJL mean factor E Prod / ⟨q,k⟩ with SRHT (Rademacher) rows and the all-equal key k ∝ (1,…,1).
///
/// ```
/// factor = √(π/2) · E|S_d| / √d          (d = 128: 0.99805)
/// ```
/// Holds for every q, because E[s_j sign(S_d)] = E|S_d|/d for each coordinate j (sign(0)
/// contributes 0 by symmetry).
/// - Throws: `TheoryError.invalidInteger` if d < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.5.
public func srhtAllEqualKeyMeanFactor(inputDimension d: Int) throws(TheoryError) -> Double {
    try requireInteger(d, "inputDimension", atLeast: 1)
    return srhtBasisKeyMeanFactor * (try rademacherWalkMeanAbsolute(steps: d)) / Double(d).squareRoot()
}
