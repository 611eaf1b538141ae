import JLLinearAlgebra
import JLRandom
import QJL

/// Which Lloyd–Max codebook a TurboQuant quantizer uses for the rotated unit coordinates.
public enum CodebookChoice: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Optimal for the exact coordinate law f_X at this d (``CoordinateLaw/sphereCoordinate(dimension:)``).
    case exactSphere
    /// The N(0, 1) codebook scaled by 1/√d (the large-d limit).
    case gaussianLimit

    public var description: String { rawValue }
}

/// TurboQuant_mse (arXiv 2504.19874, Algorithm 1 and Theorem 1; theory.md §5.2): a Haar rotation
/// followed by a b-bit Lloyd–Max scalar quantizer on every coordinate of the rotated unit vector,
/// plus the norm.
///
/// ```
/// Π = Q·diag(sign diag R),  G = Q·R,  G[i, j] = RandomStream(seed).child("TurboQuant").child("rotation").gaussian(at: i·d + j)
/// y = Π x / ‖x‖,   idx_j = argmin_k |y_j − c_k|,   store (idx, ‖x‖)
/// x̃ = ‖x‖ · Πᵀ ỹ,  ỹ_j = c_{idx_j}
/// ⟨q, x̃⟩ = ‖x‖ · Σ_j (Π q)_j · c_{idx_j}
/// E‖x − x̃‖² = ‖x‖² · d · C(f_X, b)       (D_mse, per unit vector)
/// ```
/// The codebook (``LloydMaxCodebook``) is computed once at init and cached in the value. The
/// rotation is built in Double and rounded to `Scalar`, so Float and Double quantizers of one seed
/// share Π. Inner products are biased: for b = 1, E⟨q, x̃⟩ = d·μ_d²·⟨q, x⟩ → (2/π)·⟨q, x⟩
/// (``LloydMaxCodebook/oneBitMeanFactor(dimension:)``).
///
/// - Complexity: init O(d³) (one QR) plus the Lloyd iterations; quantize O(n·d²) (one gemm) plus
///   O(n·d·b); estimate O(d²) + O(n·d).
public struct TurboQuantMSE<Scalar: LinearAlgebraScalar>: Sendable {
    /// Input dimension d.
    public let inputDimension: Int
    /// Bits per coordinate b.
    public let bits: Int
    /// Master seed of the rotation.
    public let seed: UInt64
    /// Precision of the stored norms ‖x‖.
    public let normPrecision: NormPrecision
    /// The cached Lloyd–Max codebook.
    public let codebook: LloydMaxCodebook
    /// The centroids in unit-vector coordinates (codebook centroids × scale), ascending.
    public let centroids: [Scalar]
    /// The cell boundaries in unit-vector coordinates, ascending.
    public let boundaries: [Scalar]
    /// The Haar rotation Π (d×d, row-major): y = Π x.
    public let rotation: Matrix<Scalar>

    /// A quantizer with a freshly computed codebook.
    /// - Parameters:
    ///   - inputDimension: d ≥ 2.
    ///   - bits: b ∈ 1...8.
    ///   - seed: seeds the rotation.
    ///   - normPrecision: how ‖x‖ is stored (default Float32).
    ///   - codebook: the exact f_X codebook (default) or the scaled Gaussian one.
    /// - Throws: ``TurboQuantError`` for d < 2, b outside 1...8, or a LAPACK failure.
    /// - Complexity: O(d³) plus the Lloyd iterations.
    public init(inputDimension: Int, bits: Int, seed: UInt64, normPrecision: NormPrecision = .float32,
                codebook: CodebookChoice = .exactSphere) throws(TurboQuantError) {
        guard inputDimension >= 2 else { throw .invalidDimension(inputDimension, minimum: 2) }
        let law: CoordinateLaw = codebook == .exactSphere ? .sphereCoordinate(dimension: inputDimension) : .standardNormal
        try self.init(inputDimension: inputDimension, codebook: LloydMaxCodebook(law: law, bits: bits),
                      seed: seed, normPrecision: normPrecision)
    }

