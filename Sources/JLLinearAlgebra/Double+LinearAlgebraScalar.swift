import RealModule
internal import CBLASLAPACKE
internal import CFFTW3

extension Double: LinearAlgebraScalar {
    public static var precisionName: String { "double" }

    public static func blasGEMM(
        transposeA: Bool, transposeB: Bool, m: Int32, n: Int32, k: Int32,
        alpha: Double, a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int32
    ) {
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func blasGEMV(
        transpose: Bool, m: Int32, n: Int32, alpha: Double, a: UnsafePointer<Double>, lda: Int32,
        x: UnsafePointer<Double>, incx: Int32, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int32
    ) {
        cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    public static func blasDot(n: Int32, x: UnsafePointer<Double>, incx: Int32, y: UnsafePointer<Double>, incy: Int32) -> Double {
        cblas_ddot(n, x, incx, y, incy)
    }

    public static func blasNorm2(n: Int32, x: UnsafePointer<Double>, incx: Int32) -> Double {
        cblas_dnrm2(n, x, incx)
    }

    public static func lapackGEQRF(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, tau: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m, n, a, lda, tau)
    }

    public static func lapackORGQR(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, tau: UnsafePointer<Double>) -> Int32 {
        LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m, n, k, a, lda, tau)
    }

    public static func fftwPlanDCTII(length: Int32) -> OpaquePointer? {
        planR2R(length: length, kind: FFTW_REDFT10)
    }

    public static func fftwPlanDCTIII(length: Int32) -> OpaquePointer? {
        planR2R(length: length, kind: FFTW_REDFT01)
    }

    private static func planR2R(length: Int32, kind: fftw_r2r_kind) -> OpaquePointer? {
        let n = Int(length)
        let input = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let output = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { input.deallocate(); output.deallocate() }
        return fftw_plan_r2r_1d(length, input, output, kind, FFTW_ESTIMATE | FFTW_UNALIGNED)
    }

    public static func fftwExecute(_ plan: OpaquePointer, input: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Double>) {
        fftw_execute_r2r(plan, input, output)
    }

    public static func fftwDestroy(_ plan: OpaquePointer) {
        fftw_destroy_plan(plan)
    }
}
