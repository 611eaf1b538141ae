/// The fast Walsh–Hadamard transform (FWHT) in the Sylvester (natural) order.
///
/// ```
/// H_1 = [1],   H_{2n} = [[H_n, H_n], [H_n, −H_n]],   y = H_n · x   (entries ±1, unnormalized)
/// ```
/// `H_n/√n` is orthogonal and symmetric, so it is its own inverse.
///
/// Every butterfly computes `(a + b, a − b)` in the same order on every path (scalar, SIMD,
/// fused radix-4, the AVX2 kernel), so Float and Double results are bit-identical to the plain
/// radix-2 loop.
///
/// Float and Double buffers run the AVX2 kernel of `CJLKernels` when the CPU has AVX2 (a
/// runtime check): blocks of 128 Floats / 32 Doubles are transformed entirely in the ymm
/// registers, the remaining stages in radix-8/4/2 passes over whole registers. Without AVX2
/// they run the Swift `SIMD8<Float>` / `SIMD4<Double>` paths.
///
/// - Complexity: n·log₂ n additions, in place, for n a power of two.
public enum WalshHadamard {
    /// Whether `n` is a power of two (n ≥ 1).
    @inlinable
    public static func isPowerOfTwo(_ n: Int) -> Bool {
        n > 0 && n & (n - 1) == 0
    }

    /// In-place unnormalized FWHT of `x` (length a power of two; other lengths are rejected).
    @inlinable
    public static func transform<Scalar: LinearAlgebraScalar>(_ x: inout [Scalar]) throws(LinearAlgebraError) {
        guard isPowerOfTwo(x.count) else {
            throw .shapeMismatch("FWHT needs a power-of-two length, got \(x.count)")
        }
        x.withUnsafeMutableBufferPointer { transformUnchecked($0) }
    }

    /// In-place unnormalized FWHT of a buffer whose length the caller has checked is a power
    /// of two. Float and Double take the SIMD paths (``transformUnchecked(_:)-(UnsafeMutableBufferPointer<Float>)``);
    /// any other conforming type takes the scalar radix-2 loop.
    @inlinable
    public static func transformUnchecked<Scalar: LinearAlgebraScalar>(_ x: UnsafeMutableBufferPointer<Scalar>) {
        if Scalar.self == Float.self {
            x.withMemoryRebound(to: Float.self) { transformFloat($0) }
        } else if Scalar.self == Double.self {
            x.withMemoryRebound(to: Double.self) { transformDouble($0) }
        } else {
            guard let base = x.baseAddress else { return }
            scalarStages(base, count: x.count, firstHalf: 1)
        }
    }

    /// In-place unnormalized FWHT of a Float buffer (length a power of two, unchecked):
    /// stages of half-length 1, 2, 4 inside each 8-lane block with lane shuffles, then the
    /// stages of half-length ≥ 8 on `SIMD8<Float>` columns, two stages per pass (radix 4).
    @inlinable
    public static func transformUnchecked(_ x: UnsafeMutableBufferPointer<Float>) {
        transformFloat(x)
    }

    /// In-place unnormalized FWHT of a Double buffer (length a power of two, unchecked):
    /// stages 1, 2 inside each 4-lane block, then stages ≥ 4 on `SIMD4<Double>` columns.
    @inlinable
    public static func transformUnchecked(_ x: UnsafeMutableBufferPointer<Double>) {
        transformDouble(x)
    }

    // MARK: implementation

    /// Radix-2 scalar stages of half-length `firstHalf, 2·firstHalf, …, count/2`.
    @inlinable
    static func scalarStages<Scalar: BinaryFloatingPoint>(
        _ base: UnsafeMutablePointer<Scalar>, count n: Int, firstHalf: Int
    ) {
        var half = firstHalf
        while half < n {
            var start = 0
            while start < n {
                let lo = base + start, hi = base + start + half
                for i in 0..<half {
                    let a = lo[i], b = hi[i]
                    lo[i] = a + b
                    hi[i] = a - b
                }
                start += 2 * half
            }
            half *= 2
        }
    }

