import JLLinearAlgebra
import JLRandom

/// The sparse sign JL transform (Kane–Nelson, J. ACM 2014, arXiv 1012.1577; s = 1 is the
/// CountSketch of Charikar–Chen–Farach-Colton 2002 / Clarkson–Woodruff arXiv 1207.6365):
/// every column has exactly s nonzeros, at distinct uniformly random rows, with random signs.
/// ```
/// column stream  γ_j = RandomStream(seed).child("SparseSignJL").child(j)
/// rows R_j = {r_0 … r_{s−1}} ⊂ 0..<m: Floyd's sampling without replacement with
///            RandomCursor(γ_j).nextInt(below:) (uniform s-subset, O(s²))
/// S[r_t, j] = ±√(m/s), sign = γ_j.child("signs").rademacher(at: t);  all other entries 0
/// E[S_ij²] = (s/m)·(m/s) = 1,   E‖Sx‖² = m‖x‖²  exactly
/// ```
/// The ±√(m/s) scaling is this toolkit's unit-second-moment convention (the usual sparse JL
/// normalization is ±1/√s, i.e. ours divided by √m). Entries of one row are iid (columns are
/// independent): ``RowLaw/sparseSign(nonzerosPerColumn:sketchDimension:)``.
///
/// The value caches the d·s row indices and values.
///
/// - Complexity: init O(d·s²); `apply` O(s·d) per vector; `materialize` O(m·d).
public struct SparseSignJL<Scalar: LinearAlgebraScalar>: JLTransform {
    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// Master seed.
    public let seed: UInt64
    /// Nonzeros per column s (1 ≤ s ≤ m).
    public let nonzerosPerColumn: Int
    /// Row index of nonzero t of column j at `[j·s + t]`.
    let rowIndices: [Int]
    /// Value (±√(m/s)) of nonzero t of column j at `[j·s + t]`.
    let values: [Scalar]

    /// Builds S for (d, m, seed, s).
    /// - Throws: ``TransformError/invalidInputDimension(_:)``, ``TransformError/invalidSketchDimension(_:reason:)``,
    ///   ``TransformError/invalidOption(_:)`` unless 1 ≤ s ≤ m.
    /// - Complexity: O(d·s²).
    public init(inputDimension: Int, sketchDimension: Int, seed: UInt64, nonzerosPerColumn: Int = 1) throws(TransformError) {
        let d = inputDimension, m = sketchDimension, s = nonzerosPerColumn
        try TransformValidation.dimensions(inputDimension: d, sketchDimension: m)
        guard s >= 1, s <= m else {
            throw .invalidOption("sparse sign needs 1 ≤ nonzeros per column ≤ m; got s = \(s) with m = \(m)")
        }
        try TransformValidation.denseSize(rows: d, columns: s, sketchDimension: m, what: "the nonzeros")
        let magnitude = (Double(m) / Double(s)).squareRoot()
        var rowIndices = [Int](), values = [Scalar]()
        rowIndices.reserveCapacity(d * s)
        values.reserveCapacity(d * s)
        let root = RandomStream(seed: seed).child("SparseSignJL")
        for j in 0..<d {
            let column = root.child(UInt64(j))
            let signs = column.child("signs")
            var cursor = RandomCursor(stream: column)
            let start = rowIndices.count
            // Floyd's algorithm: for upper = m−s … m−1 draw t < upper+1; take t, or upper if t is taken.
            for upper in (m - s)..<m {
                let t = cursor.nextInt(below: upper + 1)
                rowIndices.append(rowIndices[start...].contains(t) ? upper : t)
            }
            for t in 0..<s { values.append(Scalar(signs.rademacher(at: UInt64(t)) * magnitude)) }
        }
        self.inputDimension = d
        self.sketchDimension = m
        self.seed = seed
        self.nonzerosPerColumn = s
        self.rowIndices = rowIndices
        self.values = values
    }

    /// `.sparseSign(nonzerosPerColumn: s, sketchDimension: m)`.
    public var rowLaw: RowLaw { .sparseSign(nonzerosPerColumn: nonzerosPerColumn, sketchDimension: sketchDimension) }

    /// E‖Sx‖² = m‖x‖².
    public var squaredNormScale: Double { Double(sketchDimension) }

    /// Family "SparseSignJL", option nonzerosPerColumn.
    public var specification: TransformSpecification {
        TransformSpecification(family: "SparseSignJL", inputDimension: inputDimension, sketchDimension: sketchDimension,
                               seed: seed, options: ["nonzerosPerColumn": String(nonzerosPerColumn)],
                               precision: Scalar.precisionName)
    }

    /// y = S·x by scattering each column's s nonzeros (columns in order 0..<d).
    /// - Note: pre-specialized for Float and Double; calls through `any JLTransform<Scalar>`
    ///   would otherwise run the unspecialized generic loop.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func applyUnchecked(_ x: UnsafeBufferPointer<Scalar>, into y: UnsafeMutableBufferPointer<Scalar>) {
        let s = nonzerosPerColumn
        for k in 0..<y.count { y[k] = 0 }
        rowIndices.withUnsafeBufferPointer { rows in
            values.withUnsafeBufferPointer { vals in
                for j in 0..<inputDimension {
                    let xj = x[j]
                    for t in (j * s)..<((j + 1) * s) { y[rows[t]] += vals[t] * xj }
                }
            }
        }
    }

    /// `S·x`. - Complexity: O(s·d + m).
    public func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        try TransformValidation.vector(count: x.count, inputDimension: inputDimension)
        var y = [Scalar](repeating: 0, count: sketchDimension)
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { applyUnchecked(px, into: $0) } }
        return y
    }

    /// `X·Sᵀ`, one row at a time. - Complexity: O(n·(s·d + m)).
    public func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        try mapRows(of: batch, inputDimension: inputDimension, outputColumns: sketchDimension) { x, y in
            applyUnchecked(x, into: y)
        }
    }

    /// S with its d·s nonzeros placed. - Complexity: O(m·d).
    public func materialize() throws(TransformError) -> Matrix<Scalar> {
        var s: Matrix<Scalar>
        do { s = try Matrix(rows: sketchDimension, columns: inputDimension) } catch { throw .linearAlgebra(error) }
        for j in 0..<inputDimension {
            for t in (j * nonzerosPerColumn)..<((j + 1) * nonzerosPerColumn) {
                s[rowIndices[t], j] = values[t]
            }
        }
        return s
    }
}