    /// A quantizer reusing a computed codebook (for the sphere law it must be at dimension d;
    /// a N(0, 1) codebook is scaled by 1/√d).
    /// - Throws: ``TurboQuantError/codebookMismatch(_:)`` if the sphere law has another d;
    ///   ``TurboQuantError/invalidDimension(_:minimum:)`` for d < 2.
    /// - Complexity: O(d³).
    public init(inputDimension: Int, codebook: LloydMaxCodebook, seed: UInt64,
                normPrecision: NormPrecision = .float32) throws(TurboQuantError) {
        guard inputDimension >= 2 else { throw .invalidDimension(inputDimension, minimum: 2) }
        let scale: Double
        switch codebook.law {
        case .standardNormal: scale = 1 / Double(inputDimension).squareRoot()
        case let .sphereCoordinate(d):
            guard d == inputDimension else {
                throw .codebookMismatch("the codebook is for the sphere law at d = \(d), the quantizer has d = \(inputDimension)")
            }
            scale = 1
        }
        self.inputDimension = inputDimension
        self.bits = codebook.bits
        self.seed = seed
        self.normPrecision = normPrecision
        self.codebook = codebook
        self.centroids = codebook.centroids.map { Scalar($0 * scale) }
        self.boundaries = codebook.boundaries.map { Scalar($0 * scale) }
        self.rotation = try Self.haarRotation(dimension: inputDimension, seed: seed).converted(to: Scalar.self)
    }

    /// The Haar rotation for (d, seed), in Double:
    /// ```
    /// G[i, j] = RandomStream(seed).child("TurboQuant").child("rotation").gaussian(at: i·d + j)
    /// Π = Q·diag(sign diag R)      (Mezzadri 2007, arXiv math-ph/0609050)
    /// ```
    /// - Complexity: O(d³).
    public static func haarRotation(dimension d: Int, seed: UInt64) throws(TurboQuantError) -> Matrix<Double> {
        let stream = RandomStream(seed: seed).child("TurboQuant").child("rotation")
        do {
            let gaussian = try Matrix(rows: d, columns: d, elements: stream.gaussians(d * d, as: Double.self))
            return try QRFactorization.haarFactor(ofGaussian: gaussian, signCorrection: true)
        } catch { throw .linearAlgebra(error) }
    }

    /// Π·q for one query.
    /// - Throws: ``TurboQuantError/dimensionMismatch(what:expected:actual:)``.
    /// - Complexity: O(d²).
    public func rotate(_ query: [Scalar]) throws(TurboQuantError) -> [Scalar] {
        guard query.count == inputDimension else {
            throw .dimensionMismatch(what: "query dimension d", expected: inputDimension, actual: query.count)
        }
        do { return try BLAS.multiply(rotation, query) } catch { throw .linearAlgebra(error) }
    }

    /// Quantizes the rows of `vectors` (n×d).
    /// - Throws: ``TurboQuantError`` for a wrong width, NaN/∞ entries, or a norm that overflows
    ///   ``normPrecision``.
    /// - Complexity: O(n·d²) (gemm) plus O(n·d·b).
    public func quantize(_ vectors: Matrix<Scalar>) throws(TurboQuantError) -> TurboQuantMSECodes {
        let d = inputDimension, n = vectors.rows
        guard vectors.columns == d else {
            throw .dimensionMismatch(what: "vector dimension d", expected: d, actual: vectors.columns)
        }
        try validateFinite(vectors.elements, what: "vectors")
        let rotated: Matrix<Scalar>
        do { rotated = try BLAS.multiply(vectors, rotation, transposeB: true) } catch { throw .linearAlgebra(error) }
        var norms = [Double](repeating: 0, count: n)
        var indices = PackedIndices(bitsPerIndex: bits, indicesPerVector: d, count: n)
        rotated.elements.withUnsafeBufferPointer { y in
            for i in 0..<n {
                var sum = 0.0
                for j in 0..<d { sum += Double(y[i * d + j]) * Double(y[i * d + j]) }
                let norm = sum.squareRoot()
                norms[i] = norm
                let inverse = norm > 0 ? 1 / norm : 0
                for j in 0..<d {
                    let unit = Scalar(Double(y[i * d + j]) * inverse)
                    indices.setFresh(vector: i, coordinate: j,
                                     value: LloydMaxCodebook.nearestIndex(unit, boundaries: boundaries))
                }
            }
        }
        return TurboQuantMSECodes(count: n, inputDimension: d, bits: bits, indices: indices,
                                  normPrecision: normPrecision, norms: try NormStorage(norms, precision: normPrecision))
    }

