import JLLinearAlgebra
import JLRandom

/// How the unit rows of an ``OrthogonalJL`` block are scaled.
///
/// With u a Haar (uniform) unit vector and L the row length, one row is s = L·u; the QJL
/// estimator (constant √(π/2)) has mean E[L]/E[χ_d]·⟨q, k⟩ (theory.md §2.3–2.4):
/// ```
/// sqrtD        L = √d                     bias c_d = √(d/2)·Γ(d/2)/Γ((d+1)/2) ≈ 1 + 1/(4d)
/// chi          L = χ_d, independent per row  (rows marginally N(0, I_d)): unbiased
/// expectedChi  L = E[χ_d] = √2·Γ((d+1)/2)/Γ(d/2)                            : unbiased
/// ```
/// c_128 = 1.0019550. Sources: QJL official code (`QJLSketch`, rot=True) for sqrtD; Yu et al.,
/// "Orthogonal Random Features", NeurIPS 2016, arXiv 1610.09072, for chi.
public enum OrthogonalRowLength: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Every row has length √d (the official QJL code). E‖Sx‖² = m‖x‖².
    case sqrtD
    /// Row i has an independent χ_d length (ORF): rows are marginally exactly N(0, I_d).
    case chi
    /// Every row has length E[χ_d]. E‖Sx‖² = m·E[χ_d]²/d·‖x‖² (slightly below m).
    case expectedChi

    public var description: String { rawValue }
}

/// Orthogonal JL: independent Haar-orthogonal d×d blocks, stacked to m rows, with rows scaled
/// by a ``OrthogonalRowLength`` rule.
///
/// ```
/// B = ⌈m/d⌉ blocks, block b ∈ 0..<B has r_b = min(d, m − b·d) rows
/// G_b[i, j] = RandomStream(seed).child("OrthogonalJL").child(b).gaussian(at: i·d + j)   (d×r_b)
/// G_b = Q_b·R_b (Householder QR),  Q_b ← Q_b·diag(sign(diag R_b))   (if signCorrection)
/// S[b·d + k, :] = L_{b·d+k} · (column k of Q_b)ᵀ
/// L_i = √d | χ_d from RandomStream(seed).child("OrthogonalJL").child("rowLengths").chi(d, at: i) | E[χ_d]
/// ```
/// The sketch directions are the *columns* of Q, as in the official QJL code (theory.md §3.1).
/// A last partial block (r = m mod d rows) is the first r rows of the block a full d×d Gaussian
/// would give (Householder column k depends on columns ≤ k only), so it is an exact Haar r-frame.
/// Within a block, SSᵀ = L²·I; rows of different blocks are independent.
///
/// S is built in Double and cached in the value (rounded to Float for `Scalar == Float`, so both
/// precisions share one S). Without sign correction the factor is LAPACK's unnormalized Q
/// (like `torch.linalg.qr` in the QJL code); QJL itself is invariant to row signs (§2.3).
///
/// - Complexity: init O(m·d²) (one QR per block); `apply` 2md flops (gemv); `apply(batch:)` gemm.
public struct OrthogonalJL<Scalar: LinearAlgebraScalar>: JLTransform {
    /// The row-length rule.
    public typealias RowLength = OrthogonalRowLength

    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// Master seed.
    public let seed: UInt64
    /// Row-length rule.
    public let rowLength: RowLength
    /// Whether the Q factors are sign-corrected to be exactly Haar (Mezzadri 2007, arXiv math-ph/0609050).
    public let signCorrection: Bool
    /// The cached materialized S (m×d).
    public let sketchMatrix: Matrix<Scalar>

