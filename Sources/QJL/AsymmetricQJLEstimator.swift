import JLLinearAlgebra
import JLTheory
import JLTransforms

/// The asymmetric QJL inner-product estimator (Definition 3.1, Eq. (4) of arXiv 2406.03482;
/// theory.md §1.1–1.3, §2.1, §2.3–2.5): the key is quantized to sign bits, the query is not.
///
/// ```
/// Prod(q, k) = (c / m) · ‖k‖ · ⟨S q, sign(S k)⟩
/// ```
/// The constant c comes from the transform's `RowLaw` (JLTransforms), never from its name:
/// - `.gaussian`, `.haarWithChiLength` (rows marginally N(0, I_d)): c = √(π/2), unbiased (Lemma 3.2).
/// - `.haar(length: L)`: with ``ConstantChoice/derived``, c = 1/(L·μ_d), unbiased, where
///   μ_d = E|u₁| = Γ(d/2)/(√π·Γ((d+1)/2)) for u uniform on S^{d−1}. With ``ConstantChoice/paper``,
///   c = √(π/2) and E Prod = c_L·⟨q,k⟩, c_L = √(π/2)·L·μ_d (= c_d = √(d/2)Γ(d/2)/Γ((d+1)/2) for
///   L = √d, the official code's rows; c_128 = 1.0019550; theory.md §2.3).
/// - `.rademacher`, `.sparseSign`, `.randomSignCosine` (SRHT rows): no constant makes Prod unbiased for every k (theory.md §2.5);
///   c = √(π/2) is used, ``isUnbiased`` is false and ``mean(q:k:)``/``variance(q:k:)`` are nil.
public struct AsymmetricQJLEstimator: Sendable, Hashable {
    /// Which constant multiplies the estimator.
    public enum ConstantChoice: String, Sendable, Hashable, Codable {
        /// The constant that makes the estimator unbiased for the row law (where one exists).
        case derived
        /// √(π/2) regardless of the row law, as in the paper and the official code.
        case paper
    }

    /// The law of one row of S.
    public let rowLaw: RowLaw
    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// The constant choice.
    public let constantChoice: ConstantChoice
    /// The constant c in `(c/m)·‖k‖·⟨Sq, sign(Sk)⟩`.
    public let constant: Double

    /// An estimator for S with the given row law and shape.
    /// - Throws: ``QJLError/invalidSketchDimension(_:)`` for m < 1, ``QJLError/invalidArgument(_:)``
    ///   for d < 1 or a Haar length ≤ 0.
    public init(rowLaw: RowLaw, inputDimension: Int, sketchDimension: Int,
                constant: ConstantChoice = .derived) throws(QJLError) {
        guard sketchDimension >= 1 else { throw .invalidSketchDimension(sketchDimension) }
        guard inputDimension >= 1 else { throw .invalidArgument("input dimension must be ≥ 1, got \(inputDimension)") }
        if case let .haar(length) = rowLaw, !(length > 0 && length.isFinite) {
            throw .invalidArgument("Haar row length must be positive and finite, got \(length)")
        }
        self.rowLaw = rowLaw
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
        self.constantChoice = constant
        let paperConstant = (Double.pi / 2).squareRoot()
        switch (rowLaw, constant) {
        case let (.haar(length), .derived):
            self.constant = 1 / (length * SpecialFunctions.meanAbsoluteSphereCoordinate(dimension: inputDimension))
        default:
            self.constant = paperConstant
        }
    }

    /// An estimator matching a transform's row law, d and m.
    public init<T: JLTransform>(transform: T, constant: ConstantChoice = .derived) throws(QJLError) {
        try self.init(rowLaw: transform.rowLaw, inputDimension: transform.inputDimension,
                      sketchDimension: transform.sketchDimension, constant: constant)
    }

    /// The factor f with E Prod = f·⟨q,k⟩, or nil where no such factor exists (Rademacher and
    /// sparse-sign rows, whose bias depends on k; theory.md §2.5).
    ///
    /// ```
    /// gaussian, haarWithChiLength: f = c·√(2/π)
    /// haar(L):                     f = c·L·μ_d
    /// ```
    public var meanFactor: Double? {
        switch rowLaw {
        case .gaussian, .haarWithChiLength:
            constant * (2 / Double.pi).squareRoot()
        case let .haar(length):
            constant * length * SpecialFunctions.meanAbsoluteSphereCoordinate(dimension: inputDimension)
        case .rademacher, .sparseSign, .randomSignCosine:
            nil
        }
    }

