import Foundation
import Testing
@testable import JLRandom

/// Uniform, Rademacher and χ samplers against their closed-form moments.
struct SamplerTests {
    @Test func openUniformNeverHitsTheEndpoints() {
        #expect(RandomMaps.openUniform(0) > 0)
        #expect(RandomMaps.openUniform(0) == 0.5 / 4_294_967_296.0)
        #expect(RandomMaps.openUniform(UInt32.max) < 1)
        #expect(RandomMaps.openUniform(UInt32.max) == 1 - 0.5 / 4_294_967_296.0)
        #expect(log(RandomMaps.openUniform(0)).isFinite)
        #expect(log(1 - RandomMaps.openUniform(UInt32.max)).isFinite)
        #expect(RandomMaps.uniform53(high: 0, low: 0) == 0)
        #expect(RandomMaps.uniform53(high: UInt32.max, low: UInt32.max) < 1)
        #expect(RandomMaps.uniform53(high: UInt32.max, low: UInt32.max) == 1 - 0x1p-53)
    }

    @Test func uniformMomentsAndRange() {
        let n = 200_000
        let stream = RandomStream(seed: 11)
        let u = (0..<UInt64(n)).map { stream.uniform(at: $0) }
        #expect(u.allSatisfy { $0 > 0 && $0 < 1 })
        let mean = u.reduce(0, +) / Double(n)
        // Var U = 1/12; sd(mean) = √(1/(12n)); 6σ.
        #expect(abs(mean - 0.5) <= 6 * (1 / (12 * Double(n))).squareRoot(), "mean \(mean)")
        // KS against U(0,1) with the DKW critical value at α = 1e-9.
        let d = Stat.kolmogorovSmirnov(u) { min(max($0, 0), 1) }
        #expect(d <= Stat.dkwEpsilon(sampleCount: n, falseFailure: 1e-9), "D = \(d)")
        #expect(stream.uniform(at: 5) == RandomMaps.openUniform(stream.word(5)))
    }

    @Test func rademacherMomentsAndBitLayout() {
        let n = 200_000
        let stream = RandomStream(seed: 12)
        let signs = (0..<UInt64(n)).map { stream.rademacher(at: $0) }
        #expect(signs.allSatisfy { $0 == 1 || $0 == -1 })
        let mean = signs.reduce(0, +) / Double(n)
        // Var = 1 ⇒ sd(mean) = 1/√n; 6σ.
        #expect(abs(mean) <= 6 / Double(n).squareRoot(), "mean \(mean)")
        // Second moment of ±1 is exactly 1.
        #expect(signs.reduce(0) { $0 + $1 * $1 } == Double(n))
        // Lag-1 correlation of independent signs: mean of s_i·s_{i+1} ≈ 0 within 6/√(n−1).
        var lag = 0.0
        for i in 0..<(n - 1) { lag += signs[i] * signs[i + 1] }
        #expect(abs(lag / Double(n - 1)) <= 6 / Double(n - 1).squareRoot())
        // Entry 32b + j is bit j of word b.
        let word = stream.word(7)
        for bit in 0..<32 {
            let expected: Double = (word >> UInt32(bit)) & 1 == 1 ? 1 : -1
            #expect(stream.rademacher(at: 7 * 32 + UInt64(bit)) == expected)
        }
    }

    /// E[χ_d] = √2·Γ((d+1)/2)/Γ(d/2), via lgamma to avoid overflow.
    static func chiMean(_ d: Int) -> Double {
        2.0.squareRoot() * exp(lgamma(Double(d + 1) / 2) - lgamma(Double(d) / 2))
    }

    @Test(arguments: [1, 2, 3, 16, 127])
    func chiMeanMatchesGammaRatio(degreesOfFreedom d: Int) {
        let n = max(2_000, 200_000 / d)
        let stream = RandomStream(seed: 13).child(UInt64(d))
        let samples = (0..<UInt64(n)).map { stream.chi(degreesOfFreedom: d, at: $0) }
        #expect(samples.allSatisfy { $0 >= 0 })
        let mean = samples.reduce(0, +) / Double(n)
        let expected = Self.chiMean(d)
        // Var χ_d = d − (Eχ_d)²; sd(mean) = √(Var/n); 6σ.
        let tolerance = 6 * ((Double(d) - expected * expected) / Double(n)).squareRoot()
        #expect(abs(mean - expected) <= tolerance, "d \(d): mean \(mean), E \(expected), tol \(tolerance)")
        // E[χ²] = d exactly in law; Var χ² = 2d ⇒ sd(mean of χ²) = √(2d/n); 6σ.
        let meanSquare = samples.reduce(0) { $0 + $1 * $1 } / Double(n)
        #expect(abs(meanSquare - Double(d)) <= 6 * (2 * Double(d) / Double(n)).squareRoot())
    }

    @Test func chiIsTheNormOfTheDocumentedGaussians() {
        let stream = RandomStream(seed: 14)
        let d = 5
        let z = (10..<15).map { stream.gaussian(at: UInt64($0)) }
        let norm = z.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(stream.chi(degreesOfFreedom: d, at: 2) == norm)
        #expect(stream.chi(degreesOfFreedom: 0, at: 2) == 0)
        // Known values of the gamma ratio: E χ_1 = √(2/π), E χ_2 = √(π/2).
        #expect(abs(Self.chiMean(1) - (2 / Double.pi).squareRoot()) <= 1e-14)
        #expect(abs(Self.chiMean(2) - (Double.pi / 2).squareRoot()) <= 1e-14)
    }
}
