import Foundation
import Testing
@testable import JLRandom

/// The deterministic Box–Muller map (RandomMaps.boxMuller) against libm and an independent
/// extended-precision reference, and the AVX2 Gaussian kernel against the Swift path.
struct GaussianKernelTests {
    /// Independent reference in Float80 (64-bit significand): r = √(−2 logl u₁); the angle is
    /// reduced to the nearest quarter turn, t′ = t − q/4 with q = round(4t) (exact), and
    /// (cos, sin)(2πt) = (cos, sin)(2πt′) rotated by q quarter turns (exact swaps and signs).
    /// A different reduction from the octant mirror in RandomMaps.turn, good to ~1e-18 relative.
    static func reference(_ w0: UInt32, _ w1: UInt32) -> (Float80, Float80) {
        let u1 = (Float80(w0) + 0.5) * 0x1p-32
        let t = (Float80(w1) + 0.5) * 0x1p-32
        let q = (4 * t).rounded()
        let angle = 2 * Float80.pi * (t - q / 4)
        let c = cosl(angle), s = sinl(angle)
        let (cosine, sine): (Float80, Float80)
        switch Int(q) % 4 {
        case 0: (cosine, sine) = (c, s)
        case 1: (cosine, sine) = (-s, c)
        case 2: (cosine, sine) = (-c, -s)
        default: (cosine, sine) = (s, -c)
        }
        let r = (-2 * logl(u1)).squareRoot()
        return (r * cosine, r * sine)
    }

    /// Words that stress the map: the ends of the uniform range, every octant boundary of the
    /// angle word (where cos or sin is near 0 or the mirror switches), and u₁ near 1 (ln u₁ ≈ 0).
    static var edgeWords: [UInt32] {
        var words: [UInt32] = [0, 1, 2, UInt32.max, UInt32.max - 1, 0x8000_0000, 0x7FFF_FFFF]
        for octant: UInt32 in 0..<8 {
            let base = octant << 29
            words += [base, base &+ 1, base &+ 2, base &- 1, base &- 2, base | 0x1000_0000]
        }
        return words
    }

    static func pairs(count: Int, seed: UInt64) -> [(UInt32, UInt32)] {
        let stream = RandomStream(seed: seed)
        var result = (0..<count).map { i -> (UInt32, UInt32) in
            let w = stream.block(UInt64(i))
            return (w.x, w.y)
        }
        for a in edgeWords { for b in edgeWords { result.append((a, b)) } }
        return result
    }

    /// Each variate within 2e-15 relative of the Float80 reference (measured max over 10⁸
    /// random pairs: 5.3e-16; docs/performance.md). Relative error, not
    /// absolute: z near 0 (angle at an octant boundary, or u₁ → 1) must be just as accurate.
    @Test func boxMullerMatchesExtendedPrecisionReference() {
        var worst = 0.0
        for (w0, w1) in Self.pairs(count: 1 << 16, seed: 3) {
            let (z0, z1) = RandomMaps.boxMuller(w0, w1)
            let (r0, r1) = Self.reference(w0, w1)
            worst = max(worst, Double(abs((Float80(z0) - r0) / r0)), Double(abs((Float80(z1) - r1) / r1)))
        }
        #expect(worst <= 2e-15, "max relative error \(worst)")
    }

    /// Within 1e-15·r of the libm Box–Muller it replaced (log, cos, sin of Glibc on 2π·u₂;
    /// r = |z| bound, so this is relative to the pair's scale; libm's own rounding of 2π·u₂
    /// makes a per-component relative comparison meaningless near the zeros of cos and sin).
    @Test func boxMullerMatchesLibm() {
        var worst = 0.0
        for (w0, w1) in Self.pairs(count: 1 << 16, seed: 4) {
            let u1 = RandomMaps.openUniform(w0), u2 = RandomMaps.openUniform(w1)
            let r = (-2 * log(u1)).squareRoot()
            let (z0, z1) = RandomMaps.boxMuller(w0, w1)
            worst = max(worst, abs(z0 - r * cos(2 * Double.pi * u2)) / r, abs(z1 - r * sin(2 * Double.pi * u2)) / r)
        }
        #expect(worst <= 1e-15, "max error / r \(worst)")
    }

