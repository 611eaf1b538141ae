import Foundation

/// Mean and exact variance of the asymmetric QJL estimator with i.i.d. Gaussian S.
///
/// ```
/// Prod_QJL(q,k) = (√(π/2)/m) ‖k‖ ⟨Sq, sign(Sk)⟩
/// E Prod = ⟨q,k⟩,   Var Prod = ((π/2)‖q‖²‖k‖² − ⟨q,k⟩²) / m
/// ```
/// - Throws: `TheoryError.invalidInteger` if m < 1.
/// - Complexity: O(1).
/// - Source: theory.md §1.1 (Definition 3.1), §1.3 (Lemma 3.2), §2.1 (variance);
///   Zandieh–Daliri–Han, arXiv 2406.03482.
public func qjlGaussianMoments(_ geometry: InnerProductGeometry,
                               sketchDimension m: Int) throws(TheoryError) -> EstimatorMoments {
    try requireInteger(m, "sketchDimension", atLeast: 1)
    let g = geometry
    let perRow = (Double.pi / 2) * g.queryNormSquared * g.keyNormSquared - g.innerProduct * g.innerProduct
    return EstimatorMoments(mean: g.innerProduct, variance: Swift.max(0, perRow) / Double(m))
}

/// Mean and variance of the unquantized Gaussian JL inner-product estimator (1/m)⟨Sq, Sk⟩.
///
/// ```
/// E = ⟨q,k⟩,   Var = (‖q‖²‖k‖² + ⟨q,k⟩²) / m          (Isserlis)
/// ```
/// - Throws: `TheoryError.invalidInteger` if m < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.2 and §6 ("Unquantized Gaussian JL inner product").
public func unquantizedJLInnerProductMoments(_ geometry: InnerProductGeometry,
                                             sketchDimension m: Int) throws(TheoryError) -> EstimatorMoments {
    try requireInteger(m, "sketchDimension", atLeast: 1)
    let g = geometry
    let perRow = g.queryNormSquared * g.keyNormSquared + g.innerProduct * g.innerProduct
    return EstimatorMoments(mean: g.innerProduct, variance: perRow / Double(m))
}

/// Mean and variance of the Gaussian JL squared-norm estimator ‖Sx‖²/m.
///
/// ```
/// E = ‖x‖²,   Var = 2‖x‖⁴ / m          (‖Sx‖²/‖x‖² ~ χ²_m)
/// ```
/// - Throws: `TheoryError` if m < 1 or ‖x‖² is negative or not finite.
/// - Complexity: O(1).
/// - Source: theory.md §6 ("Unquantized Gaussian JL inner product").
public func unquantizedJLSquaredNormMoments(normSquared: Double,
                                            sketchDimension m: Int) throws(TheoryError) -> EstimatorMoments {
    try requireInteger(m, "sketchDimension", atLeast: 1)
    try requireReal(normSquared, "normSquared", "finite and ≥ 0") { $0 >= 0 }
    return EstimatorMoments(mean: normSquared, variance: 2 * normSquared * normSquared / Double(m))
}

/// Mean and variance of the outlier-split QJL estimator with Gaussian S (disjoint channel sets).
///
/// ```
/// Est = Prod(q_I, k_I; m rows) + Prod(q_O, k_O; m_O rows)
/// E Est = ⟨q_I,k_I⟩ + ⟨q_O,k_O⟩
/// Var   = [(π/2)‖q_I‖²‖k_I‖² − ⟨q_I,k_I⟩²]/m + [(π/2)‖q_O‖²‖k_O‖² − ⟨q_O,k_O⟩²]/m_O
/// ```
/// Exact for Gaussian S (the parts use disjoint columns, hence are independent); only
/// approximate for QR-orthogonalized S.
/// - Throws: `TheoryError.invalidInteger` if m < 1 or m_O < 1.
/// - Complexity: O(1).
/// - Source: theory.md §2.6.
public func qjlOutlierSplitMoments(inliers: InnerProductGeometry, outliers: InnerProductGeometry,
                                   sketchDimension m: Int,
                                   outlierSketchDimension outlierM: Int) throws(TheoryError) -> EstimatorMoments {
    try requireInteger(outlierM, "outlierSketchDimension", atLeast: 1)
    let inlier = try qjlGaussianMoments(inliers, sketchDimension: m)
    let outlier = try qjlGaussianMoments(outliers, sketchDimension: outlierM)
    return EstimatorMoments(mean: inlier.mean + outlier.mean, variance: inlier.variance + outlier.variance)
}

/// Expected relative squared distortion of QJL scores for one query and n keys (Gaussian S).
///
/// ```
/// E‖â − a‖² / ‖a‖² = Σ_j [(π/2)‖q‖²‖k_j‖² − a_j²] / (m Σ_j a_j²),    a_j = ⟨q, k_j⟩
/// ```
/// Exact: the errors are correlated across j, but the expected squared error is additive.
/// - Throws: `TheoryError` if m < 1, the arrays are empty or of different lengths, a value is
///   not finite, a key norm is negative, a pair violates Cauchy–Schwarz, or Σ a_j² = 0.
/// - Complexity: O(n).
/// - Source: theory.md §2.8.
public func qjlExpectedRelativeScoreDistortion(queryNormSquared: Double, keyNormsSquared: [Double],
                                               innerProducts: [Double],
                                               sketchDimension m: Int) throws(TheoryError) -> Double {
    try requireInteger(m, "sketchDimension", atLeast: 1)
    guard keyNormsSquared.count == innerProducts.count else {
        throw .lengthMismatch(first: "keyNormsSquared", firstCount: keyNormsSquared.count,
                              second: "innerProducts", secondCount: innerProducts.count)
    }
    try requireInteger(keyNormsSquared.count, "number of keys", atLeast: 1)
    var numerator = 0.0
    var signal = 0.0
    for (keyNormSquared, innerProduct) in zip(keyNormsSquared, innerProducts) {
        let pair = try InnerProductGeometry(queryNormSquared: queryNormSquared,
                                            keyNormSquared: keyNormSquared, innerProduct: innerProduct)
        numerator += (Double.pi / 2) * pair.queryNormSquared * pair.keyNormSquared - innerProduct * innerProduct
        signal += innerProduct * innerProduct
    }
    guard signal > 0 else {
        throw .invalidReal(name: "Σ innerProducts²", value: signal, requirement: "> 0 (relative error undefined)")
    }
    return Swift.max(0, numerator) / (Double(m) * signal)
}
