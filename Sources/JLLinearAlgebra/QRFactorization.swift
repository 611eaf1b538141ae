/// Householder QR through LAPACK (geqrf + orgqr), and Haar-distributed orthogonal matrices.
public enum QRFactorization {
    /// The orthonormal factor Q (rows × columns, rows ≥ columns) of `a = Q·R`, and the diagonal
    /// of R. Householder QR (LAPACK geqrf/orgqr) is not sign-normalized: diag R may be negative.
    ///
    /// - Complexity: O(rows · columns²) flops.
    public static func factor<Scalar>(_ a: Matrix<Scalar>) throws(LinearAlgebraError) -> (q: Matrix<Scalar>, rDiagonal: [Scalar]) {
        guard a.rows >= 1 else { throw .invalidDimension(name: "rows", value: a.rows) }
        guard a.columns >= 1 else { throw .invalidDimension(name: "columns", value: a.columns) }
        guard a.rows >= a.columns else {
            throw .shapeMismatch("QR needs rows ≥ columns, got \(a.rows)×\(a.columns)")
        }
        let m = try blasInt(a.rows, "rows"), n = try blasInt(a.columns, "columns")
        var work = a.elements
        var tau = [Scalar](repeating: 0, count: a.columns)
        var rDiagonal = [Scalar](repeating: 0, count: a.columns)
        var info: Int32 = 0
        work.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in
                guard let pa = pa.baseAddress, let pt = pt.baseAddress else { return }
                info = Scalar.lapackGEQRF(m: m, n: n, a: pa, lda: n, tau: pt)
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "geqrf", info: info) }
        for j in 0..<a.columns { rDiagonal[j] = work[j * a.columns + j] }
        work.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeBufferPointer { pt in
                guard let pa = pa.baseAddress, let pt = pt.baseAddress else { return }
                info = Scalar.lapackORGQR(m: m, n: n, k: n, a: pa, lda: n, tau: pt)
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "orgqr", info: info) }
        return (Matrix(validatedRows: a.rows, columns: a.columns, elements: work), rDiagonal)
    }

    /// A Haar-distributed orthogonal factor from a Gaussian matrix G (n×n, iid N(0,1)):
    /// ```
    /// G = Q·R,   Q_Haar = Q · diag(sign(diag R))
    /// ```
    /// The sign correction makes the law exactly Haar (Mezzadri 2007, arXiv math-ph/0609050);
    /// without it Householder QR's sign convention biases the law. For a tall G (rows > columns)
    /// the result has orthonormal columns whose span is uniformly distributed.
    ///
    /// - Parameters:
    ///   - g: the Gaussian matrix G (rows ≥ columns, iid N(0, 1) entries).
    ///   - signCorrection: apply the diag(sign R) correction (default true). `false`
    ///     reproduces the uncorrected factor, e.g. PyTorch's `linalg.qr` as in the official QJL code.
    /// - Complexity: O(rows · columns²).
    public static func haarFactor<Scalar>(
        ofGaussian g: Matrix<Scalar>, signCorrection: Bool = true
    ) throws(LinearAlgebraError) -> Matrix<Scalar> {
        var (q, rDiagonal) = try factor(g)
        guard signCorrection else { return q }
        for i in 0..<q.rows {
            for j in 0..<q.columns where rDiagonal[j] < 0 {
                q.elements[i * q.columns + j] = -q.elements[i * q.columns + j]
            }
        }
        return q
    }
}
