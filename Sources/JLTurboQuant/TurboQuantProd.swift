import JLLinearAlgebra
import JLRandom
import JLTransforms
import QJL

/// TurboQuant_prod (arXiv 2504.19874, Algorithm 2 and Theorem 2; theory.md §5.1, §5.3): a
/// TurboQuant_mse stage with b − 1 bits, then 1-bit QJL (Gaussian S ∈ R^{m×d}, m = d by default)
/// on the residual, giving an unbiased inner-product estimator.
///
/// ```
/// x̃_mse = DeQuant_mse(Quant_mse(x))            (b − 1 bits; x̃_mse = 0 when b = 1)
/// r = x − x̃_mse,   γ = ‖r‖,   store (idx, ‖x‖, sign(S r), γ)
/// ⟨q, x̃⟩ = ⟨q, x̃_mse⟩ + √(π/2)/m · γ · ⟨S q, sign(S r)⟩
/// E_S⟨q, x̃⟩ = ⟨q, x⟩                                       (Lemma 3.2 of arXiv 2406.03482)
/// Var_S⟨q, x̃⟩ = ((π/2)·‖q‖²·γ² − ⟨q, r⟩²) / m               (exact, theory.md §2.1)
/// D_prod = E|⟨q,x⟩ − ⟨q,x̃⟩|² ≤ (π/2)·‖q‖²·D_mse(b−1)/m       (‖x‖ = 1)
/// ```
/// With b = 1 there are no index bits and r = x (pure QJL; γ = ‖x‖). S is drawn from
/// `GaussianJL(seed: sketchSeed)`, independent of the rotation. The mean is exact when γ is stored
/// exactly; storing γ rounded multiplies the QJL term by γ_stored/γ (relative error ≤ 2⁻²⁴ in
/// Float32, ≤ 2⁻¹¹ in Float16).
///
/// - Complexity: quantize O(n·d²) (mse) + O(n·m·d) (sketch); estimate O(d² + m·d) + O(n·(d + m)).
public struct TurboQuantProd<Scalar: LinearAlgebraScalar>: Sendable {
    /// Input dimension d.
    public let inputDimension: Int
    /// Total bits per coordinate b (b − 1 for the indices, 1 for QJL when m = d).
    public let bits: Int
    /// The TurboQuant_mse stage with b − 1 bits; nil when b = 1.
    public let mse: TurboQuantMSE<Scalar>?
    /// The Gaussian QJL matrix S (m×d).
    public let sketch: GaussianJL<Scalar>
    /// The QJL estimator (iid Gaussian rows, constant √(π/2)).
    public let estimator: AsymmetricQJLEstimator
    /// Precision of the stored norms ‖x‖ and γ.
    public let normPrecision: NormPrecision

    /// QJL sketch dimension m.
    public var sketchDimension: Int { sketch.sketchDimension }

    /// A quantizer whose rotation and S both derive from `seed`:
    /// ```
    /// rotation seed = seed,   sketchSeed = word pair 0 of RandomStream(seed).child("TurboQuant").child("qjl")
    /// ```
    /// - Parameters:
    ///   - inputDimension: d ≥ 2.
    ///   - bits: b ∈ 1...9 (the mse stage takes b − 1 ≤ 8).
    ///   - seed: master seed.
    ///   - sketchDimension: m (default d).
    ///   - normPrecision: precision of ‖x‖ and γ (default Float32).
    ///   - codebook: codebook choice of the mse stage.
    /// - Throws: ``TurboQuantError`` for invalid d, b or m, or a LAPACK failure.
    public init(inputDimension: Int, bits: Int, seed: UInt64, sketchDimension: Int? = nil,
                normPrecision: NormPrecision = .float32, codebook: CodebookChoice = .exactSphere) throws(TurboQuantError) {
        guard (1...9).contains(bits) else { throw .invalidBits(bits, allowed: 1...9) }
        guard inputDimension >= 2 else { throw .invalidDimension(inputDimension, minimum: 2) }
        let mse = bits >= 2
            ? try TurboQuantMSE<Scalar>(inputDimension: inputDimension, bits: bits - 1, seed: seed,
                                        normPrecision: normPrecision, codebook: codebook)
            : nil
        try self.init(inputDimension: inputDimension, mse: mse, sketchSeed: Self.sketchSeed(from: seed),
                      sketchDimension: sketchDimension ?? inputDimension, normPrecision: normPrecision)
    }