    /// Stages of half-length 1, 2, 4 on one 8-lane block, in registers. Lane i of
    /// `partner(v) + v·sign` is lower + upper (sign +1 on the lower lane) or lower − upper
    /// (sign −1 on the upper lane): every butterfly computes exactly what the scalar loop does.
    @inlinable @inline(__always)
    static func blockStages(_ v: SIMD8<Float>) -> SIMD8<Float> {
        var v = v
        v = SIMD8(v[1], v[0], v[3], v[2], v[5], v[4], v[7], v[6]) + v * SIMD8(1, -1, 1, -1, 1, -1, 1, -1)
        v = SIMD8(v[2], v[3], v[0], v[1], v[6], v[7], v[4], v[5]) + v * SIMD8(1, 1, -1, -1, 1, 1, -1, -1)
        let low = v.lowHalf, high = v.highHalf
        return SIMD8(lowHalf: low + high, highHalf: low - high)
    }

    /// Stages of half-length 1, 2 on one 4-lane Double block (see the Float version).
    @inlinable @inline(__always)
    static func blockStages(_ v: SIMD4<Double>) -> SIMD4<Double> {
        let v = SIMD4(v[1], v[0], v[3], v[2]) + v * SIMD4(1, -1, 1, -1)
        let low = v.lowHalf, high = v.highHalf
        return SIMD4(lowHalf: low + high, highHalf: low - high)
    }

    /// The Swift SIMD Float path (reference for the AVX2 kernel, and the fallback without it).
    @inlinable
    static func transformFloatPortable(_ x: UnsafeMutableBufferPointer<Float>) {
        typealias V = SIMD8<Float>
        let n = x.count
        guard n > 1, let base = x.baseAddress else { return }
        guard n >= 8 else {
            scalarStages(base, count: n, firstHalf: 1)
            return
        }
        let raw = UnsafeMutableRawPointer(base)
        let vectorBytes = MemoryLayout<V>.size, bytes = n * MemoryLayout<Float>.stride
        var offset = 0
        if n >= 32 {
            // Block stages 1, 2, 4 fused with stages 8, 16 (radix 4 over four blocks).
            while offset < bytes {
                let a = blockStages(raw.loadUnaligned(fromByteOffset: offset, as: V.self))
                let b = blockStages(raw.loadUnaligned(fromByteOffset: offset + vectorBytes, as: V.self))
                let c = blockStages(raw.loadUnaligned(fromByteOffset: offset + 2 * vectorBytes, as: V.self))
                let d = blockStages(raw.loadUnaligned(fromByteOffset: offset + 3 * vectorBytes, as: V.self))
                let s0 = a + b, d0 = a - b, s1 = c + d, d1 = c - d
                raw.storeBytes(of: s0 + s1, toByteOffset: offset, as: V.self)
                raw.storeBytes(of: d0 + d1, toByteOffset: offset + vectorBytes, as: V.self)
                raw.storeBytes(of: s0 - s1, toByteOffset: offset + 2 * vectorBytes, as: V.self)
                raw.storeBytes(of: d0 - d1, toByteOffset: offset + 3 * vectorBytes, as: V.self)
                offset += 4 * vectorBytes
            }
            columnStages(raw, count: n, firstHalf: 32, lane: V.self)
        } else {
            while offset < bytes {
                let v = raw.loadUnaligned(fromByteOffset: offset, as: V.self)
                raw.storeBytes(of: blockStages(v), toByteOffset: offset, as: V.self)
                offset += vectorBytes
            }
            columnStages(raw, count: n, firstHalf: 8, lane: V.self)
        }
    }

