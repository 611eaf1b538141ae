import RealModule
internal import CBLASLAPACKE
internal import CFFTW3

extension Float: LinearAlgebraScalar {
    public static var precisionName: String { "float" }

    public static func blasGEMM(
        transposeA: Bool, transposeB: Bool, m: Int32, n: Int32, k: Int32,
        alpha: Float, a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int32
    ) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func blasGEMV(
        transpose: Bool, m: Int32, n: Int32, alpha: Float, a: UnsafePointer<Float>, lda: Int32,
        x: UnsafePointer<Float>, incx: Int32, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int32
    ) {
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    public static func blasDot(n: Int32, x: UnsafePointer<Float>, incx: Int32, y: UnsafePointer<Float>, incy: Int32) -> Float {
        cblas_sdot(n, x, incx, y, incy)
    }

    public static func blasNorm2(n: Int32, x: UnsafePointer<Float>, incx: Int32) -> Float {
        cblas_snrm2(n, x, incx)
    }

    public static func lapackGEQRF(m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, tau: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, m, n, a, lda, tau)
    }

    public static func lapackORGQR(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, tau: UnsafePointer<Float>) -> Int32 {
        LAPACKE_sorgqr(LAPACK_ROW_MAJOR, m, n, k, a, lda, tau)
    }

    public static func fftwPlanDCTII(length: Int32) -> OpaquePointer? {
        planR2R(length: length, kind: FFTW_REDFT10)
    }

    public static func fftwPlanDCTIII(length: Int32) -> OpaquePointer? {
        planR2R(length: length, kind: FFTW_REDFT01)
    }

    private static func planR2R(length: Int32, kind: fftw_r2r_kind) -> OpaquePointer? {
        let n = Int(length)
        let input = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { input.deallocate(); output.deallocate() }
        return fftwf_plan_r2r_1d(length, input, output, kind, FFTW_ESTIMATE | FFTW_UNALIGNED)
    }

    public static func fftwExecute(_ plan: OpaquePointer, input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        fftwf_execute_r2r(plan, input, output)
    }

    public static func fftwDestroy(_ plan: OpaquePointer) {
        fftwf_destroy_plan(plan)
    }
}
