internal import CJLKernels

/// Whether this CPU runs the AVX2 kernels of `CJLKernels` (cpuid, asked once per process;
/// an immutable lazily initialised value, not mutable state).
enum KernelSupport {
    static let avx2: Bool = jl_kernels_have_avx2() != 0
}

extension RandomStream {
    /// Whole Gaussian blocks into a Double buffer (length a multiple of 4): the AVX2 kernel
    /// when available, else ``fillGaussianBlocksPortable(_:firstBlock:)``. Same bits either way.
    @usableFromInline
    func fillGaussianBlocks(_ buffer: UnsafeMutableBufferPointer<Double>, firstBlock: UInt64) {
        guard KernelSupport.avx2, let base = buffer.baseAddress else {
            fillGaussianBlocksPortable(buffer, firstBlock: firstBlock)
            return
        }
        jl_philox_gaussian_f64_avx2(key.x, key.y, streamNumber, firstBlock, buffer.count / 4, base)
    }

    /// Whole Gaussian blocks into a Float buffer (each variate is the Double value rounded).
    @usableFromInline
    func fillGaussianBlocks(_ buffer: UnsafeMutableBufferPointer<Float>, firstBlock: UInt64) {
        guard KernelSupport.avx2, let base = buffer.baseAddress else {
            fillGaussianBlocksPortable(buffer, firstBlock: firstBlock)
            return
        }
        jl_philox_gaussian_f32_avx2(key.x, key.y, streamNumber, firstBlock, buffer.count / 4, base)
    }
}