    /// The Swift SIMD Double path (reference for the AVX2 kernel, and the fallback without it).
    @inlinable
    static func transformDoublePortable(_ x: UnsafeMutableBufferPointer<Double>) {
        typealias V = SIMD4<Double>
        let n = x.count
        guard n > 1, let base = x.baseAddress else { return }
        guard n >= 4 else {
            scalarStages(base, count: n, firstHalf: 1)
            return
        }
        let raw = UnsafeMutableRawPointer(base)
        let vectorBytes = MemoryLayout<V>.size, bytes = n * MemoryLayout<Double>.stride
        var offset = 0
        if n >= 16 {
            while offset < bytes {
                let a = blockStages(raw.loadUnaligned(fromByteOffset: offset, as: V.self))
                let b = blockStages(raw.loadUnaligned(fromByteOffset: offset + vectorBytes, as: V.self))
                let c = blockStages(raw.loadUnaligned(fromByteOffset: offset + 2 * vectorBytes, as: V.self))
                let d = blockStages(raw.loadUnaligned(fromByteOffset: offset + 3 * vectorBytes, as: V.self))
                let s0 = a + b, d0 = a - b, s1 = c + d, d1 = c - d
                raw.storeBytes(of: s0 + s1, toByteOffset: offset, as: V.self)
                raw.storeBytes(of: d0 + d1, toByteOffset: offset + vectorBytes, as: V.self)
                raw.storeBytes(of: s0 - s1, toByteOffset: offset + 2 * vectorBytes, as: V.self)
                raw.storeBytes(of: d0 - d1, toByteOffset: offset + 3 * vectorBytes, as: V.self)
                offset += 4 * vectorBytes
            }
            columnStages(raw, count: n, firstHalf: 16, lane: V.self)
        } else {
            while offset < bytes {
                let v = raw.loadUnaligned(fromByteOffset: offset, as: V.self)
                raw.storeBytes(of: blockStages(v), toByteOffset: offset, as: V.self)
                offset += vectorBytes
            }
            columnStages(raw, count: n, firstHalf: 4, lane: V.self)
        }
    }

    /// Stages of half-length `firstHalf, …, n/2` (each a multiple of the lane width) on whole
    /// SIMD vectors. Two consecutive stages h, 2h are fused: with a = x_i, b = x_{i+h},
    /// c = x_{i+2h}, d = x_{i+3h} it writes ((a+b)+(c+d), (a−b)+(c−d), (a+b)−(c+d), (a−b)−(c−d)),
    /// exactly what two radix-2 passes compute, with half the loads and stores.
    @inlinable
    static func columnStages<V: SIMD>(
        _ raw: UnsafeMutableRawPointer, count n: Int, firstHalf: Int, lane: V.Type
    ) where V.Scalar: BinaryFloatingPoint {
        let width = V.scalarCount
        let stride = MemoryLayout<V.Scalar>.stride
        var half = firstHalf
        while 4 * half <= n {
            var start = 0
            while start < n {
                var i = start
                while i < start + half {
                    let pa = i * stride, pb = (i + half) * stride
                    let pc = (i + 2 * half) * stride, pd = (i + 3 * half) * stride
                    let a = raw.loadUnaligned(fromByteOffset: pa, as: V.self)
                    let b = raw.loadUnaligned(fromByteOffset: pb, as: V.self)
                    let c = raw.loadUnaligned(fromByteOffset: pc, as: V.self)
                    let d = raw.loadUnaligned(fromByteOffset: pd, as: V.self)
                    let s0 = a + b, d0 = a - b, s1 = c + d, d1 = c - d
                    raw.storeBytes(of: s0 + s1, toByteOffset: pa, as: V.self)
                    raw.storeBytes(of: d0 + d1, toByteOffset: pb, as: V.self)
                    raw.storeBytes(of: s0 - s1, toByteOffset: pc, as: V.self)
                    raw.storeBytes(of: d0 - d1, toByteOffset: pd, as: V.self)
                    i += width
                }
                start += 4 * half
            }
            half *= 4
        }
        if 2 * half <= n {
            // One radix-2 stage left (log₂ n − log₂ firstHalf odd).
            var start = 0
            while start < n {
                var i = start
                while i < start + half {
                    let pa = i * stride, pb = (i + half) * stride
                    let a = raw.loadUnaligned(fromByteOffset: pa, as: V.self)
                    let b = raw.loadUnaligned(fromByteOffset: pb, as: V.self)
                    raw.storeBytes(of: a + b, toByteOffset: pa, as: V.self)
                    raw.storeBytes(of: a - b, toByteOffset: pb, as: V.self)
                    i += width
                }
                start += 2 * half
            }
        }
    }
}
