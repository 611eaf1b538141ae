import Foundation
import Testing
@testable import JLTheory

/// |actual − expected| ≤ tolerance, with the reason for each tolerance at the call site.
func isClose(_ actual: Double, _ expected: Double, absolute tolerance: Double) -> Bool {
    Swift.abs(actual - expected) <= tolerance
}

/// Unit q and k with cos θ = `cosine` (the theory.md §2.3 table uses q ∥ k and q ⟂ k).
private func unitPair(cosine: Double) throws -> InnerProductGeometry {
    try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: cosine)
}

@Suite("Chi moments and the orthogonal scaling bias (theory.md §2.3)")
struct ChiMomentTests {
    // python3 -c "import math; from scipy.special import gammaln as g; print([math.sqrt(d)/(math.sqrt(2)*math.exp(g((d+1)/2)-g(d/2))) for d in (64,128,256)])"
    @Test(arguments: [(64, 1.0039137298172582), (128, 1.0019550136854107), (256, 1.0009770370064093)])
    func scalingBias(d: Int, expected: Double) throws {
        // lgamma difference ≈ 1e-15 relative; theory.md quotes 7 decimals (c_64 = 1.0039137 etc.).
        #expect(isClose(try orthogonalScalingBias(inputDimension: d), expected, absolute: 1e-13))
    }

    @Test func chiMean() throws {
        // theory.md §2.3: E[χ_128] = 11.291633; scipy: 11.291633201545102.
        #expect(isClose(try gaussianChiMean(degreesOfFreedom: 128), 11.291633201545102, absolute: 1e-12))
        #expect(isClose(try gaussianChiMean(degreesOfFreedom: 1), (2 / Double.pi).squareRoot(), absolute: 1e-15))
        // mpmath (40 digits): sqrt(2)*gamma(500000.5)/gamma(500000) = 999.99975000003125004.
        #expect(isClose(try gaussianChiMean(degreesOfFreedom: 1_000_000), 999.99975000003125004, absolute: 1e-12))
        // mpmath: d = 1000 → 31.614871896980080088 (series branch, truncation 5e-17 relative).
        #expect(isClose(try gaussianChiMean(degreesOfFreedom: 1000), 31.614871896980080088, absolute: 1e-13))
        // Continuity across the lgamma/series switch at 999 → 1000 (E[χ_d] increases with d).
        #expect(try gaussianChiMean(degreesOfFreedom: 999) < gaussianChiMean(degreesOfFreedom: 1000))
        #expect(throws: TheoryError.invalidInteger(name: "degreesOfFreedom", value: 0, requirement: "≥ 1")) {
            try gaussianChiMean(degreesOfFreedom: 0)
        }
    }
}

