@_exported import RealModule

/// The scalar types JLSketch computes in: `Float` and `Double`.
///
/// The protocol is the single dispatch point to OpenBLAS (CBLAS), LAPACKE and FFTW, so that
/// everything above this module is written once, generically. One conformance file per type
/// (`Float+LinearAlgebraScalar.swift`, `Double+LinearAlgebraScalar.swift`). The requirements
/// are the raw C entry points with 32-bit sizes (BLAS and LAPACK use 32-bit indices here);
/// use the checked Swift wrappers (``Matrix``, ``BLAS``, ``QRFactorization``, ``DCTPlan``)
/// rather than calling them directly.
public protocol LinearAlgebraScalar: BinaryFloatingPoint, Real, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// Name used in manifests: "float" or "double".
    static var precisionName: String { get }

    /// `C ← α·op(A)·op(B) + β·C`, row-major (cblas_?gemm).
    static func blasGEMM(
        transposeA: Bool, transposeB: Bool, m: Int32, n: Int32, k: Int32,
        alpha: Self, a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int32)

    /// `y ← α·op(A)·x + β·y`, row-major (cblas_?gemv).
    static func blasGEMV(
        transpose: Bool, m: Int32, n: Int32, alpha: Self, a: UnsafePointer<Self>, lda: Int32,
        x: UnsafePointer<Self>, incx: Int32, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int32)

    /// `Σ xᵢyᵢ` (cblas_?dot).
    static func blasDot(n: Int32, x: UnsafePointer<Self>, incx: Int32, y: UnsafePointer<Self>, incy: Int32) -> Self

    /// `‖x‖₂` without overflow (cblas_?nrm2).
    static func blasNorm2(n: Int32, x: UnsafePointer<Self>, incx: Int32) -> Self

    /// Householder QR, row-major (LAPACKE_?geqrf). Returns LAPACK's info.
    static func lapackGEQRF(m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, tau: UnsafeMutablePointer<Self>) -> Int32

    /// Forms Q from geqrf's reflectors, row-major (LAPACKE_?orgqr). Returns LAPACK's info.
    static func lapackORGQR(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, tau: UnsafePointer<Self>) -> Int32

    /// Creates an out-of-place, unaligned FFTW r2r plan of kind REDFT10 (DCT-II) of length n.
    /// Must be called under ``FFTWPlanner``'s lock. Returns nil if FFTW refuses.
    static func fftwPlanDCTII(length: Int32) -> OpaquePointer?
    /// Creates an out-of-place, unaligned FFTW r2r plan of kind REDFT01 (DCT-III) of length n.
    static func fftwPlanDCTIII(length: Int32) -> OpaquePointer?
    /// Executes a plan on new arrays (fftw_execute_r2r); thread-safe.
    static func fftwExecute(_ plan: OpaquePointer, input: UnsafeMutablePointer<Self>, output: UnsafeMutablePointer<Self>)
    /// Destroys a plan. Must be called under ``FFTWPlanner``'s lock.
    static func fftwDestroy(_ plan: OpaquePointer)
}
