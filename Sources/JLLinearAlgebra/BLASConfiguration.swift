internal import CBLASLAPACKE

/// The OpenBLAS build and threading configuration, for experiment manifests and for pinning
/// OpenBLAS to one thread while trials run in parallel.
///
/// OpenBLAS results can differ in the last bits between 1 and several threads (the reduction
/// order of a split gemm changes), so reproducible experiments pin it to one thread and record
/// ``configuration`` and ``coreName`` in every result file.
///
/// These wrap process-wide OpenBLAS state (the C library's own global); JLSketch keeps no copy.
public enum BLASConfiguration {
    /// The OpenBLAS build string, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`
    /// (`openblas_get_config()`).
    ///
    /// Read once per process (a `static let`, initialized exactly once under Swift's one-time
    /// initialization lock): `openblas_get_config()` rebuilds the string in one static C buffer
    /// on every call (`strcpy` + `strcat`), so two threads calling it at once could read a
    /// half-written string — which made two shards of one run record different configurations
    /// (seen under AddressSanitizer, where the window is wider).
    /// - Complexity: O(1).
    public static let configuration: String = {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }()

    /// The CPU kernel set OpenBLAS selected at load time, e.g. `Haswell` (`openblas_get_corename()`);
    /// read once per process, like ``configuration``.
    /// - Complexity: O(1).
    public static let coreName: String = {
        guard let text = openblas_get_corename() else { return "unknown" }
        return String(cString: text)
    }()

    /// The number of threads OpenBLAS uses for one call (`openblas_get_num_threads()`).
    /// - Complexity: O(1).
    public static var threadCount: Int {
        Int(openblas_get_num_threads())
    }

    /// Sets the number of threads OpenBLAS uses for one call (`openblas_set_num_threads`).
    ///
    /// Process-wide: it affects every BLAS call made afterwards from any thread.
    /// - Throws: ``LinearAlgebraError/invalidDimension(name:value:)`` when `count < 1`,
    ///   ``LinearAlgebraError/sizeTooLarge(name:value:)`` when it does not fit a C `int`.
    /// - Complexity: O(1) (OpenBLAS may start or park worker threads).
    public static func setThreadCount(_ count: Int) throws(LinearAlgebraError) {
        guard count >= 1 else { throw .invalidDimension(name: "OpenBLAS thread count", value: count) }
        guard let count32 = Int32(exactly: count) else {
            throw .sizeTooLarge(name: "OpenBLAS thread count", value: count)
        }
        openblas_set_num_threads(count32)
    }
}
