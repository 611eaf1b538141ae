import Foundation

/// How the rows of a QR-orthogonalized QJL sketch are scaled (theory.md §2.3–§2.4).
public enum OrthogonalRowScaling: String, Sendable, CaseIterable, Codable {
    /// Every row has length √d (the official code). Biased by c_d.
    case sqrtD
    /// Row i has length ρ_i ~ χ_d, i.i.d. and independent of the frame (ORF). Unbiased; each
    /// row is marginally N(0, I_d).
    case chi
    /// Every row has length E[χ_d]. Unbiased; equals the √d estimator divided by c_d.
    case expectedChi
}

/// Mean and exact variance of QJL with orthogonal rows: blocks of d Haar-orthonormal directions
/// (independent blocks, a last partial block of r = m mod d rows), scaled per `scaling`.
///
/// With K = ‖k‖², α² = ⟨q,k⟩²/K, β² = ‖q‖² − α², μ = √(2/π)/E[χ_d], c_d = √d/E[χ_d],
/// m = B·d + r:
/// ```
/// A_r = r/d + 2r(r−1)/(πd) − r²μ²
/// B_r = (r/d)·(1 − 2(r−1)/(π(d−1)))
/// sqrtD:        E = c_d⟨q,k⟩,  Var = (π/2)·K·(d/m²)·[B·(A_d α² + B_d β²) + A_r α² + B_r β²]
/// expectedChi:  E = ⟨q,k⟩,     Var = Var_sqrtD / c_d²
/// chi:          E = ⟨q,k⟩,     Var = (1/m²)·[B·V(d) + V(r)],
///               V(r) = r·K·[(π/2)(α²+β²) − α²] + r(r−1)·K·[(α² − β²/(d−1))/c_d² − α²]
/// ```
/// The `chi` formula is derived for this toolkit (not in theory.md): with rows ρ_i u_i,
/// E[ρ²] = d and E[ρ_iρ_j] = E[χ_d]² (i ≠ j), the per-row second moment equals the Gaussian one
/// and the cross moments are the √d ones times E[χ_d]²/d = 1/c_d², whose √d values
/// E[X_iX_j] = K(α² − β²/(d−1)) are read off A_r and B_r. Checked by Monte Carlo in numpy
/// (d = 8, m = 12 and d = 6, m = 15; agreement within the 0.3–0.5 % sampling error).
/// - Throws: `TheoryError.invalidInteger` if d < 2 or m < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.3 (√d scaling, A_r, B_r, μ), §2.4 (χ and E[χ_d] scalings);
///   ORF: Yu et al., NeurIPS 2016, arXiv 1610.09072.
public func qjlOrthogonalMoments(_ geometry: InnerProductGeometry, inputDimension d: Int,
                                 sketchDimension m: Int,
                                 scaling: OrthogonalRowScaling) throws(TheoryError) -> EstimatorMoments {
    try requireInteger(d, "inputDimension", atLeast: 2)
    try requireInteger(m, "sketchDimension", atLeast: 1)
    let bias = try orthogonalScalingBias(inputDimension: d)
    let dimension = Double(d)
    let fullBlocks = Double(m / d)
    let remainder = Double(m % d)
    let sketch = Double(m)
    let keyNormSquared = geometry.keyNormSquared
    let alpha2 = geometry.parallelComponentSquared
    let beta2 = geometry.perpendicularComponentSquared

    switch scaling {
    case .sqrtD, .expectedChi:
        let mu = (2 / Double.pi).squareRoot() / (try gaussianChiMean(degreesOfFreedom: d))
        func a(_ r: Double) -> Double { r / dimension + 2 * r * (r - 1) / (Double.pi * dimension) - r * r * mu * mu }
        func b(_ r: Double) -> Double { (r / dimension) * (1 - 2 * (r - 1) / (Double.pi * (dimension - 1))) }
        let bracket = fullBlocks * (a(dimension) * alpha2 + b(dimension) * beta2)
            + a(remainder) * alpha2 + b(remainder) * beta2
        let variance = Swift.max(0, (Double.pi / 2) * keyNormSquared * (dimension / (sketch * sketch)) * bracket)
        if scaling == .sqrtD {
            return EstimatorMoments(mean: bias * geometry.innerProduct, variance: variance)
        }
        return EstimatorMoments(mean: geometry.innerProduct, variance: variance / (bias * bias))
    case .chi:
        func block(_ r: Double) -> Double {
            r * keyNormSquared * ((Double.pi / 2) * (alpha2 + beta2) - alpha2)
                + r * (r - 1) * keyNormSquared * ((alpha2 - beta2 / (dimension - 1)) / (bias * bias) - alpha2)
        }
        let variance = Swift.max(0, (fullBlocks * block(dimension) + block(remainder)) / (sketch * sketch))
        return EstimatorMoments(mean: geometry.innerProduct, variance: variance)
    }
}