    /// A quantizer from an existing mse stage (nil for b = 1) and an explicit seed for S, so that
    /// S can be redrawn with the rotation held fixed.
    /// - Throws: ``TurboQuantError`` for m < 1, d < 2, or an mse stage of another d.
    public init(inputDimension: Int, mse: TurboQuantMSE<Scalar>?, sketchSeed: UInt64, sketchDimension: Int,
                normPrecision: NormPrecision = .float32) throws(TurboQuantError) {
        guard inputDimension >= 2 else { throw .invalidDimension(inputDimension, minimum: 2) }
        guard sketchDimension >= 1 else { throw .invalidSketchDimension(sketchDimension) }
        if let mse, mse.inputDimension != inputDimension {
            throw .dimensionMismatch(what: "mse stage dimension d", expected: inputDimension, actual: mse.inputDimension)
        }
        self.inputDimension = inputDimension
        self.bits = (mse?.bits ?? 0) + 1
        self.mse = mse
        self.normPrecision = normPrecision
        do {
            self.sketch = try GaussianJL<Scalar>(inputDimension: inputDimension, sketchDimension: sketchDimension, seed: sketchSeed)
        } catch { throw .transform(error) }
        do {
            self.estimator = try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: inputDimension,
                                                        sketchDimension: sketchDimension)
        } catch { throw .qjl(error) }
    }

    /// The seed of S derived from a master seed (independent of the rotation's stream).
    public static func sketchSeed(from seed: UInt64) -> UInt64 {
        let block = RandomStream(seed: seed).child("TurboQuant").child("qjl").block(0)
        return UInt64(block.x) | UInt64(block.y) << 32
    }

    /// Quantizes the rows of `vectors` (n×d).
    /// - Throws: ``TurboQuantError`` for a wrong width, NaN/∞ entries or norms that overflow.
    /// - Complexity: O(n·d²) + O(n·m·d).
    public func quantize(_ vectors: Matrix<Scalar>) throws(TurboQuantError) -> TurboQuantProdCodes {
        guard vectors.columns == inputDimension else {
            throw .dimensionMismatch(what: "vector dimension d", expected: inputDimension, actual: vectors.columns)
        }
        try validateFinite(vectors.elements, what: "vectors")
        var residual = vectors
        var mseCodes: TurboQuantMSECodes?
        if let mse {
            let codes = try mse.quantize(vectors)
            let reconstruction = try mse.dequantize(codes)
            for k in 0..<residual.elements.count { residual.elements[k] -= reconstruction.elements[k] }
            mseCodes = codes
        }
        let projections: Matrix<Scalar>
        do { projections = try sketch.apply(batch: residual) } catch { throw .transform(error) }
        let d = inputDimension
        let residualNorms = (0..<residual.rows).map { i in
            var sum = 0.0
            for j in 0..<d { sum += Double(residual.elements[i * d + j]) * Double(residual.elements[i * d + j]) }
            return sum.squareRoot()
        }
        let signs: SignSketchBatch
        do {
            signs = try SignSketchBatch(projections: projections, keyNorms: residualNorms, inputDimension: d,
                                        normPrecision: normPrecision,
                                        normLabel: mse == nil ? "γ = ‖x‖ (b = 1: r = x)" : "residual norms γ = ‖r‖")
        } catch {
            if case let .normNotRepresentable(key, norm, precision) = error {
                throw .normNotRepresentable(vector: key, norm: norm, precision: precision)
            }
            throw .qjl(error)
        }
        return TurboQuantProdCodes(mse: mseCodes, residualSigns: signs)
    }

    /// ⟨q, x̃_i⟩ = ⟨q, x̃_mse,i⟩ + √(π/2)/m·γ_i·⟨S q, sign(S r_i)⟩ for every stored vector.
    /// - Throws: ``TurboQuantError`` for a wrong query length, NaN/∞ entries or foreign codes.
    /// - Complexity: O(d² + m·d) + O(n·(d + m)).
    public func estimateInnerProducts(query: [Scalar], codes: TurboQuantProdCodes) throws(TurboQuantError) -> [Scalar] {
        try checkCodes(codes)
        guard query.count == inputDimension else {
            throw .dimensionMismatch(what: "query dimension d", expected: inputDimension, actual: query.count)
        }
        try validateFinite(query, what: "query")
        var result = [Scalar](repeating: 0, count: codes.count)
        if let mse, let mseCodes = codes.mse {
            result = mse.innerProducts(rotatedQuery: try mse.rotate(query), codes: mseCodes)
        }
        let projected: [Scalar]
        do { projected = try sketch.apply(query) } catch { throw .transform(error) }
        let scale = Scalar(estimator.constant) / Scalar(sketchDimension)
        for i in 0..<codes.count {
            let sum = QJLScoring.signedSum(projected, keys: codes.residualSigns, index: i)
            result[i] += scale * Scalar(codes.residualSigns.keyNorm(i)) * sum
        }
        return result
    }

    /// The reconstructions x̃_i = x̃_mse,i + √(π/2)/m·γ_i·Sᵀ sign(S r_i) (rows, n×d).
    /// - Complexity: O(n·d²) + O(n·m·d).
    public func dequantize(_ codes: TurboQuantProdCodes) throws(TurboQuantError) -> Matrix<Scalar> {
        try checkCodes(codes)
        let n = codes.count, m = sketchDimension
        var weightedSigns = [Scalar](repeating: 0, count: n * m)
        let scale = Scalar(estimator.constant) / Scalar(m)
        for i in 0..<n {
            let weight = scale * Scalar(codes.residualSigns.keyNorm(i))
            for r in 0..<m { weightedSigns[i * m + r] = codes.residualSigns.bit(key: i, row: r) ? weight : -weight }
        }
        var result: Matrix<Scalar>
        do {
            result = try BLAS.multiply(Matrix(rows: n, columns: m, elements: weightedSigns), sketch.sketchMatrix)
        } catch { throw .linearAlgebra(error) }
        if let mse, let mseCodes = codes.mse {
            let base = try mse.dequantize(mseCodes)
            for k in 0..<result.elements.count { result.elements[k] += base.elements[k] }
        }
        return result
    }

    func checkCodes(_ codes: TurboQuantProdCodes) throws(TurboQuantError) {
        guard codes.residualSigns.sketchDimension == sketchDimension, codes.residualSigns.inputDimension == inputDimension,
              (codes.mse == nil) == (mse == nil) else {
            throw .codebookMismatch("codes were made by a quantizer of another shape (d, m or b)")
        }
    }
}