    /// ln u and (cos, sin) separately at closed-form points: u = ½ (ln = −ln 2), angle words at
    /// octant centres and boundaries (2πu = multiples of π/4 up to ½·2⁻³² of a turn).
    @Test func componentsAtClosedForms() {
        // u = (w + ½)·2⁻³² = ½ − 2⁻³³ for w = 2³¹ − 1: ln u = −ln 2 + ln(1 − 2⁻³²).
        let lnHalf = RandomMaps.logOpenUniform(0x7FFF_FFFF)
        #expect(abs(lnHalf - (-log(2.0) + log1p(-0x1p-32))) <= 2e-16)
        // u₁ → 1: ln u = ln(1 − 2⁻³³) ≈ −2⁻³³, relative accuracy kept.
        let lnOne = RandomMaps.logOpenUniform(UInt32.max)
        #expect(abs(lnOne / log1p(-0x1p-33) - 1) <= 4e-16)
        // w = 2²⁹·k − 1 + … : angle 2πu ≈ k·π/4; here k = 2 (π/2): cos ≈ −2π·½·2⁻³², sin ≈ 1.
        let quarter = RandomMaps.turn(0x4000_0000)
        let delta = 2 * Double.pi * 0.5 * 0x1p-32
        #expect(abs(quarter.cos / -sin(delta) - 1) <= 4e-16)
        #expect(abs(quarter.sin - 1) <= 2e-16)
    }

    static let starts: [UInt64] = [0, 1, 2, 3, 4 * 0xFFFF_FFFC, 4 * 0xFFFF_FFFC + 1, UInt64.max - 200]
    static let lengths = [0, 1, 3, 4, 5, 16, 31, 32, 33, 35, 36, 63, 64, 100, 1027]

    /// fillGaussian (the AVX2 kernel where the CPU has it) gives the same bits as the scalar
    /// Swift map, for every alignment and tail length, across a carry into counter word 1
    /// (block 2³² − 4 + lanes), and near the end of the counter space.
    static func checkKernelMatchesSwift<Scalar: BinaryFloatingPoint>(_: Scalar.Type) {
        let stream = RandomStream(seed: 77).child("kernel")
        for start in starts {
            for length in lengths {
                var fast = [Scalar](repeating: .nan, count: length)
                fast.withUnsafeMutableBufferPointer { stream.fillGaussian($0, startingAt: start) }
                let expected = (0..<length).map { Scalar(stream.gaussian(at: start &+ UInt64($0))) }
                let same = zip(fast, expected).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "start \(start) length \(length) \(Scalar.self) AVX2 \(KernelSupport.avx2)")
            }
        }
        // The block filler directly, against the portable block filler.
        var fast = [Scalar](repeating: .nan, count: 4 * 77), slow = fast
        fast.withUnsafeMutableBufferPointer { buffer in
            if Scalar.self == Double.self {
                buffer.withMemoryRebound(to: Double.self) { stream.fillGaussianBlocks($0, firstBlock: 0xFFFF_FFF0) }
            } else {
                buffer.withMemoryRebound(to: Float.self) { stream.fillGaussianBlocks($0, firstBlock: 0xFFFF_FFF0) }
            }
        }
        slow.withUnsafeMutableBufferPointer { stream.fillGaussianBlocksPortable($0, firstBlock: 0xFFFF_FFF0) }
        let mismatch = zip(fast, slow).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(mismatch == nil, "first mismatch \(String(describing: mismatch))")
    }

    @Test func kernelMatchesSwiftDouble() { Self.checkKernelMatchesSwift(Double.self) }
    @Test func kernelMatchesSwiftFloat() { Self.checkKernelMatchesSwift(Float.self) }

    /// The cpuid check agrees with /proc/cpuinfo, so the comparison above exercises the kernel.
    @Test func dispatchMatchesCPUFlags() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        #expect(KernelSupport.avx2 == (flags.contains("avx2") && flags.contains("fma")))
        #endif
    }
}

extension BinaryFloatingPoint {
    /// Sign, exponent and significand, so −0 ≠ +0 and NaN payloads compare.
    fileprivate var bitPattern: String { "\(sign)\(exponentBitPattern):\(significandBitPattern)" }
}
