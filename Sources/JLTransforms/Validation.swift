import JLLinearAlgebra

/// The largest number of entries a transform will hold in memory as a dense matrix
/// (2²⁸ = 268,435,456: 1 GiB in Float, 2 GiB in Double). Larger m·d (or d² for the orthogonal
/// blocks) is rejected with ``TransformError/invalidSketchDimension(_:reason:)`` instead of
/// attempting the allocation.
public let maximumDenseElementCount = 1 << 28

/// Checks shared by every transform's initializer.
enum TransformValidation {
    /// d ∈ 1...``maximumInputDimension`` and m ∈ 1...``maximumSketchDimension``.
    static func dimensions(inputDimension d: Int, sketchDimension m: Int) throws(TransformError) {
        guard d >= 1, d <= maximumInputDimension else { throw .invalidInputDimension(d) }
        guard m >= 1 else {
            throw .invalidSketchDimension(m, reason: "must be at least 1")
        }
        guard m <= maximumSketchDimension else {
            throw .invalidSketchDimension(m, reason: "must be at most \(maximumSketchDimension)")
        }
    }

    /// rows·columns ≤ ``maximumDenseElementCount`` for a matrix the transform stores.
    static func denseSize(rows: Int, columns: Int, sketchDimension m: Int, what: String) throws(TransformError) {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, count <= maximumDenseElementCount else {
            throw .invalidSketchDimension(
                m, reason: "\(what) would need \(rows)×\(columns) entries, above the limit \(maximumDenseElementCount)")
        }
    }

    /// `x.count == d`.
    static func vector(count: Int, inputDimension d: Int) throws(TransformError) {
        guard count == d else { throw .dimensionMismatch(expected: d, actual: count) }
    }
}

extension Matrix {
    /// `S·x` through gemv for a stored m×d sketch matrix, with errors mapped to ``TransformError``.
    func sketchProduct(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        try TransformValidation.vector(count: x.count, inputDimension: columns)
        do { return try BLAS.multiply(self, x) } catch { throw .linearAlgebra(error) }
    }

    /// `X·Sᵀ` through gemm for a stored m×d sketch matrix and an n×d batch.
    func sketchBatchProduct(_ batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        guard batch.columns == columns else { throw .dimensionMismatch(expected: columns, actual: batch.columns) }
        do { return try BLAS.multiply(batch, self, transposeB: true) } catch { throw .linearAlgebra(error) }
    }
}

/// Runs `body(input row, output row)` for every row of an n×d batch, giving an n×outputColumns
/// matrix. The rows are processed in order on the calling thread, so results never depend on
/// scheduling.
func mapRows<Scalar: LinearAlgebraScalar>(
    of batch: Matrix<Scalar>, inputDimension d: Int, outputColumns: Int,
    _ body: (UnsafeBufferPointer<Scalar>, UnsafeMutableBufferPointer<Scalar>) -> Void
) throws(TransformError) -> Matrix<Scalar> {
    guard batch.columns == d else { throw .dimensionMismatch(expected: d, actual: batch.columns) }
    var result: Matrix<Scalar>
    do { result = try Matrix(rows: batch.rows, columns: outputColumns) } catch { throw .linearAlgebra(error) }
    guard batch.rows > 0 else { return result }
    batch.elements.withUnsafeBufferPointer { input in
        result.elements.withUnsafeMutableBufferPointer { output in
            for i in 0..<batch.rows {
                let x = UnsafeBufferPointer(rebasing: input[(i * d)..<((i + 1) * d)])
                let y = UnsafeMutableBufferPointer(rebasing: output[(i * outputColumns)..<((i + 1) * outputColumns)])
                body(x, y)
            }
        }
    }
    return result
}
