import JLLinearAlgebra
import JLRandom

/// The dense Gaussian JL transform: S ∈ R^{m×d} with iid N(0, 1) entries, addressed so that any
/// entry can be regenerated on its own (the CUDA kernels rely on this exact addressing):
/// ```
/// stream  = RandomStream(seed: seed).child("GaussianJL")
/// S[i, j] = stream.gaussian(at: i·d + j)        (row-major index, 0 ≤ i < m, 0 ≤ j < d)
/// E‖Sx‖² = m·‖x‖²,   Var ‖Sx‖² = 2m·‖x‖⁴
/// ```
/// The value caches the materialized m×d matrix, built once at init (m·d Gaussians); Float
/// entries are the Double entries rounded to nearest, so the Float and Double transforms of one
/// seed are the same S. This is the S of QJL's Definition 3.1 (arXiv 2406.03482, theory.md §1.1,
/// §2.1): row law N(0, I_d).
///
/// - Complexity: init O(m·d) Philox blocks; `apply` one gemv (2md flops); `apply(batch:)` one
///   gemm (2nmd flops).
public struct GaussianJL<Scalar: LinearAlgebraScalar>: JLTransform {
    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// Master seed.
    public let seed: UInt64
    /// The cached materialized S (m×d, row-major).
    public let sketchMatrix: Matrix<Scalar>

    /// The label of the derived stream S is drawn from.
    public static var streamLabel: String { "GaussianJL" }

    /// Builds S for (d, m, seed).
    /// - Throws: ``TransformError/invalidInputDimension(_:)``,
    ///   ``TransformError/invalidSketchDimension(_:reason:)`` (m < 1, or m·d above
    ///   ``maximumDenseElementCount``).
    /// - Complexity: O(m·d).
    public init(inputDimension: Int, sketchDimension: Int, seed: UInt64) throws(TransformError) {
        try TransformValidation.dimensions(inputDimension: inputDimension, sketchDimension: sketchDimension)
        try TransformValidation.denseSize(rows: sketchDimension, columns: inputDimension,
                                          sketchDimension: sketchDimension, what: "the Gaussian matrix")
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
        self.seed = seed
        self.sketchMatrix = try Self.gaussianMatrix(
            rows: sketchDimension, columns: inputDimension,
            stream: RandomStream(seed: seed).child(Self.streamLabel))
    }

    /// An m×d matrix with entry (i, j) = `stream.gaussian(at: i·d + j)` rounded to Scalar.
    static func gaussianMatrix(rows: Int, columns: Int, stream: RandomStream) throws(TransformError) -> Matrix<Scalar> {
        var matrix: Matrix<Scalar>
        do { matrix = try Matrix(rows: rows, columns: columns) } catch { throw .linearAlgebra(error) }
        matrix.elements.withUnsafeMutableBufferPointer { stream.fillGaussian($0, startingAt: 0) }
        return matrix
    }

    /// Entry S[row, column] regenerated from the seed alone, in Double, without the cached matrix:
    /// ```
    /// S[i, j] = RandomStream(seed: seed).child("GaussianJL").gaussian(at: i·d + j)
    /// ```
    /// Indices are not range-checked (any (i, j) addresses a well-defined variate).
    /// - Complexity: one child derivation and one Philox block.
    public static func entry(row: Int, column: Int, inputDimension: Int, seed: UInt64) -> Double {
        RandomStream(seed: seed).child(streamLabel)
            .gaussian(at: UInt64(truncatingIfNeeded: row) &* UInt64(truncatingIfNeeded: inputDimension)
                      &+ UInt64(truncatingIfNeeded: column))
    }

    /// Entry S[row, column] of this transform regenerated from its seed (see the static form),
    /// rounded to Scalar: equal to `sketchMatrix[row, column]`.
    public func entry(row: Int, column: Int) -> Scalar {
        Scalar(Self.entry(row: row, column: column, inputDimension: inputDimension, seed: seed))
    }

    /// Row law N(0, I_d).
    public var rowLaw: RowLaw { .gaussian }

    /// E‖Sx‖² = m‖x‖².
    public var squaredNormScale: Double { Double(sketchDimension) }

    /// Family "GaussianJL", no options.
    public var specification: TransformSpecification {
        TransformSpecification(family: "GaussianJL", inputDimension: inputDimension,
                               sketchDimension: sketchDimension, seed: seed, precision: Scalar.precisionName)
    }

    /// `S·x` (gemv).
    /// - Complexity: 2md flops.
    public func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        try sketchMatrix.sketchProduct(x)
    }

    /// `X·Sᵀ` (gemm) for an n×d batch.
    /// - Complexity: 2nmd flops.
    public func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        try sketchMatrix.sketchBatchProduct(batch)
    }

    /// The cached S.
    public func materialize() throws(TransformError) -> Matrix<Scalar> { sketchMatrix }
}
