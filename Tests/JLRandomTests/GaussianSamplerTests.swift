import Foundation
import Testing
@testable import JLRandom

/// The N(0, 1) sampler (Box–Muller on Philox words) against its law, and the bulk filler against
/// the random-access definition.
struct GaussianSamplerTests {
    static let sampleCount = 200_000

    /// Mean, variance and KS distance of 200k variates against N(0, 1), per fixed seed.
    @Test(arguments: [UInt64(1), 42, 0xDEAD_BEEF_CAFE])
    func momentsAndKolmogorovSmirnovMatchStandardNormal(seed: UInt64) {
        let n = Self.sampleCount
        let samples: [Double] = RandomStream(seed: seed).child("gaussian-law").gaussians(n)
        let mean = samples.reduce(0, +) / Double(n)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)

        // sd(mean) = 1/√n; 6σ ⇒ false-failure probability ≈ 2e-9.
        #expect(abs(mean) <= 6 / Double(n).squareRoot(), "mean \(mean)")
        // sd(sample variance) = √(2/(n−1)) for N(0,1) (Var s² = 2σ⁴/(n−1)); 6σ as above.
        #expect(abs(variance - 1) <= 6 * (2 / Double(n - 1)).squareRoot(), "variance \(variance)")

        // DKW bound with α = 1e-9: ε = √(ln(2e9)/(2n)) ≈ 0.0073 for n = 200k. The 2⁻³² grid of the
        // uniforms moves the CDF by < 1e-9, negligible against ε.
        let d = Stat.kolmogorovSmirnov(samples, cdf: Stat.normalCDF)
        let epsilon = Stat.dkwEpsilon(sampleCount: n, falseFailure: 1e-9)
        #expect(d <= epsilon, "KS D = \(d), critical \(epsilon)")
    }

    /// Tail mass: P(|Z| > 3) = erfc(3/√2) = 0.0026998, checked on 200k draws (6σ of a binomial).
    @Test func tailMassBeyondThreeSigma() {
        let n = Self.sampleCount
        let samples: [Double] = RandomStream(seed: 7).gaussians(n)
        let p = erfc(3 / 2.0.squareRoot())
        let observed = Double(samples.filter { abs($0) > 3 }.count) / Double(n)
        // Binomial sd √(p(1−p)/n) ≈ 1.16e-4; 6σ.
        #expect(abs(observed - p) <= 6 * (p * (1 - p) / Double(n)).squareRoot(), "observed \(observed), p \(p)")
    }

    /// The Box–Muller map itself on fixed words (closed form, computed independently here).
    @Test func boxMullerClosedForm() {
        let words: [(UInt32, UInt32)] = [(0, 0), (UInt32.max, UInt32.max), (0x8000_0000, 0x4000_0000), (12345, 987_654_321)]
        for (w0, w1) in words {
            let u1 = (Double(w0) + 0.5) / 4_294_967_296.0
            let u2 = (Double(w1) + 0.5) / 4_294_967_296.0
            let r = (-2 * log(u1)).squareRoot()
            let (z0, z1) = RandomMaps.boxMuller(w0, w1)
            #expect(abs(z0 - r * cos(2 * Double.pi * u2)) <= 1e-12 * max(1, r))
            #expect(abs(z1 - r * sin(2 * Double.pi * u2)) <= 1e-12 * max(1, r))
            #expect(z0.isFinite && z1.isFinite)
        }
        // Largest possible radius √(−2 ln(2⁻³³)) ≈ 6.76 (word 0).
        let (z0, _) = RandomMaps.boxMuller(0, UInt32.max)
        #expect(abs(abs(z0) - (2 * 33 * log(2.0)).squareRoot()) <= 1e-6)
    }

    /// gaussian(at: i) uses block i/4, lanes (0,1) and (2,3) as Box–Muller pairs.
    @Test func gaussianAtUsesDocumentedLanes() {
        let stream = RandomStream(seed: 99).child(3)
        for blockIndex: UInt64 in [0, 1, 17, 1 << 40] {
            let w = stream.block(blockIndex)
            let a = RandomMaps.boxMuller(w.x, w.y), b = RandomMaps.boxMuller(w.z, w.w)
            #expect(stream.gaussian(at: 4 * blockIndex) == a.0)
            #expect(stream.gaussian(at: 4 * blockIndex + 1) == a.1)
            #expect(stream.gaussian(at: 4 * blockIndex + 2) == b.0)
            #expect(stream.gaussian(at: 4 * blockIndex + 3) == b.1)
        }
    }

    static let starts: [UInt64] = [0, 1, 2, 3, 5, 7, 13, (1 << 40) + 3, UInt64.max - 40]
    static let lengths = [0, 1, 2, 3, 4, 5, 7, 9, 31, 33]

    static func checkFillMatchesRandomAccess<Scalar: BinaryFloatingPoint>(_: Scalar.Type) {
        let stream = RandomStream(seed: 2024).child("fill")
        for start in starts {
            for length in lengths {
                var buffer = [Scalar](repeating: .nan, count: length)
                buffer.withUnsafeMutableBufferPointer { stream.fillGaussian($0, startingAt: start) }
                let expected = (0..<length).map { Scalar(stream.gaussian(at: start + UInt64($0))) }
                #expect(buffer == expected, "start \(start) length \(length) \(Scalar.self)")
                let viaArray: [Scalar] = stream.gaussians(length, startingAt: start, as: Scalar.self)
                #expect(viaArray == expected)
            }
        }
    }

    @Test func fillGaussianEqualsGaussianAtDouble() { Self.checkFillMatchesRandomAccess(Double.self) }
    @Test func fillGaussianEqualsGaussianAtFloat() { Self.checkFillMatchesRandomAccess(Float.self) }

    /// A sub-range of a long fill equals a fill started at that offset (random access).
    @Test func fillIsShiftInvariant() {
        let stream = RandomStream(seed: 5)
        let long: [Double] = stream.gaussians(101)
        for offset in [1, 2, 3, 6, 50] {
            let part: [Double] = stream.gaussians(101 - offset, startingAt: UInt64(offset))
            #expect(part == Array(long[offset...]))
        }
    }
}
