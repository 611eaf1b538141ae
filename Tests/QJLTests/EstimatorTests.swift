import JLLinearAlgebra
import JLRandom
import Testing
@testable import QJL

/// Unit k = e₀ and unit q at angle θ to it: q = cos θ·e₀ + sin θ·e₁.
func pair(d: Int, angle: Double) -> (q: [Double], k: [Double]) {
    var q = [Double](repeating: 0, count: d), k = q
    k[0] = 1
    q[0] = Double.cos(angle)
    q[1] = Double.sin(angle)
    return (q, k)
}

/// Monte Carlo over independent sketches (trial t uses seed t + offset).
func asymmetricTrials(
    q: [Double], k: [Double], m: Int, trials: Int, seedOffset: UInt64, haar: Bool = false, chi: Bool = false,
    constant: AsymmetricQJLEstimator.ConstantChoice = .derived, constantMultiplier: Double = 1
) throws -> (samples: [Double], estimator: AsymmetricQJLEstimator) {
    let d = q.count
    var samples = [Double]()
    samples.reserveCapacity(trials)
    var lastEstimator: AsymmetricQJLEstimator?
    let keys = try Matrix(rows: 1, columns: d, elements: k)
    for t in 0..<trials {
        let seed = UInt64(t) + seedOffset
        let estimator: AsymmetricQJLEstimator
        let projectedQuery: [Double]
        let sketch: SignSketchBatch
        if haar {
            let s = try TestHaarTransform<Double>(d: d, m: m, seed: seed, chiLength: chi)
            estimator = try AsymmetricQJLEstimator(transform: s, constant: constant)
            sketch = try SignSketchBatch(keys: keys, transform: s, normPrecision: .float32)
            projectedQuery = try s.apply(q)
        } else {
            let s = try TestGaussianTransform<Double>(d: d, m: m, seed: seed)
            estimator = try AsymmetricQJLEstimator(transform: s, constant: constant)
            sketch = try SignSketchBatch(keys: keys, transform: s, normPrecision: .float32)
            projectedQuery = try s.apply(q)
        }
        samples.append(constantMultiplier * (try estimator.estimate(projectedQuery: projectedQuery, keys: sketch, index: 0)))
        lastEstimator = estimator
    }
    return (samples, try #require(lastEstimator))
}

@Suite("Estimators: exact means and variances")
struct EstimatorTests {
    @Test("derived constants: c_128 = 1.0019550, c_16 = √8·Γ(8)/Γ(8.5), μ_d")
    func constants() throws {
        #expect(abs(SpecialFunctions.orthogonalBiasFactor(dimension: 128) - 1.0019550) < 5e-8)  // theory.md §2.3, 8 digits
        let c16 = 8.0.squareRoot() * Double.exp(Double.logGamma(8) - Double.logGamma(8.5))
        #expect(abs(SpecialFunctions.orthogonalBiasFactor(dimension: 16) - c16) < 1e-13)
        // μ_2 = E|cos φ| = 2/π for φ uniform on the circle.
        #expect(abs(SpecialFunctions.meanAbsoluteSphereCoordinate(dimension: 2) - 2 / Double.pi) < 1e-14)
        let haar = try AsymmetricQJLEstimator(rowLaw: .haar(length: 128.0.squareRoot()), inputDimension: 128, sketchDimension: 128)
        #expect(haar.isUnbiased)
        let haarPaper = try AsymmetricQJLEstimator(rowLaw: .haar(length: 128.0.squareRoot()), inputDimension: 128,
                                                   sketchDimension: 128, constant: .paper)
        #expect(!haarPaper.isUnbiased)
        #expect(abs((haarPaper.meanFactor ?? 0) - 1.0019550) < 5e-8)
        let rademacher = try AsymmetricQJLEstimator(rowLaw: .rademacher, inputDimension: 8, sketchDimension: 8)
        #expect(!rademacher.isUnbiased)
        #expect(rademacher.mean(q: [1], k: [1]) == nil && rademacher.variance(q: [1], k: [1]) == nil)
        let gaussian = try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: 2, sketchDimension: 4)
        // ((π/2)·1·4 − 2²)/4 for q = (1, 0), k = (2, 0).
        #expect(abs((gaussian.variance(q: [1, 0], k: [2, 0]) ?? 0) - (2 * Double.pi - 4) / 4) < 1e-14)
    }

    @Test("asymmetric QJL, Gaussian S: unbiased with the exact variance", arguments: [0.0, 1.0, Double.pi / 2])
    func asymmetricGaussian(angle: Double) throws {
        let (q, k) = pair(d: 8, angle: angle)
        let trials = 3000
        let (samples, estimator) = try asymmetricTrials(q: q, k: k, m: 64, trials: trials, seedOffset: 1000)
        let exactMean = try #require(estimator.mean(q: q, k: k))
        let exactVariance = try #require(estimator.variance(q: q, k: k))
        let moments = sampleMoments(samples)
        // 6σ of the sample mean (false-failure probability ≈ 2e-9 under the CLT).
        #expect(abs(moments.mean - exactMean) <= 6 * (exactVariance / Double(trials)).squareRoot())
        // 6 standard errors of the sample variance, from the empirical fourth moment.
        #expect(abs(moments.variance - exactVariance) <= 6 * moments.varianceStandardError)
    }

    @Test("√d-scaled Haar rows: paper constant has mean c_d·⟨q,k⟩, derived constant is unbiased")
    func orthogonalBias() throws {
        // d = 8, m = 16 (two blocks), q = k unit: c_8 − 1 = 0.0317; exact per-trial std (paper
        // constant) 0.0593, so with 12000 trials the std of the mean is 5.4e-4 and the bias is 58σ;
        // a constant off by ×1.005 shifts the mean by 9σ and fails the 6σ band.
        let d = 8, m = 16, trials = 12000
        let (q, k) = pair(d: d, angle: 0)
        let cd = SpecialFunctions.orthogonalBiasFactor(dimension: d)
        let paperVariance = orthogonalVariance(d: d, m: m, alpha: 1, beta: 0)
        let paper = try asymmetricTrials(q: q, k: k, m: m, trials: trials, seedOffset: 50_000, haar: true, constant: .paper)
        let paperMean = try #require(paper.estimator.mean(q: q, k: k))
        #expect(abs(paperMean - cd) < 1e-14)
        let paperMoments = sampleMoments(paper.samples)
        let paperTolerance = 6 * (paperVariance / Double(trials)).squareRoot()  // 6σ, exact variance (theory.md §2.3)
        #expect(abs(paperMoments.mean - cd) <= paperTolerance)
        #expect(abs(paperMoments.mean - 1) > paperTolerance)  // the bias is detected
        #expect(abs(paperMoments.variance - paperVariance) <= 6 * paperMoments.varianceStandardError)

        // Derived constant c = 1/(√d·μ_d) = √(π/2)/c_d: same sketches, estimator divided by c_d.
        let derived = try asymmetricTrials(q: q, k: k, m: m, trials: trials, seedOffset: 50_000, haar: true, constant: .derived)
        let derivedMoments = sampleMoments(derived.samples)
        let derivedSigma = (paperVariance / (cd * cd) / Double(trials)).squareRoot()
        #expect(abs(derivedMoments.mean - 1) <= 6 * derivedSigma)
        #expect(try #require(derived.estimator.mean(q: q, k: k)) == 1 || abs(try #require(derived.estimator.mean(q: q, k: k)) - 1) < 1e-14)
        // The estimator's own variance (wired to JLTheory) equals the §2.3 closed form / c_d².
        let derivedVariance = try #require(derived.estimator.variance(q: q, k: k))
        #expect(abs(derivedVariance - paperVariance / (cd * cd)) <= 1e-12 * paperVariance)
        #expect(abs(try #require(paper.estimator.variance(q: q, k: k)) - paperVariance) <= 1e-12 * paperVariance)
        #expect(abs(derivedMoments.variance - derivedVariance) <= 6 * derivedMoments.varianceStandardError)
    }

    @Test("χ-length Haar rows (ORF) with √(π/2) are unbiased, with the JLTheory variance")
    func orthogonalChi() throws {
        // 6σ of the mean from the exact χ-row variance (JLTheory.qjlOrthogonalMoments, .chi), 4000 trials.
        let (q, k) = pair(d: 8, angle: 0.7)
        let trials = 4000
        let result = try asymmetricTrials(q: q, k: k, m: 16, trials: trials, seedOffset: 90_000, haar: true, chi: true)
        #expect(result.estimator.isUnbiased)
        let exactVariance = try #require(result.estimator.variance(q: q, k: k))
        let moments = sampleMoments(result.samples)
        #expect(abs(moments.mean - Double.cos(0.7)) <= 6 * (exactVariance / Double(trials)).squareRoot())
        #expect(abs(moments.variance - exactVariance) <= 6 * moments.varianceStandardError)
    }

    @Test("symmetric SimHash mean: closed form, pmf sum and Monte Carlo")
    func symmetric() throws {
        let estimator = try SymmetricSignEstimator(rowLaw: .gaussian, inputDimension: 2, sketchDimension: 64)
        let (q, k) = pair(d: 2, angle: 1)
        let mean = try #require(estimator.mean(q: q, k: k))
        #expect(abs(mean - 0.531419) < 5e-7)  // theory.md §2.7, 6 digits
        let p = try #require(estimator.flipProbability(q: q, k: k))
        #expect(abs(SymmetricSignEstimator.cosineMoments(flipProbability: p, sketchDimension: 64).first - mean) < 1e-12)
        // Monte Carlo at d = 4, m = 32, θ = 1.
        let m = 32, trials = 3000
        let (q4, k4) = pair(d: 4, angle: 1)
        let estimator4 = try SymmetricSignEstimator(rowLaw: .gaussian, inputDimension: 4, sketchDimension: m)
        var samples = [Double]()
        for t in 0..<trials {
            let s = try TestGaussianTransform<Double>(d: 4, m: m, seed: UInt64(t) + 7000)
            let scores = try estimator4.scores(queries: try Matrix(rows: 1, columns: 4, elements: q4),
                                               keys: try SignSketchBatch(keys: try Matrix(rows: 1, columns: 4, elements: k4),
                                                                         transform: s, normPrecision: .float32),
                                               transform: s)
            samples.append(scores.elements[0])
        }
        let exactMean = try #require(estimator4.mean(q: q4, k: k4))
        let exactVariance = try #require(estimator4.variance(q: q4, k: k4))
        let moments = sampleMoments(samples)
        #expect(abs(moments.mean - exactMean) <= 6 * (exactVariance / Double(trials)).squareRoot())  // 6σ
        #expect(abs(moments.variance - exactVariance) <= 6 * moments.varianceStandardError)
        #expect(abs(exactMean - Double.cos(1)) > 0.015)  // the closed-form bias at m = 32 (0.0175) is real
    }

    @Test("unquantized JL: unbiased with variance (‖q‖²‖k‖² + ⟨q,k⟩²)/m")
    func unquantized() throws {
        let (q, k) = pair(d: 4, angle: 0.5)
        let m = 16, trials = 3000
        let estimator = try UnquantizedJLEstimator(rowLaw: .gaussian, inputDimension: 4, sketchDimension: m)
        var samples = [Double]()
        for t in 0..<trials {
            let s = try TestGaussianTransform<Double>(d: 4, m: m, seed: UInt64(t) + 20_000)
            samples.append(try estimator.estimate(projectedQuery: try s.apply(q), projectedKey: try s.apply(k)))
        }
        let variance = try #require(estimator.variance(q: q, k: k))
        #expect(abs(variance - (1 + Double.cos(0.5) * Double.cos(0.5)) / 16) < 1e-15)
        let moments = sampleMoments(samples)
        #expect(abs(moments.mean - Double.cos(0.5)) <= 6 * (variance / Double(trials)).squareRoot())  // 6σ
        #expect(abs(moments.variance - variance) <= 6 * moments.varianceStandardError)
    }
}
