import JLLinearAlgebra
import JLTransforms

/// The symmetric (sign–sign, SimHash) inner-product estimator: both q and k are quantized to
/// sign bits and the angle is estimated from their Hamming distance H (Charikar 2002,
/// doi:10.1145/509907.509965; arXiv 2406.03482 §3 explains why it is biased; theory.md §1.2, §2.7).
///
/// ```
/// est(q, k) = ‖q‖·‖k‖·cos(π·H/m),   H = #{r : bit_r(Sq) ≠ bit_r(Sk)}
/// ```
/// Bits use the module convention bit = 1 ⇔ (S·x)_r > 0, so sign(0) = −1 on both sides.
/// For iid Gaussian rows H ~ Binomial(m, p) with p = θ/π, θ = ∠(q, k), so the exact mean is
/// ```
/// E est = ‖q‖‖k‖·Re[(1 − p + p·e^{iπ/m})^m]  ≠ ⟨q,k⟩   (m = 64, θ = 1: 0.531419 vs cos 1 = 0.540302)
/// ```
public struct SymmetricSignEstimator: Sendable, Hashable {
    /// The law of one row of S.
    public let rowLaw: RowLaw
    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int

    /// - Throws: ``QJLError/invalidSketchDimension(_:)`` for m < 1, ``QJLError/invalidArgument(_:)`` for d < 1.
    public init(rowLaw: RowLaw, inputDimension: Int, sketchDimension: Int) throws(QJLError) {
        guard sketchDimension >= 1 else { throw .invalidSketchDimension(sketchDimension) }
        guard inputDimension >= 1 else { throw .invalidArgument("input dimension must be ≥ 1, got \(inputDimension)") }
        self.rowLaw = rowLaw
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
    }

    /// An estimator matching a transform's row law, d and m.
    public init<T: JLTransform>(transform: T) throws(QJLError) {
        try self.init(rowLaw: transform.rowLaw, inputDimension: transform.inputDimension,
                      sketchDimension: transform.sketchDimension)
    }

    /// ‖q‖‖k‖·cos(π·H/m).
    /// - Complexity: O(1).
    public func estimate(hammingDistance: Int, queryNorm: Double, keyNorm: Double) -> Double {
        queryNorm * keyNorm * Double.cos(Double.pi * Double(hammingDistance) / Double(sketchDimension))
    }

    /// The Hamming distance between key `i` of `a` and key `j` of `b` (same m): popcount of XOR
    /// over the packed words (padding bits are 0 in both).
    /// - Complexity: O(m/64).
    public static func hammingDistance(_ a: SignSketchBatch, _ i: Int, _ b: SignSketchBatch, _ j: Int) -> Int {
        var distance = 0
        for w in 0..<a.wordsPerKey {
            distance += (a.signBits[i * a.wordsPerKey + w] ^ b.signBits[j * b.wordsPerKey + w]).nonzeroBitCount
        }
        return distance
    }

    /// Estimates for every query (rows of `queries`) against every sketched key, using the
    /// stored key norms: an h×n matrix.
    /// - Throws: ``QJLError`` on mismatched dimensions or non-finite queries.
    /// - Complexity: one transform of the queries plus O(h·n·m/64).
    public func scores<T: JLTransform>(
        queries: Matrix<T.Scalar>, keys: SignSketchBatch, transform: T
    ) throws(QJLError) -> Matrix<T.Scalar> {
        guard transform.sketchDimension == sketchDimension, keys.sketchDimension == sketchDimension else {
            throw .dimensionMismatch(what: "sketch dimension m", expected: sketchDimension,
                                     actual: transform.sketchDimension == sketchDimension ? keys.sketchDimension : transform.sketchDimension)
        }
        let querySketch = try SignSketchBatch(keys: queries, transform: transform, normPrecision: .float32)
        let queryNorms = rowNorms(queries)
        var out = [T.Scalar](repeating: 0, count: queries.rows * keys.count)
        for h in 0..<queries.rows {
            for i in 0..<keys.count {
                let distance = Self.hammingDistance(querySketch, h, keys, i)
                out[h * keys.count + i] = T.Scalar(estimate(hammingDistance: distance, queryNorm: queryNorms[h],
                                                            keyNorm: Double(keys.keyNorm(i))))
            }
        }
        return try QJLScoring.matrix(queries.rows, keys.count, out)
    }

    /// The collision-free probability p = θ/π for iid Gaussian rows, or nil for other laws
    /// (dependent orthogonal rows make H non-binomial; Rademacher rows change p).
    public func flipProbability(q: [Double], k: [Double]) -> Double? {
        guard case .gaussian = rowLaw, q.count == k.count else { return nil }
        let qq = dotProduct(q, q), kk = dotProduct(k, k)
        guard qq > 0, kk > 0 else { return 0 }
        let cosine = max(-1, min(1, dotProduct(q, k) / (qq * kk).squareRoot()))
        return Double.acos(cosine) / Double.pi
    }

    /// The exact mean for iid Gaussian rows (closed form; nil for other row laws):
    /// ```
    /// E est = ‖q‖‖k‖·Re[(1 − p + p·e^{iπ/m})^m] = ‖q‖‖k‖·|z|^m·cos(m·arg z),  z = 1 − p + p·e^{iπ/m}
    /// ```
    /// - Complexity: O(d).
    public func mean(q: [Double], k: [Double]) -> Double? {
        guard let p = flipProbability(q: q, k: k) else { return nil }
        let scale = (dotProduct(q, q) * dotProduct(k, k)).squareRoot()
        let m = Double(sketchDimension)
        let re = 1 - p + p * Double.cos(Double.pi / m), im = p * Double.sin(Double.pi / m)
        let modulus = (re * re + im * im).squareRoot()
        return scale * Double.pow(modulus, m) * Double.cos(m * Double.atan2(y: im, x: re))
    }

