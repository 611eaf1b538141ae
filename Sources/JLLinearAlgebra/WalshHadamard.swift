/// The fast Walsh–Hadamard transform (FWHT) in the Sylvester (natural) order.
///
/// ```
/// H_1 = [1],   H_{2n} = [[H_n, H_n], [H_n, −H_n]],   y = H_n · x   (entries ±1, unnormalized)
/// ```
/// `H_n/√n` is orthogonal and symmetric, so it is its own inverse.
///
/// - Complexity: n·log₂ n additions, in place, for n a power of two.
public enum WalshHadamard {
    /// Whether `n` is a power of two (n ≥ 1).
    @inlinable
    public static func isPowerOfTwo(_ n: Int) -> Bool {
        n > 0 && n & (n - 1) == 0
    }

    /// In-place unnormalized FWHT of `x` (length a power of two; other lengths are rejected).
    public static func transform<Scalar: LinearAlgebraScalar>(_ x: inout [Scalar]) throws(LinearAlgebraError) {
        guard isPowerOfTwo(x.count) else {
            throw .shapeMismatch("FWHT needs a power-of-two length, got \(x.count)")
        }
        x.withUnsafeMutableBufferPointer { transformUnchecked($0) }
    }

    /// In-place unnormalized FWHT of a buffer whose length the caller has checked is a power
    /// of two. Butterflies are grouped so the innermost loop runs over contiguous halves.
    @inlinable
    public static func transformUnchecked<Scalar: LinearAlgebraScalar>(_ x: UnsafeMutableBufferPointer<Scalar>) {
        let n = x.count
        guard n > 1, let base = x.baseAddress else { return }
        var half = 1
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
}
