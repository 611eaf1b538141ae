/// Checked, generic wrappers over the BLAS routines JLSketch uses (OpenBLAS through CBLAS).
public enum BLAS {
    /// `C = op(A)·op(B)` for row-major matrices (gemm).
    ///
    /// ```
    /// C[i, j] = Σ_l op(A)[i, l] · op(B)[l, j]
    /// ```
    /// - Complexity: 2·m·n·k flops.
    @inlinable
    public static func multiply<Scalar>(
        _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, transposeA: Bool = false, transposeB: Bool = false
    ) throws(LinearAlgebraError) -> Matrix<Scalar> {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kB = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        guard k == kB else {
            throw .shapeMismatch("op(A) is \(m)×\(k) but op(B) is \(kB)×\(n)")
        }
        var c = try Matrix<Scalar>(rows: m, columns: n)
        guard m > 0, n > 0 else { return c }
        guard k > 0 else { return c }
        let m32 = try blasInt(m, "rows"), n32 = try blasInt(n, "columns"), k32 = try blasInt(k, "inner dimension")
        let lda = try blasInt(max(a.columns, 1), "lda"), ldb = try blasInt(max(b.columns, 1), "ldb")
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    if let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress {
                        Scalar.blasGEMM(
                            transposeA: transposeA, transposeB: transposeB, m: m32, n: n32, k: k32,
                            alpha: 1, a: pa, lda: lda, b: pb, ldb: ldb, beta: 0, c: pc, ldc: n32)
                    }
                }
            }
        }
        return c
    }

    /// `y = op(A)·x` (gemv).
    /// - Complexity: 2·rows·columns flops.
    @inlinable
    public static func multiply<Scalar>(
        _ a: Matrix<Scalar>, _ x: [Scalar], transpose: Bool = false
    ) throws(LinearAlgebraError) -> [Scalar] {
        let inner = transpose ? a.rows : a.columns
        let outer = transpose ? a.columns : a.rows
        guard x.count == inner else {
            throw .shapeMismatch("op(A) has \(inner) columns but x has \(x.count) entries")
        }
        var y = [Scalar](repeating: 0, count: outer)
        guard outer > 0, inner > 0 else { return y }
        let m32 = try blasInt(a.rows, "rows"), n32 = try blasInt(a.columns, "columns")
        a.elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    if let pa = pa.baseAddress, let px = px.baseAddress, let py = py.baseAddress {
                        Scalar.blasGEMV(
                            transpose: transpose, m: m32, n: n32, alpha: 1, a: pa, lda: n32,
                            x: px, incx: 1, beta: 0, y: py, incy: 1)
                    }
                }
            }
        }
        return y
    }

    /// `⟨x, y⟩ = Σ xᵢyᵢ` (dot).
    /// - Complexity: 2n flops.
    @inlinable
    public static func dot<Scalar: LinearAlgebraScalar>(_ x: [Scalar], _ y: [Scalar]) throws(LinearAlgebraError) -> Scalar {
        guard x.count == y.count else { throw .shapeMismatch("dot of lengths \(x.count) and \(y.count)") }
        guard !x.isEmpty else { return 0 }
        let n = try blasInt(x.count, "length")
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                // Non-empty arrays always have a base address; the guard only avoids a `!`.
                guard let bx = px.baseAddress, let by = py.baseAddress else { return 0 }
                return Scalar.blasDot(n: n, x: bx, incx: 1, y: by, incy: 1)
            }
        }
    }

    /// `‖x‖₂`, computed without overflow (nrm2).
    /// - Complexity: O(n).
    @inlinable
    public static func norm<Scalar: LinearAlgebraScalar>(_ x: [Scalar]) throws(LinearAlgebraError) -> Scalar {
        guard !x.isEmpty else { return 0 }
        let n = try blasInt(x.count, "length")
        return x.withUnsafeBufferPointer { px in
            guard let bx = px.baseAddress else { return 0 }
            return Scalar.blasNorm2(n: n, x: bx, incx: 1)
        }
    }
}