@Suite("Gaussian-sketch moments (theory.md §2.1, §2.2, §2.6, §2.8, §6)")
struct GaussianMomentTests {
    @Test func qjlGaussianTable() throws {
        let parallel = try unitPair(cosine: 1), perpendicular = try unitPair(cosine: 0)
        // theory.md §2.3 table, Gaussian columns (d = 128 irrelevant for Gaussian S), 5 decimals.
        let cases: [(InnerProductGeometry, Int, Double)] = [
            (parallel, 64, 0.09444), (parallel, 128, 0.06678), (parallel, 256, 0.04722),
            (parallel, 512, 0.03339), (perpendicular, 64, 0.15666),
            (perpendicular, 128, 0.11078), (perpendicular, 256, 0.07833),
            (perpendicular, 512, 0.05539),
        ]
        for (geometry, m, std) in cases {
            let moments = try qjlGaussianMoments(geometry, sketchDimension: m)
            #expect(isClose(moments.standardDeviation, std, absolute: 5e-6))  // table rounded to 5 decimals.
            #expect(moments.mean == geometry.innerProduct)
        }
        // Non-unit: ‖q‖ = 2, ‖k‖ = 3, ⟨q,k⟩ = 1, m = 10: ((π/2)·36 − 1)/10.
        let g = try InnerProductGeometry(queryNormSquared: 4, keyNormSquared: 9, innerProduct: 1)
        #expect(isClose(try qjlGaussianMoments(g, sketchDimension: 10).variance,
                        (Double.pi / 2 * 36 - 1) / 10, absolute: 1e-14))
    }

    @Test func unquantizedJL() throws {
        let parallel = try unitPair(cosine: 1), perpendicular = try unitPair(cosine: 0)
        let g = try InnerProductGeometry(queryNormSquared: 4, keyNormSquared: 9, innerProduct: 3)
        let ip = try unquantizedJLInnerProductMoments(g, sketchDimension: 5)
        #expect(ip.mean == 3 && isClose(ip.variance, (36 + 9) / 5, absolute: 1e-14))
        let norm = try unquantizedJLSquaredNormMoments(normSquared: 1.69, sketchDimension: 7)
        // 2·1.3⁴/7 = 0.8160285714285715.
        #expect(norm.mean == 1.69 && isClose(norm.variance, 0.8160285714285715, absolute: 1e-15))
        // QJL/JL per-row variance ratio (π/2 − cos²θ)/(1 + cos²θ): 1.571 at 0, 0.285 at 1 (§2.2).
        let ratio0 = try qjlGaussianMoments(perpendicular, sketchDimension: 1).variance
            / unquantizedJLInnerProductMoments(perpendicular, sketchDimension: 1).variance
        let ratio1 = try qjlGaussianMoments(parallel, sketchDimension: 1).variance
            / unquantizedJLInnerProductMoments(parallel, sketchDimension: 1).variance
        #expect(isClose(ratio0, 1.571, absolute: 5e-4) && isClose(ratio1, 0.285, absolute: 5e-4))
    }

    @Test func outlierSplit() throws {
        let inliers = try InnerProductGeometry(queryNormSquared: 1, keyNormSquared: 2, innerProduct: 0.5)
        let outliers = try InnerProductGeometry(queryNormSquared: 100, keyNormSquared: 400, innerProduct: -50)
        let split = try qjlOutlierSplitMoments(inliers: inliers, outliers: outliers,
                                               sketchDimension: 256, outlierSketchDimension: 64)
        let expected = (Double.pi / 2 * 2 - 0.25) / 256 + (Double.pi / 2 * 40_000 - 2500) / 64
        #expect(split.mean == -49.5)
        #expect(isClose(split.variance, expected, absolute: 1e-10))
        #expect(throws: TheoryError.self) {
            try qjlOutlierSplitMoments(inliers: inliers, outliers: outliers, sketchDimension: 256,
                                       outlierSketchDimension: 0)
        }
    }

    @Test func relativeScoreDistortion() throws {
        // q = e_1; k_1 = e_1 (a = 1), k_2 = 2e_2 (a = 0); m = 10: (5π/2 − 1)/10.
        let value = try qjlExpectedRelativeScoreDistortion(
            queryNormSquared: 1, keyNormsSquared: [1, 4], innerProducts: [1, 0], sketchDimension: 10)
        #expect(isClose(value, 0.6853981633974483, absolute: 1e-15))
        #expect(throws: TheoryError.lengthMismatch(first: "keyNormsSquared", firstCount: 2,
                                                   second: "innerProducts", secondCount: 1)) {
            try qjlExpectedRelativeScoreDistortion(queryNormSquared: 1, keyNormsSquared: [1, 4],
                                                   innerProducts: [1], sketchDimension: 10)
        }
        #expect(throws: TheoryError.self) {
            try qjlExpectedRelativeScoreDistortion(queryNormSquared: 1, keyNormsSquared: [1],
                                                   innerProducts: [0], sketchDimension: 10)
        }
    }

    @Test func geometryValidation() {
        #expect(throws: TheoryError.self) {
            try InnerProductGeometry(queryNormSquared: 1, keyNormSquared: 1, innerProduct: 1.1)
        }
        #expect(throws: TheoryError.self) { try InnerProductGeometry(queryNorm: -1, keyNorm: 1, cosine: 0) }
        #expect(throws: TheoryError.self) { try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: 1.5) }
        #expect(throws: TheoryError.self) { try qjlGaussianMoments(try unitPair(cosine: 1), sketchDimension: 0) }
    }
}

