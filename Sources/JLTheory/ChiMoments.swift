import Foundation
import JLStatistics

/// Mean of the chi distribution with d degrees of freedom (the norm of a d-dim standard normal).
///
/// ```
/// E[χ_d] = √2 · Γ((d+1)/2) / Γ(d/2)
///        = √d · (1 − 1/(4d) + 1/(32d²) + 5/(128d³) − 21/(2048d⁴) + O(d⁻⁵))   (used for d ≥ 1000)
/// ```
/// The gamma ratio is evaluated with `lgamma` for d < 1000 (relative error ≈ 1e-15) and with
/// the asymptotic series above for d ≥ 1000 (truncation error < 1e-16 there), so that large d
/// does not lose digits to the cancellation of two huge log-gammas.
/// - Throws: `TheoryError.invalidInteger` if d < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.3 (μ and E[χ_d]); series from DLMF 5.11.13.
public func gaussianChiMean(degreesOfFreedom d: Int) throws(TheoryError) -> Double {
    try requireInteger(d, "degreesOfFreedom", atLeast: 1)
    let x = Double(d)
    if d >= 1000 {
        let series = 1 - 1 / (4 * x) + 1 / (32 * x * x) + 5 / (128 * x * x * x) - 21 / (2048 * x * x * x * x)
        return x.squareRoot() * series
    }
    return 2.0.squareRoot()
        * exp(SpecialFunctions.logGamma((x + 1) / 2) - SpecialFunctions.logGamma(x / 2))
}

/// Multiplicative bias c_d of QJL with √d-scaled orthogonal (QR-block) rows.
///
/// ```
/// c_d = √d / E[χ_d] = √(d/2) · Γ(d/2) / Γ((d+1)/2)  ≈ 1 + 1/(4d)
/// ```
/// E Prod = c_d ⟨q,k⟩ for the code's orthogonalized sketch; c_128 = 1.0019550.
/// - Throws: `TheoryError.invalidInteger` if d < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.3 ("Mean").
public func orthogonalScalingBias(inputDimension d: Int) throws(TheoryError) -> Double {
    try requireInteger(d, "inputDimension", atLeast: 1)
    return Double(d).squareRoot() / (try gaussianChiMean(degreesOfFreedom: d))
}