    /// Whether E Prod = ⟨q,k⟩ for every q, k (to rounding of the constant).
    public var isUnbiased: Bool {
        guard let factor = meanFactor else { return false }
        return abs(factor - 1) < 1e-12
    }

    /// The exact mean E_S Prod(q, k) = f·⟨q,k⟩, or nil for Rademacher/sparse-sign rows.
    /// - Complexity: O(d).
    public func mean(q: [Double], k: [Double]) -> Double? {
        guard let factor = meanFactor, q.count == k.count else { return nil }
        return factor * dotProduct(q, k)
    }

    /// The exact variance of Prod(q, k) (theory.md §2.1, §2.3–2.4):
    /// ```
    /// gaussian:           Var = c²·(‖q‖²‖k‖² − (2/π)·⟨q,k⟩²)/m   (= ((π/2)‖q‖²‖k‖² − ⟨q,k⟩²)/m for c = √(π/2))
    /// haar(L):            Var = Var_√d · (c·L / (√(π/2)·√d))²     (Var_√d: JLTheory.qjlOrthogonalMoments, .sqrtD)
    /// haarWithChiLength:  Var = Var_χ · (c / √(π/2))²              (JLTheory.qjlOrthogonalMoments, .chi)
    /// ```
    /// Orthogonal rows are dependent within a block of d rows; the closed forms account for it
    /// (they need d ≥ 2). Nil for Rademacher, sparse-sign and DCT rows (no closed form here), for
    /// d = 1 with orthogonal rows, and for mismatched lengths.
    /// - Complexity: O(d).
    public func variance(q: [Double], k: [Double]) -> Double? {
        guard q.count == k.count else { return nil }
        let qq = dotProduct(q, q), kk = dotProduct(k, k), qk = dotProduct(q, k)
        let m = Double(sketchDimension)
        let paperConstant = (Double.pi / 2).squareRoot()
        switch rowLaw {
        case .gaussian:
            return constant * constant * (qq * kk - (2 / Double.pi) * qk * qk) / m
        case let .haar(length):
            guard let geometry = try? InnerProductGeometry(queryNormSquared: qq, keyNormSquared: kk, innerProduct: qk),
                  let moments = try? qjlOrthogonalMoments(geometry, inputDimension: inputDimension,
                                                          sketchDimension: sketchDimension, scaling: .sqrtD)
            else { return nil }
            let scale = constant * length / (paperConstant * Double(inputDimension).squareRoot())
            return moments.variance * scale * scale
        case .haarWithChiLength:
            guard let geometry = try? InnerProductGeometry(queryNormSquared: qq, keyNormSquared: kk, innerProduct: qk),
                  let moments = try? qjlOrthogonalMoments(geometry, inputDimension: inputDimension,
                                                          sketchDimension: sketchDimension, scaling: .chi)
            else { return nil }
            let scale = constant / paperConstant
            return moments.variance * scale * scale
        case .rademacher, .sparseSign, .randomSignCosine:
            return nil
        }
    }

    /// Prod(q, k) from the projected query S·q and key i of a sign sketch.
    ///
    /// ```
    /// (c/m)·‖k_i‖·Σ_r (Sq)_r·(2·bit_r − 1)
    /// ```
    /// A zero key (stored norm 0) gives exactly 0.
    /// - Throws: ``QJLError/dimensionMismatch(what:expected:actual:)`` if `projectedQuery.count ≠ m`
    ///   or the sketch's m differs; ``QJLError/invalidArgument(_:)`` for an index out of range.
    /// - Complexity: O(m).
    @inlinable
    public func estimate<Scalar: LinearAlgebraScalar>(
        projectedQuery: [Scalar], keys: SignSketchBatch, index: Int
    ) throws(QJLError) -> Scalar {
        guard keys.sketchDimension == sketchDimension else {
            throw .dimensionMismatch(what: "sketch dimension m", expected: sketchDimension, actual: keys.sketchDimension)
        }
        guard projectedQuery.count == sketchDimension else {
            throw .dimensionMismatch(what: "projected query S·q", expected: sketchDimension, actual: projectedQuery.count)
        }
        guard (0..<keys.count).contains(index) else {
            throw .invalidArgument("key index \(index) outside 0..<\(keys.count)")
        }
        try validateFinite(projectedQuery, what: "projected query S·q")
        let sum = QJLScoring.signedSum(projectedQuery, keys: keys, index: index)
        return Scalar(constant) / Scalar(sketchDimension) * Scalar(keys.keyNorm(index)) * sum
    }