@Suite("Orthogonal-row moments (theory.md §2.3, §2.4)")
struct OrthogonalMomentTests {
    @Test(arguments: [
        (true, 64, 0.07074), (true, 128, 0.02336), (true, 192, 0.02826), (true, 256, 0.01652),
        (true, 512, 0.01168), (false, 64, 0.12959), (false, 128, 0.06678), (false, 256, 0.04722),
        (false, 512, 0.03339),
    ])
    func theoryTable(parallel: Bool, m: Int, std: Double) throws {
        let g = parallel ? try unitPair(cosine: 1) : try unitPair(cosine: 0)
        let moments = try qjlOrthogonalMoments(g, inputDimension: 128, sketchDimension: m, scaling: .sqrtD)
        #expect(isClose(moments.standardDeviation, std, absolute: 5e-6))  // table rounded to 5 decimals.
        #expect(isClose(moments.mean, 1.0019550136854107 * g.innerProduct, absolute: 1e-13))
    }

    @Test func fullBlockConstants() throws {
        // A_128 = 0.044451 and B_d = 1 − 2/π (§2.3): with m = d = 128 the bracket is A_d α² + B_d β².
        let parallel = try qjlOrthogonalMoments(try unitPair(cosine: 1), inputDimension: 128, sketchDimension: 128, scaling: .sqrtD)
        #expect(isClose(parallel.variance / ((Double.pi / 2) / 128), 0.044451, absolute: 5e-7))
        // m a multiple of d: orthogonal-⟂ equals Gaussian-∥ exactly, (π/2 − 1)/m.
        let perpendicular = try qjlOrthogonalMoments(try unitPair(cosine: 0), inputDimension: 128, sketchDimension: 384,
                                                     scaling: .sqrtD)
        #expect(isClose(perpendicular.variance, (Double.pi / 2 - 1) / 384, absolute: 1e-16))
    }

    @Test func dimension16ChecksAreOneGeometry() throws {
        // §2.3 quotes d = 16 values 4.1835 (m = 8), 0.88681 (m = 24), 0.47116 (m = 40) without
        // the vectors. The formula is linear in (‖k‖²α², ‖k‖²β²); solve for them from m = 8, 24
        // and check that the same pair predicts m = 40 (a real check of the m-dependence).
        func coefficients(_ m: Int) throws -> (Double, Double) {
            let a = try qjlOrthogonalMoments(try InnerProductGeometry(queryNormSquared: 1, keyNormSquared: 1, innerProduct: 1),
                                             inputDimension: 16, sketchDimension: m, scaling: .sqrtD).variance
            let b = try qjlOrthogonalMoments(try InnerProductGeometry(queryNormSquared: 1, keyNormSquared: 1, innerProduct: 0),
                                             inputDimension: 16, sketchDimension: m, scaling: .sqrtD).variance
            return (a, b)
        }
        let (a8, b8) = try coefficients(8)
        let (a24, b24) = try coefficients(24)
        let (a40, b40) = try coefficients(40)
        let det = a8 * b24 - a24 * b8
        let x = (4.1835 * b24 - 0.88681 * b8) / det
        let y = (a8 * 0.88681 - a24 * 4.1835) / det
        // Inputs have 5 significant digits, so the prediction carries ≈1e-5 relative error.
        #expect(Swift.abs(a40 * x + b40 * y - 0.47116) < 2e-5)
    }

