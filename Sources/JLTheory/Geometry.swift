/// The scalars of a query/key pair that every QJL moment depends on.
///
/// Notation of theory.md §2: k̂ = k/‖k‖, α = ⟨q, k̂⟩, β² = ‖q‖² − α², cos θ = α/‖q‖.
public struct InnerProductGeometry: Sendable, Equatable, Hashable {
    /// ‖q‖².
    public let queryNormSquared: Double
    /// ‖k‖².
    public let keyNormSquared: Double
    /// ⟨q, k⟩.
    public let innerProduct: Double

    /// Validates and stores the scalars.
    ///
    /// ```
    /// ‖q‖² ≥ 0,  ‖k‖² ≥ 0,  ⟨q,k⟩² ≤ ‖q‖²‖k‖²·(1 + 1e-12)
    /// ```
    /// - Throws: `TheoryError.invalidReal` for negative or non-finite values,
    ///   `.inconsistentGeometry` when Cauchy–Schwarz fails beyond rounding.
    public init(queryNormSquared: Double, keyNormSquared: Double, innerProduct: Double) throws(TheoryError) {
        try requireReal(queryNormSquared, "queryNormSquared", "finite and ≥ 0") { $0 >= 0 }
        try requireReal(keyNormSquared, "keyNormSquared", "finite and ≥ 0") { $0 >= 0 }
        try requireReal(innerProduct, "innerProduct", "finite") { _ in true }
        let normProduct = queryNormSquared * keyNormSquared
        guard innerProduct * innerProduct <= normProduct * (1 + 1e-12) else {
            throw .inconsistentGeometry(innerProductSquared: innerProduct * innerProduct, normProduct: normProduct)
        }
        self.queryNormSquared = queryNormSquared
        self.keyNormSquared = keyNormSquared
        self.innerProduct = innerProduct
    }

    /// Builds the scalars from norms and the cosine of the angle between q and k.
    ///
    /// ```
    /// ⟨q,k⟩ = ‖q‖‖k‖ cos θ
    /// ```
    /// - Throws: `TheoryError.invalidReal` for negative norms or |cos θ| > 1.
    public init(queryNorm: Double, keyNorm: Double, cosine: Double) throws(TheoryError) {
        try requireReal(queryNorm, "queryNorm", "finite and ≥ 0") { $0 >= 0 }
        try requireReal(keyNorm, "keyNorm", "finite and ≥ 0") { $0 >= 0 }
        try requireReal(cosine, "cosine", "in [−1, 1]") { Swift.abs($0) <= 1 }
        try self.init(queryNormSquared: queryNorm * queryNorm, keyNormSquared: keyNorm * keyNorm,
                      innerProduct: queryNorm * keyNorm * cosine)
    }

    /// α² = ⟨q, k̂⟩², the squared component of q along k (0 when k = 0).
    public var parallelComponentSquared: Double {
        keyNormSquared > 0 ? innerProduct * innerProduct / keyNormSquared : 0
    }

    /// β² = ‖q‖² − α², the squared component of q orthogonal to k (clamped at 0).
    public var perpendicularComponentSquared: Double {
        Swift.max(0, queryNormSquared - parallelComponentSquared)
    }
}

/// Mean and variance of an estimator.
public struct EstimatorMoments: Sendable, Equatable, Hashable {
    /// Expected value.
    public let mean: Double
    /// Variance.
    public let variance: Double

    /// Stores the two moments.
    public init(mean: Double, variance: Double) {
        self.mean = mean
        self.variance = variance
    }

    /// √variance.
    public var standardDeviation: Double { variance.squareRoot() }

    /// Mean squared error against `target`.
    ///
    /// ```
    /// MSE = Var + (mean − target)²
    /// ```
    public func meanSquaredError(target: Double) -> Double {
        variance + (mean - target) * (mean - target)
    }
}