    /// Prod(q, k) computed from the vectors and the transform (one key, for tests and examples).
    /// - Throws: ``QJLError`` for non-finite input or mismatched dimensions.
    /// - Complexity: two transform applications plus O(m + d).
    public func estimate<T: JLTransform>(
        query: [T.Scalar], key: [T.Scalar], transform: T, normPrecision: NormPrecision = .float32
    ) throws(QJLError) -> T.Scalar {
        try checkShape(transform)
        try validateFinite(query, what: "query")
        guard query.count == inputDimension else {
            throw .dimensionMismatch(what: "query dimension d", expected: inputDimension, actual: query.count)
        }
        let keyMatrix: Matrix<T.Scalar>
        do { keyMatrix = try Matrix(rows: 1, columns: key.count, elements: key) } catch {
            throw .invalidArgument("key: \(error)")
        }
        let sketch = try SignSketchBatch(keys: keyMatrix, transform: transform, normPrecision: normPrecision)
        let projectedQuery: [T.Scalar]
        do { projectedQuery = try transform.apply(query) } catch { throw .transform(error) }
        return try estimate(projectedQuery: projectedQuery, keys: sketch, index: 0)
    }

    /// Scores of queries against all sketched keys (rows: queries, columns: keys). With several
    /// queries this is the GQA case (query heads sharing one key head): each key's bytes are
    /// read once for all heads. See ``QJLScoring/scores(projectedQueries:keys:constant:path:threads:)``.
    /// - Complexity: O(h·m·d) for the projections plus O(h·n·m/8) (lookup path).
    public func scores<T: JLTransform>(
        queries: Matrix<T.Scalar>, keys: SignSketchBatch, transform: T,
        path: ScoringPath = .lookupTable, threads: Int = 1
    ) throws(QJLError) -> Matrix<T.Scalar> {
        try checkShape(transform)
        guard queries.columns == inputDimension else {
            throw .dimensionMismatch(what: "query dimension d", expected: inputDimension, actual: queries.columns)
        }
        try validateFinite(queries.elements, what: "queries")
        let projected: Matrix<T.Scalar>
        do { projected = try transform.apply(batch: queries) } catch { throw .transform(error) }
        return try QJLScoring.scores(projectedQueries: projected, keys: keys, constant: constant, path: path, threads: threads)
    }

    func checkShape<T: JLTransform>(_ transform: T) throws(QJLError) {
        guard transform.inputDimension == inputDimension else {
            throw .dimensionMismatch(what: "transform input dimension d", expected: inputDimension, actual: transform.inputDimension)
        }
        guard transform.sketchDimension == sketchDimension else {
            throw .dimensionMismatch(what: "transform sketch dimension m", expected: sketchDimension, actual: transform.sketchDimension)
        }
    }
}

/// Σ xᵢyᵢ in Double (lengths assumed equal).
@inlinable
func dotProduct(_ x: [Double], _ y: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<min(x.count, y.count) { sum += x[i] * y[i] }
    return sum
}

/// The special functions the estimators' constants need.
public enum SpecialFunctions {
    /// μ_d = E|u₁| for u uniform on the unit sphere S^{d−1} (theory.md §2.3):
    /// ```
    /// μ_d = Γ(d/2) / (√π · Γ((d+1)/2)) = √(2/π) / E[χ_d]
    /// ```
    /// computed through log-Γ so that large d does not overflow.
    /// - Complexity: O(1).
    public static func meanAbsoluteSphereCoordinate(dimension d: Int) -> Double {
        let half = Double(d) / 2
        return Double.exp(Double.logGamma(half) - Double.logGamma(half + 0.5)) / Double.pi.squareRoot()
    }

    /// The multiplicative bias c_d of the paper-constant estimator with √d-scaled Haar rows:
    /// ```
    /// c_d = √(d/2) · Γ(d/2) / Γ((d+1)/2)        (c_128 = 1.0019550)
    /// ```
    public static func orthogonalBiasFactor(dimension d: Int) -> Double {
        (Double.pi / 2).squareRoot() * Double(d).squareRoot() * meanAbsoluteSphereCoordinate(dimension: d)
    }
}