    /// Monte Carlo in numpy. Script (T trials; seed 7 for d = 6, seed 1 for d = 8):
    /// ```
    /// rng = np.random.default_rng(seed); q = rng.standard_normal(d); k = rng.standard_normal(d)
    /// nb = -(-m // d); Q, _ = np.linalg.qr(rng.standard_normal((T, nb, d, d)))
    /// U = np.swapaxes(Q, -1, -2).reshape(T, nb * d, d)[:, :m, :]      # Haar rows, blocks of d
    /// rho = np.sqrt(rng.chisquare(d, (T, m)))
    /// est = lambda S: np.sqrt(np.pi/2)/m*np.linalg.norm(k)*np.sum((S@q)*np.sign(S@k), axis=1)
    /// est(np.sqrt(d)*U).var(), est(rho[..., None]*U).var()
    /// ```
    /// (seed, d, m, trials, ‖q‖², ‖k‖², ⟨q,k⟩, sample variance √d-scaled, sample variance χ-scaled).
    @Test(arguments: [
        (6, 15, 300_000.0, 2.147644209387189, 2.79436408628426, 0.5113569893564937,
         0.2663080137271984, 0.29599675774176537),
        (8, 12, 200_000.0, 4.246828771295957, 1.679089962644195, -0.4680021529734995,
         0.4390958019512603, 0.4690246903172003),
    ])
    func varianceMatchesMonteCarlo(d: Int, m: Int, trials: Double, q2: Double, k2: Double, ip: Double,
                                   sqrtDSample: Double, chiSample: Double) throws {
        let g = try InnerProductGeometry(queryNormSquared: q2, keyNormSquared: k2, innerProduct: ip)
        let sqrtD = try qjlOrthogonalMoments(g, inputDimension: d, sketchDimension: m, scaling: .sqrtD).variance
        let chi = try qjlOrthogonalMoments(g, inputDimension: d, sketchDimension: m, scaling: .chi).variance
        // Sample variance has relative std ≈ √((κ − 1)/T) ≈ √(2/T) for a near-normal sum (κ ≈ 3);
        // 6σ of that is the tolerance (1.6 % at T = 3e5, 1.9 % at T = 2e5).
        let tolerance = 6 * (2 / trials).squareRoot()
        #expect(Swift.abs(sqrtDSample / sqrtD - 1) < tolerance)
        #expect(Swift.abs(chiSample / chi - 1) < tolerance)
        // The χ variance differs from the √d one by more than the tolerance, so this separates them.
        #expect(Swift.abs(chi / sqrtD - 1) > tolerance)
    }

    @Test func unbiasedVariants() throws {
        let g = try InnerProductGeometry(queryNormSquared: 2, keyNormSquared: 3, innerProduct: 1.2)
        let c = try orthogonalScalingBias(inputDimension: 32)
        let sqrtD = try qjlOrthogonalMoments(g, inputDimension: 32, sketchDimension: 80, scaling: .sqrtD)
        let expected = try qjlOrthogonalMoments(g, inputDimension: 32, sketchDimension: 80, scaling: .expectedChi)
        let chi = try qjlOrthogonalMoments(g, inputDimension: 32, sketchDimension: 80, scaling: .chi)
        #expect(expected.mean == 1.2 && chi.mean == 1.2)
        #expect(isClose(expected.variance, sqrtD.variance / (c * c), absolute: 1e-15))
        // One row of a χ-scaled frame is exactly N(0, I_d): variance equals the Gaussian one at m = 1.
        let gaussianRow = try qjlGaussianMoments(g, sketchDimension: 1).variance
        #expect(isClose(try qjlOrthogonalMoments(g, inputDimension: 32, sketchDimension: 1, scaling: .chi).variance,
                        gaussianRow, absolute: 1e-13))
        // Orthogonality must still help: χ-scaled variance below the Gaussian one for m = d.
        let full = try qjlOrthogonalMoments(try unitPair(cosine: 0), inputDimension: 64, sketchDimension: 64, scaling: .chi)
        #expect(full.variance < (try qjlGaussianMoments(try unitPair(cosine: 0), sketchDimension: 64)).variance)
        #expect(throws: TheoryError.self) {
            try qjlOrthogonalMoments(g, inputDimension: 1, sketchDimension: 4, scaling: .sqrtD)
        }
    }
}