    /// The reconstructions x̃_i = ‖x_i‖·Πᵀ ỹ_i (rows of the result, n×d), ‖x_i‖ as stored.
    /// - Throws: ``TurboQuantError/codebookMismatch(_:)`` if the codes are from another shape.
    /// - Complexity: O(n·d²) (one gemm).
    public func dequantize(_ codes: TurboQuantMSECodes) throws(TurboQuantError) -> Matrix<Scalar> {
        try checkCodes(codes)
        let d = inputDimension, n = codes.count
        var scaled = [Scalar](repeating: 0, count: n * d)
        for i in 0..<n {
            let norm = Scalar(codes.vectorNorm(i))
            for j in 0..<d { scaled[i * d + j] = norm * centroids[codes.indices.index(vector: i, coordinate: j)] }
        }
        do {
            return try BLAS.multiply(Matrix(rows: n, columns: d, elements: scaled), rotation)
        } catch { throw .linearAlgebra(error) }
    }

    /// ⟨q, x̃_i⟩ for every stored vector, from the rotated query (Π q computed once).
    /// ```
    /// ⟨q, x̃_i⟩ = ‖x_i‖ · Σ_j (Π q)_j · c_{idx_ij}
    /// ```
    /// - Throws: ``TurboQuantError`` for a wrong query length, NaN/∞ query entries or foreign codes.
    /// - Complexity: O(d²) + O(n·d).
    public func estimateInnerProducts(query: [Scalar], codes: TurboQuantMSECodes) throws(TurboQuantError) -> [Scalar] {
        try checkCodes(codes)
        try validateFinite(query, what: "query")
        let rotatedQuery = try rotate(query)
        return innerProducts(rotatedQuery: rotatedQuery, codes: codes)
    }

    /// The inner-product loop on an already rotated query (validated by the caller).
    @inlinable
    func innerProducts(rotatedQuery: [Scalar], codes: TurboQuantMSECodes) -> [Scalar] {
        let d = inputDimension
        return (0..<codes.count).map { i in
            rotatedQuery.withUnsafeBufferPointer { q in
                centroids.withUnsafeBufferPointer { c in
                    var sum: Scalar = 0
                    for j in 0..<d { sum += q[j] * c[codes.indices.index(vector: i, coordinate: j)] }
                    return Scalar(codes.vectorNorm(i)) * sum
                }
            }
        }
    }

    func checkCodes(_ codes: TurboQuantMSECodes) throws(TurboQuantError) {
        guard codes.inputDimension == inputDimension, codes.bits == bits else {
            throw .codebookMismatch("codes have d = \(codes.inputDimension), b = \(codes.bits); the quantizer has d = \(inputDimension), b = \(bits)")
        }
    }
}

/// What TurboQuant_mse stores for n vectors: packed b-bit indices and the norms ‖x‖.
public struct TurboQuantMSECodes: Sendable, Hashable {
    /// Number of vectors n.
    public let count: Int
    /// Dimension d.
    public let inputDimension: Int
    /// Bits per index b.
    public let bits: Int
    /// The packed indices.
    public let indices: PackedIndices
    /// Precision of the stored norms.
    public let normPrecision: NormPrecision
    @usableFromInline let norms: NormStorage

    init(count: Int, inputDimension: Int, bits: Int, indices: PackedIndices, normPrecision: NormPrecision, norms: NormStorage) {
        self.count = count
        self.inputDimension = inputDimension
        self.bits = bits
        self.indices = indices
        self.normPrecision = normPrecision
        self.norms = norms
    }

    /// ‖x_i‖ as stored (rounded to ``normPrecision``).
    @inlinable
    public func vectorNorm(_ i: Int) -> Float { norms.value(i) }

    /// All stored norms.
    public var vectorNorms: [Float] { norms.decoded }

    /// Bytes actually allocated: index words plus norms.
    public var allocatedBytes: Int { indices.allocatedBytes + norms.allocatedBytes }

    /// The itemized account; `totalBits / 8 == allocatedBytes`.
    /// ```
    /// indices = n·d·b,   padding = n·(64·⌈d·b/64⌉ − d·b),   norms = n·(16 or 32)
    /// ```
    public var bitLedger: BitLedger {
        BitLedger(components: ledgerComponents(prefix: ""), tokens: count, coordinatesPerToken: inputDimension)
    }

    func ledgerComponents(prefix: String) -> [BitLedger.Component] {
        [
            .init(name: "\(prefix)codebook indices (b = \(bits) per coordinate)", bits: count * inputDimension * bits),
            .init(name: "\(prefix)index padding (to ⌈d·b/64⌉ words)", bits: indices.paddingBits),
            .init(name: "\(prefix)vector norms ‖x‖ (\(normPrecision))", bits: count * normPrecision.bitsPerNorm),
        ]
    }
}