/// What TurboQuant_prod stores for n vectors: the mse indices and norms ‖x‖ (b ≥ 2), the QJL sign
/// bits of the residuals and their norms γ.
public struct TurboQuantProdCodes: Sendable, Hashable {
    /// The mse stage's codes (nil when b = 1).
    public let mse: TurboQuantMSECodes?
    /// sign(S r_i) and γ_i = ‖r_i‖.
    public let residualSigns: SignSketchBatch

    /// Number of vectors n.
    public var count: Int { residualSigns.count }

    /// γ_i as stored.
    public func residualNorm(_ i: Int) -> Float { residualSigns.keyNorm(i) }

    /// Bytes actually allocated (index words, norms, sign words, γ).
    public var allocatedBytes: Int { (mse?.allocatedBytes ?? 0) + residualSigns.allocatedBytes }

    /// The itemized account; `totalBits / 8 == allocatedBytes`.
    /// ```
    /// indices n·d·(b−1) + padding,  norms ‖x‖ n·(16|32),  QJL signs n·m + padding,  γ n·(16|32)
    /// ```
    /// For b = 1 the γ component is ‖x‖ itself.
    public var bitLedger: BitLedger {
        let qjl = residualSigns.bitLedger
        var components = mse?.ledgerComponents(prefix: "mse: ") ?? []
        for component in qjl.components { components.append(.init(name: "QJL: " + component.name, bits: component.bits)) }
        return BitLedger(components: components, tokens: count, coordinatesPerToken: residualSigns.inputDimension)
    }
}