    /// The exact variance for iid Gaussian rows, by the Binomial(m, p) pmf sum:
    /// ```
    /// Var = ‖q‖²‖k‖²·Σ_h P(H = h)·cos²(πh/m) − (E est)²
    /// ```
    /// - Complexity: O(m + d).
    public func variance(q: [Double], k: [Double]) -> Double? {
        guard let p = flipProbability(q: q, k: k), let mean = mean(q: q, k: k) else { return nil }
        let scale2 = dotProduct(q, q) * dotProduct(k, k)
        let moments = Self.cosineMoments(flipProbability: p, sketchDimension: sketchDimension)
        return max(0, scale2 * moments.second - mean * mean)
    }

    /// E cos(πH/m) and E cos²(πH/m) for H ~ Binomial(m, p), by summing the pmf (log-space).
    static func cosineMoments(flipProbability p: Double, sketchDimension m: Int) -> (first: Double, second: Double) {
        var first = 0.0, second = 0.0
        for h in 0...m {
            let probability: Double
            if p <= 0 { probability = h == 0 ? 1 : 0 }
            else if p >= 1 { probability = h == m ? 1 : 0 }
            else {
                let logChoose = Double.logGamma(Double(m + 1)) - Double.logGamma(Double(h + 1)) - Double.logGamma(Double(m - h + 1))
                probability = Double.exp(logChoose + Double(h) * Double.log(p) + Double(m - h) * Double.log(1 - p))
            }
            let c = Double.cos(Double.pi * Double(h) / Double(m))
            first += probability * c
            second += probability * c * c
        }
        return (first, second)
    }
}

/// The unquantized JL inner-product estimator, for comparison (theory.md §2.2):
/// ```
/// est(q, k) = ⟨S q, S k⟩ / (m·σ²),   σ² = E s_j² (1 for all row laws but haar(L), where σ² = L²/d)
/// ```
/// Unbiased for every row law with E[s sᵀ] = σ²·I. For iid Gaussian rows (Isserlis)
/// ```
/// Var = (‖q‖²‖k‖² + ⟨q,k⟩²)/m
/// ```
public struct UnquantizedJLEstimator: Sendable, Hashable {
    /// The law of one row of S.
    public let rowLaw: RowLaw
    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int

    /// - Throws: ``QJLError/invalidSketchDimension(_:)`` for m < 1, ``QJLError/invalidArgument(_:)`` for d < 1.
    public init(rowLaw: RowLaw, inputDimension: Int, sketchDimension: Int) throws(QJLError) {
        guard sketchDimension >= 1 else { throw .invalidSketchDimension(sketchDimension) }
        guard inputDimension >= 1 else { throw .invalidArgument("input dimension must be ≥ 1, got \(inputDimension)") }
        self.rowLaw = rowLaw
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
    }

    /// An estimator matching a transform's row law, d and m.
    public init<T: JLTransform>(transform: T) throws(QJLError) {
        try self.init(rowLaw: transform.rowLaw, inputDimension: transform.inputDimension,
                      sketchDimension: transform.sketchDimension)
    }

    /// σ² = E s_j², the per-entry second moment of a row.
    public var entrySecondMoment: Double {
        if case let .haar(length) = rowLaw { return length * length / Double(inputDimension) }
        return 1
    }

    /// ⟨Sq, Sk⟩/(m·σ²) from the two projections.
    /// - Throws: ``QJLError/dimensionMismatch(what:expected:actual:)`` if a length ≠ m.
    /// - Complexity: O(m).
    public func estimate<Scalar: LinearAlgebraScalar>(
        projectedQuery: [Scalar], projectedKey: [Scalar]
    ) throws(QJLError) -> Scalar {
        guard projectedQuery.count == sketchDimension else {
            throw .dimensionMismatch(what: "projected query S·q", expected: sketchDimension, actual: projectedQuery.count)
        }
        guard projectedKey.count == sketchDimension else {
            throw .dimensionMismatch(what: "projected key S·k", expected: sketchDimension, actual: projectedKey.count)
        }
        try validateFinite(projectedQuery, what: "projected query S·q")
        try validateFinite(projectedKey, what: "projected key S·k")
        var sum: Scalar = 0
        for r in 0..<sketchDimension { sum += projectedQuery[r] * projectedKey[r] }
        return sum / (Scalar(sketchDimension) * Scalar(entrySecondMoment))
    }

    /// The exact mean ⟨q,k⟩ (every row law with isotropic rows).
    public func mean(q: [Double], k: [Double]) -> Double? {
        guard q.count == k.count else { return nil }
        return dotProduct(q, k)
    }

    /// The exact variance (‖q‖²‖k‖² + ⟨q,k⟩²)/m for iid Gaussian rows; nil otherwise.
    public func variance(q: [Double], k: [Double]) -> Double? {
        guard case .gaussian = rowLaw, q.count == k.count else { return nil }
        let qk = dotProduct(q, k)
        return (dotProduct(q, q) * dotProduct(k, k) + qk * qk) / Double(sketchDimension)
    }
}
