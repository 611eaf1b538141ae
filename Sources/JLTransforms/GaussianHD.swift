import JLLinearAlgebra
import JLRandom

/// A Gaussian sketch applied after a random-sign fast rotation (the QJL code's `rht=True`
/// option, theory.md §2.5):
/// ```
/// S = G·M·D
/// G[i, j] = RandomStream(seed).child("GaussianHD").gaussian(at: i·d + j)              (m×d, iid N(0,1))
/// D = diag(ε), ε_j = RandomStream(seed).child("GaussianHD").child("signs").rademacher(at: j)
/// M = H_d/√d (Walsh–Hadamard, power-of-two d) or C (orthonormal DCT-II), see MixingTransform
/// E‖Sx‖² = m‖x‖²
/// ```
/// M·D is a fixed orthogonal matrix and the law of G is rotation invariant, so the rows of S are
/// still exactly N(0, I_d) (``RowLaw/gaussian``): the rotation changes nothing in distribution,
/// which is the point of having it as a check. The value caches G (m×d) and the signs.
///
/// - Complexity: init O(m·d); `apply` O(d log d + md); `apply(batch:)` n rotations and one gemm;
///   `materialize` one gemm with the closed-form M·D (O(m·d²)).
public struct GaussianHD<Scalar: LinearAlgebraScalar>: JLTransform {
    /// The mixing matrix choice.
    public typealias Mixing = MixingTransform

    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// Master seed.
    public let seed: UInt64
    /// The mixing in use (resolved: `.hadamard` or `.dct`).
    public let mixing: Mixing
    /// The cached Gaussian factor G (m×d).
    public let gaussianFactor: Matrix<Scalar>
    let rotation: RandomSignMixing<Scalar>

    /// Builds (G, D, M) for (d, m, seed, mixing).
    /// - Throws: as ``GaussianJL``, plus ``TransformError/invalidOption(_:)`` for `.hadamard`
    ///   with d not a power of two.
    /// - Complexity: O(m·d).
    public init(inputDimension: Int, sketchDimension: Int, seed: UInt64, mixing: Mixing = .automatic) throws(TransformError) {
        let d = inputDimension, m = sketchDimension
        try TransformValidation.dimensions(inputDimension: d, sketchDimension: m)
        try TransformValidation.denseSize(rows: m, columns: d, sketchDimension: m, what: "the Gaussian factor")
        let resolved = try mixing.resolved(inputDimension: d)
        let root = RandomStream(seed: seed).child("GaussianHD")
        self.inputDimension = d
        self.sketchDimension = m
        self.seed = seed
        self.mixing = resolved
        self.gaussianFactor = try GaussianJL<Scalar>.gaussianMatrix(rows: m, columns: d, stream: root)
        self.rotation = RandomSignMixing(dimension: d, mixing: resolved, signStream: root.child("signs"),
                                         dctPlan: try RandomSignMixing<Scalar>.plan(for: resolved, dimension: d))
    }

    /// Row law N(0, I_d) (rotation invariance of G).
    public var rowLaw: RowLaw { .gaussian }

    /// E‖Sx‖² = m‖x‖².
    public var squaredNormScale: Double { Double(sketchDimension) }

    /// Family "GaussianHD", option mixing.
    public var specification: TransformSpecification {
        TransformSpecification(family: "GaussianHD", inputDimension: inputDimension, sketchDimension: sketchDimension,
                               seed: seed, options: ["mixing": mixing.rawValue], precision: Scalar.precisionName)
    }

    /// The n×d batch of rotated rows M·D·x.
    func rotated(_ batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        var workspace = [Scalar](repeating: 0, count: inputDimension)
        return try workspace.withUnsafeMutableBufferPointer { (work) throws(TransformError) -> Matrix<Scalar> in
            try mapRows(of: batch, inputDimension: inputDimension, outputColumns: inputDimension) { x, y in
                rotation.apply(x, into: y, workspace: work, scale: 1)
            }
        }
    }

    /// `G·(M·D·x)`. - Complexity: O(d log d + md).
    public func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        try TransformValidation.vector(count: x.count, inputDimension: inputDimension)
        let batch: Matrix<Scalar>
        do { batch = try Matrix(rows: 1, columns: inputDimension, elements: x) } catch { throw .linearAlgebra(error) }
        return try gaussianFactor.sketchProduct(rotated(batch).elements)
    }

    /// `(X·(M·D)ᵀ)·Gᵀ`: n fast rotations, then one gemm. - Complexity: O(n·d log d + nmd).
    public func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        try gaussianFactor.sketchBatchProduct(rotated(batch))
    }

    /// S = G·(M·D) in Double, with G regenerated from the seed and M·D from its closed form
    /// (not the fast transform), rounded to Scalar once. - Complexity: O(m·d²).
    public func materialize() throws(TransformError) -> Matrix<Scalar> {
        let d = inputDimension
        // G regenerated in Double (not the rounded cached factor), so the Float S is the
        // Double S rounded once.
        let gaussian = try GaussianJL<Double>.gaussianMatrix(
            rows: sketchDimension, columns: d, stream: RandomStream(seed: seed).child("GaussianHD"))
        do {
            let mixingMatrix = try Matrix<Double>(rows: d, columns: d) { k, j in
                rotation.entry(row: k, column: j, scale: 1)
            }
            return try BLAS.multiply(gaussian, mixingMatrix).converted(to: Scalar.self)
        } catch { throw .linearAlgebra(error) }
    }
}
