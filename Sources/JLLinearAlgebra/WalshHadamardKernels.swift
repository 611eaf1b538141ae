internal import CJLKernels

/// Whether this CPU runs the AVX2 kernels of `CJLKernels` (cpuid, asked once per process;
/// an immutable lazily initialised value, not mutable state).
enum KernelSupport {
    static let avx2: Bool = jl_kernels_have_avx2() != 0
}

extension WalshHadamard {
    /// Float FWHT: the AVX2 kernel (n ≥ 8) when available, else ``transformFloatPortable(_:)``.
    /// Same bits either way.
    @usableFromInline
    static func transformFloat(_ x: UnsafeMutableBufferPointer<Float>) {
        if x.count >= 8, KernelSupport.avx2, let base = x.baseAddress {
            jl_fwht_f32_avx2(base, x.count)
        } else {
            transformFloatPortable(x)
        }
    }

    /// Double FWHT: the AVX2 kernel (n ≥ 4) when available, else ``transformDoublePortable(_:)``.
    @usableFromInline
    static func transformDouble(_ x: UnsafeMutableBufferPointer<Double>) {
        if x.count >= 4, KernelSupport.avx2, let base = x.baseAddress {
            jl_fwht_f64_avx2(base, x.count)
        } else {
            transformDoublePortable(x)
        }
    }
}