    /// Builds S for (d, m, seed, rowLength, signCorrection).
    /// - Throws: ``TransformError/invalidInputDimension(_:)``; ``TransformError/invalidSketchDimension(_:reason:)``
    ///   when m < 1 or m·d or d² exceeds ``maximumDenseElementCount``; ``TransformError/linearAlgebra(_:)``
    ///   if LAPACK fails.
    /// - Complexity: O(m·d²).
    public init(inputDimension: Int, sketchDimension: Int, seed: UInt64,
                rowLength: RowLength = .sqrtD, signCorrection: Bool = true) throws(TransformError) {
        let d = inputDimension, m = sketchDimension
        try TransformValidation.dimensions(inputDimension: d, sketchDimension: m)
        try TransformValidation.denseSize(rows: m, columns: d, sketchDimension: m, what: "the orthogonal matrix")
        try TransformValidation.denseSize(rows: d, columns: d, sketchDimension: m, what: "one d×d orthogonal block")
        self.inputDimension = d
        self.sketchDimension = m
        self.seed = seed
        self.rowLength = rowLength
        self.signCorrection = signCorrection

        let root = RandomStream(seed: seed).child("OrthogonalJL")
        let lengthStream = root.child("rowLengths")
        let constantLength: Double = rowLength == .expectedChi
            ? Self.expectedChi(degreesOfFreedom: d) : Double(d).squareRoot()
        var elements = [Scalar](repeating: 0, count: m * d)
        var blockStart = 0, block: UInt64 = 0
        while blockStart < m {
            let r = Swift.min(d, m - blockStart)
            let stream = root.child(block)
            // d×r Gaussian with the full-block addressing G[i, j] = gaussian(at: i·d + j).
            var gaussian = [Double](repeating: 0, count: d * r)
            for i in 0..<d {
                gaussian.withUnsafeMutableBufferPointer { buffer in
                    stream.fillGaussian(UnsafeMutableBufferPointer(rebasing: buffer[(i * r)..<((i + 1) * r)]),
                                        startingAt: UInt64(i * d))
                }
            }
            let q: Matrix<Double>
            do {
                q = try QRFactorization.haarFactor(
                    ofGaussian: Matrix(rows: d, columns: r, elements: gaussian), signCorrection: signCorrection)
            } catch { throw .linearAlgebra(error) }
            for k in 0..<r {
                let row = blockStart + k
                let length = rowLength == .chi
                    ? lengthStream.chi(degreesOfFreedom: d, at: UInt64(row)) : constantLength
                for j in 0..<d { elements[row * d + j] = Scalar(length * q[j, k]) }
            }
            blockStart += r
            block += 1
        }
        do { self.sketchMatrix = try Matrix(rows: m, columns: d, elements: elements) } catch { throw .linearAlgebra(error) }
    }

    /// E[χ_d], the mean length of a standard Gaussian vector in R^d:
    /// ```
    /// E[χ_d] = √2 · Γ((d+1)/2) / Γ(d/2)       (E[χ_128] = 11.291633)
    /// ```
    /// Computed through log Γ to avoid overflow. Returns 0 for d < 1.
    /// - Complexity: O(1).
    public static func expectedChi(degreesOfFreedom d: Int) -> Double {
        guard d >= 1 else { return 0 }
        let x = Double(d)
        return (2.0).squareRoot() * Double.exp(Double.logGamma((x + 1) / 2) - Double.logGamma(x / 2))
    }

    /// The QJL bias factor of √d-length Haar rows (theory.md §2.3):
    /// ```
    /// c_d = √d / E[χ_d] = √(d/2)·Γ(d/2)/Γ((d+1)/2) ≈ 1 + 1/(4d)     (c_128 = 1.0019550)
    /// ```
    /// - Complexity: O(1).
    public static func sqrtDBias(inputDimension d: Int) -> Double {
        Double(d).squareRoot() / expectedChi(degreesOfFreedom: d)
    }

    /// `.haar(length: √d)`, `.haarWithChiLength` or `.haar(length: E[χ_d])`.
    public var rowLaw: RowLaw {
        switch rowLength {
        case .sqrtD: .haar(length: Double(inputDimension).squareRoot())
        case .chi: .haarWithChiLength
        case .expectedChi: .haar(length: Self.expectedChi(degreesOfFreedom: inputDimension))
        }
    }

    /// m for sqrtD and chi; m·E[χ_d]²/d for expectedChi.
    public var squaredNormScale: Double {
        switch rowLength {
        case .sqrtD, .chi: Double(sketchDimension)
        case .expectedChi:
            Double(sketchDimension) * Self.expectedChi(degreesOfFreedom: inputDimension).squared() / Double(inputDimension)
        }
    }

    /// Family "OrthogonalJL", options rowLength and signCorrection.
    public var specification: TransformSpecification {
        TransformSpecification(family: "OrthogonalJL", inputDimension: inputDimension,
                               sketchDimension: sketchDimension, seed: seed,
                               options: ["rowLength": rowLength.rawValue, "signCorrection": String(signCorrection)],
                               precision: Scalar.precisionName)
    }

    /// `S·x` (gemv). - Complexity: 2md flops.
    public func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] { try sketchMatrix.sketchProduct(x) }

    /// `X·Sᵀ` (gemm). - Complexity: 2nmd flops.
    public func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        try sketchMatrix.sketchBatchProduct(batch)
    }

    /// The cached S.
    public func materialize() throws(TransformError) -> Matrix<Scalar> { sketchMatrix }
}

extension Double {
    fileprivate func squared() -> Double { self * self }
}