@Suite("Symmetric estimator and SRHT bias (theory.md §2.5, §2.7)")
struct SymmetricAndSRHTTests {
    // python3 -c "import numpy as np, math; from scipy import stats; m=64; p=1/math.pi; H=np.arange(m+1); w=stats.binom.pmf(H,m,p); mu=(w*np.cos(math.pi*H/m)).sum(); print(((1-p+p*np.exp(1j*math.pi/m))**m).real, (w*np.cos(math.pi*H/m)**2).sum()-mu**2)"
    @Test func simHashMoments() throws {
        let moments = try symmetricSimHashMoments(queryNorm: 1, keyNorm: 1, angle: 1, sketchDimension: 64)
        #expect(isClose(moments.mean, 0.5314194031211986, absolute: 1e-14))  // §2.7: 0.531419.
        #expect(isClose(moments.variance, 0.023331398796553382, absolute: 1e-14))
        // Independent closed form: E cos² = (1 + Re[(1 − p + p e^{2iπ/m})^m]) / 2.
        let p = 1 / Double.pi
        let re = 1 - p + p * cos(2 * Double.pi / 64), im = p * sin(2 * Double.pi / 64)
        let second = (1 + pow(hypot(re, im), 64) * cos(64 * atan2(im, re))) / 2
        #expect(isClose(moments.variance, second - moments.mean * moments.mean, absolute: 1e-14))
        let scaled = try symmetricSimHashMoments(queryNorm: 2, keyNorm: 3, angle: 1, sketchDimension: 64)
        #expect(isClose(scaled.mean, 6 * moments.mean, absolute: 1e-13))
        #expect(isClose(scaled.variance, 36 * moments.variance, absolute: 1e-12))
        let aligned = try symmetricSimHashMoments(queryNorm: 1, keyNorm: 1, angle: 0, sketchDimension: 8)
        #expect(aligned.mean == 1 && aligned.variance == 0)
        #expect(throws: TheoryError.self) {
            try symmetricSimHashMoments(queryNorm: 1, keyNorm: 1, angle: 4, sketchDimension: 8)
        }
    }

    @Test func srhtFactors() throws {
        #expect(isClose(srhtBasisKeyMeanFactor, 1.2533141373155003, absolute: 1e-15))
        // scipy: sqrt(pi/2)*128*comb(128,64)/4**64/sqrt(128) = 0.9980488009354712 (§2.5: 0.99805).
        #expect(isClose(try srhtAllEqualKeyMeanFactor(inputDimension: 128), 0.9980488009354712, absolute: 1e-13))
        // E|S_1| = E|S_2| = 1, E|S_3| = E|S_4| = 3/2 (enumeration of ±1 walks).
        #expect(isClose(try rademacherWalkMeanAbsolute(steps: 1), 1, absolute: 1e-15))
        #expect(isClose(try rademacherWalkMeanAbsolute(steps: 2), 1, absolute: 1e-15))
        #expect(isClose(try rademacherWalkMeanAbsolute(steps: 3), 1.5, absolute: 1e-14))
        #expect(isClose(try rademacherWalkMeanAbsolute(steps: 4), 1.5, absolute: 1e-14))
    }
}

