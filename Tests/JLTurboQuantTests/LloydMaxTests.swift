import Testing
@testable import JLTurboQuant

@Suite("Lloyd–Max codebooks against closed forms")
struct LloydMaxTests {
    /// theory.md §4.3 (2000 Lloyd iterations on the exact normal), 6 decimals.
    static let gaussianDistortions = [0.363380, 0.117482, 0.034548, 0.009501]

    @Test("N(0,1): D_mse = 0.363380, 0.117482, 0.034548, 0.009501 for b = 1…4", arguments: 1...4)
    func gaussianDistortion(bits: Int) throws {
        let codebook = try LloydMaxCodebook(law: .standardNormal, bits: bits)
        // The stated values are rounded to 6 decimals (±5e-7); 1e-6 leaves room for that only.
        #expect(abs(codebook.distortion - Self.gaussianDistortions[bits - 1]) < 1e-6)
        #expect(codebook.centroids.count == 1 << bits && codebook.boundaries.count == (1 << bits) - 1)
        for i in 0..<codebook.centroids.count {  // symmetric
            #expect(abs(codebook.centroids[i] + codebook.centroids[codebook.centroids.count - 1 - i]) < 1e-15)
        }
    }

    @Test("N(0,1) b = 1: centroid √(2/π), distortion exactly 1 − 2/π")
    func gaussianOneBit() throws {
        let codebook = try LloydMaxCodebook(law: .standardNormal, bits: 1)
        #expect(abs(codebook.centroids[1] - (2 / Double.pi).squareRoot()) < 1e-14)
        #expect(abs(codebook.distortion - (1 - 2 / Double.pi)) < 1e-14)
        #expect(codebook.boundaries == [0])
    }

    @Test("N(0,1) centroids b = 2, 3 (theory.md §4.3, 4 decimals)")
    func gaussianCentroids() throws {
        let two = try LloydMaxCodebook(law: .standardNormal, bits: 2)
        for (c, stated) in zip(two.centroids.suffix(2), [0.4528, 1.5104]) { #expect(abs(c - stated) < 5e-5) }
        let three = try LloydMaxCodebook(law: .standardNormal, bits: 3)
        for (c, stated) in zip(three.centroids.suffix(4), [0.2451, 0.7560, 1.3439, 2.1519]) { #expect(abs(c - stated) < 5e-5) }
    }

    @Test("sphere law b = 1: centroid μ_d = E|X| and d·C = 1 − d·μ_d² exactly", arguments: [2, 3, 16, 128])
    func sphereOneBit(d: Int) throws {
        let codebook = try LloydMaxCodebook(law: .sphereCoordinate(dimension: d), bits: 1)
        let factor = LloydMaxCodebook.oneBitMeanFactor(dimension: d)  // d·μ_d²
        let mu = (factor / Double(d)).squareRoot()
        #expect(abs(codebook.centroids[1] - mu) < 1e-13)
        // C = E X² − μ_d² = 1/d − μ_d² (incomplete-beta moments against Γ closed form).
        #expect(abs(Double(d) * codebook.distortion - (1 - factor)) < 1e-12)
    }

    @Test("sphere law d = 3 is uniform on [−1, 1]: uniform quantizer, C = (2/K)²/12", arguments: 1...4)
    func sphereUniform(bits: Int) throws {
        let codebook = try LloydMaxCodebook(law: .sphereCoordinate(dimension: 3), bits: bits)
        let levels = 1 << bits
        for (k, c) in codebook.centroids.enumerated() {
            #expect(abs(c - (Double(2 * k + 1) / Double(levels) - 1)) < 1e-10)
        }
        let step = 2 / Double(levels)
        #expect(abs(codebook.distortion - step * step / 12) < 1e-12)
    }

    @Test("√d-scaled sphere codebook approaches N(0,1): within 2.5% at d = 128, 0.3% at d = 1024", arguments: 1...4)
    func sphereApproachesGaussian(bits: Int) throws {
        let gaussian = try LloydMaxCodebook(law: .standardNormal, bits: bits)
        var previous = Double.infinity
        // Tolerances: the finite-d law has support [−1, 1] and variance 1/d exactly, so the
        // scaled centroids differ by O(1/d) relative in the bulk and most in the outer cell
        // (measured 1.6% at b = 4, d = 128); the distortion differs by ≈ 2.0% at d = 128.
        for (d, tolerance) in [(128, 0.025), (1024, 0.003)] {
            let sphere = try LloydMaxCodebook(law: .sphereCoordinate(dimension: d), bits: bits)
            let root = Double(d).squareRoot()
            var worst = 0.0
            for (c, g) in zip(sphere.centroids, gaussian.centroids) { worst = max(worst, abs(c * root - g) / abs(g)) }
            worst = max(worst, abs(Double(d) * sphere.distortion - gaussian.distortion) / gaussian.distortion)
            #expect(worst < tolerance, "d = \(d): worst relative gap \(worst)")
            #expect(worst < previous)  // the gap shrinks with d
            previous = worst
        }
    }

    @Test("nearest-centroid index equals brute force")
    func nearestIndex() throws {
        let codebook = try LloydMaxCodebook(law: .standardNormal, bits: 3)
        for k in -400...400 {
            let x = Double(k) / 100
            let brute = codebook.centroids.indices.min { abs(codebook.centroids[$0] - x) < abs(codebook.centroids[$1] - x) } ?? -1
            #expect(abs(codebook.centroids[codebook.index(of: x)] - x) == abs(codebook.centroids[brute] - x))
        }
    }

    @Test("invalid arguments throw typed errors")
    func errors() {
        #expect(throws: TurboQuantError.invalidBits(0, allowed: 1...8)) { try LloydMaxCodebook(law: .standardNormal, bits: 0) }
        #expect(throws: TurboQuantError.invalidDimension(1, minimum: 2)) {
            try LloydMaxCodebook(law: .sphereCoordinate(dimension: 1), bits: 2)
        }
        #expect(throws: TurboQuantError.self) { try LloydMaxCodebook(law: .standardNormal, bits: 4, maximumIterations: 3) }
    }
}