@Suite("Paper bounds: Lemma 3.5, Theorem 3.6, JL minimum dimension (theory.md §1.4, §1.6, §6)")
struct PaperBoundTests {
    @Test func lemma35SketchSizes() throws {
        #expect(try Lemma35.statedSketchDimension(epsilon: 0.1, failureProbability: 0.001) == 1115)
        #expect(try Lemma35.statedSketchDimension(epsilon: 0.1, failureProbability: 0.05) == 542)
        #expect(try Lemma35.correctedSketchDimension(epsilon: 0.1, failureProbability: 0.001) == 2490)
        #expect(try Lemma35.correctedSketchDimension(epsilon: 0.1, failureProbability: 0.05) == 1209)
        // δ(m) at the rounded-up m is just below δ (python: 0.0009986306706575184, 0.0009976798916230141).
        #expect(isClose(try Lemma35.statedFailureProbability(sketchDimension: 1115, epsilon: 0.1),
                        0.0009986306706575184, absolute: 1e-17))
        #expect(isClose(try Lemma35.correctedFailureProbability(sketchDimension: 2490, epsilon: 0.1),
                        0.0009976798916230141, absolute: 1e-17))
        #expect(throws: TheoryError.self) { try Lemma35.statedSketchDimension(epsilon: 0, failureProbability: 0.1) }
        #expect(throws: TheoryError.self) { try Lemma35.correctedSketchDimension(epsilon: 0.1, failureProbability: 1) }
    }

    // python3 -c "import math; from scipy import stats; print([2*stats.norm.sf(0.1*math.sqrt(m)/math.sqrt(math.pi/2)) for m in (1115,542)])"
    @Test func lemma35NormalApproximation() throws {
        let at1115 = try Lemma35.normalApproximationFailureProbability(sketchDimension: 1115, epsilon: 0.1, cosine: 0)
        let at542 = try Lemma35.normalApproximationFailureProbability(sketchDimension: 542, epsilon: 0.1, cosine: 0)
        #expect(isClose(at1115, 0.00771566482209073, absolute: 1e-15))  // §1.4: ≈ 0.0077.
        #expect(isClose(at542, 0.06323343560642354, absolute: 1e-15))   // §1.4: ≈ 0.063.
        #expect(at1115 > 0.001 && at542 > 0.05)  // the stated lemma fails for q ⟂ k.
    }

    @Test func theorem36() throws {
        // scipy brentq on e^{2ε} − 1 − 3ε: 0.3813442804251696.
        #expect(isClose(theorem36MaximumEpsilon, 0.3813442804251696, absolute: 1e-9))
        #expect(isClose(exp(2 * theorem36MaximumEpsilon), 1 + 3 * theorem36MaximumEpsilon, absolute: 1e-15))
        let a = try Theorem36Assumptions(maxNorm: 1, sketchDimension: 1400, epsilon: 0.1, tokenCount: 1000)
        #expect(isClose(a.requiredSketchDimension, 1381.5510557964274, absolute: 1e-10))  // 200 ln 1000.
        #expect(a.sketchDimensionHolds && a.maxNormAtMostOne && a.epsilonAtMostExponentialLimit
                && a.unionBoundIsPolynomial && a.allAssumptionsHold)
        #expect(isClose(a.promisedRelativeScoreError, 0.3, absolute: 1e-16))
        // (π + 0.4/3)/0.01 · ln(2·1000²) = 4751.478026326628.
        #expect(isClose(try a.correctedSketchDimension(failureExponent: 2), 4751.478026326628, absolute: 1e-9))
        let b = try Theorem36Assumptions(maxNorm: 2, sketchDimension: 1400, epsilon: 0.4, tokenCount: 1000)
        #expect(!b.maxNormAtMostOne && !b.epsilonAtMostExponentialLimit && b.unionBoundIsPolynomial)
        #expect(!b.allAssumptionsHold)
        #expect(throws: TheoryError.self) {
            try Theorem36Assumptions(maxNorm: 1, sketchDimension: 10, epsilon: 0.1, tokenCount: 1)
        }
    }

    @Test func jlMinimumDimension() throws {
        #expect(try johnsonLindenstraussMinimumDimension(sampleCount: 1_000_000, epsilon: 0.5) == 663)
        #expect(try [0.5, 0.1, 0.01].map { eps throws(TheoryError) in
            try johnsonLindenstraussMinimumDimension(sampleCount: 1_000_000, epsilon: eps)
        } == [663, 11841, 1_112_658])
        #expect(try [10_000, 100_000, 1_000_000].map { n throws(TheoryError) in
            try johnsonLindenstraussMinimumDimension(sampleCount: n, epsilon: 0.1)
        } == [7894, 9868, 11841])
        #expect(throws: TheoryError.self) { try johnsonLindenstraussMinimumDimension(sampleCount: 10, epsilon: 1) }
        #expect(throws: TheoryError.self) { try johnsonLindenstraussMinimumDimension(sampleCount: 0, epsilon: 0.5) }
    }
}
