import JLLinearAlgebra
import JLRandom
import Testing
@testable import JLTransforms

@Suite("E‖Sx‖² = squaredNormScale·‖x‖² over seeds")
struct SquaredNormTests {
    static let seeds = 400

    @Test("mean of ‖Sx‖² over 400 seeds", arguments: Precision.allCases, allConfigurations)
    func meanSquaredNorm(precision: Precision, configuration: Configuration) throws {
        switch precision {
        case .float: try check(configuration, Float.self)
        case .double: try check(configuration, Double.self)
        }
    }

    func check<Scalar: LinearAlgebraScalar>(_ configuration: Configuration, _ type: Scalar.Type) throws {
        let d = configuration.inputDimension, m = configuration.sketchDimension
        // A fixed, non-flat x (a flat x would hide sign-dependent errors in SRHT-type maps).
        let x: [Scalar] = (0..<d).map { Scalar(1 + Double($0 % 5) - 0.3 * Double($0)) }
        let normSquared = squaredNorm(x)
        var samples: [Double] = []
        var scale = 0.0
        for seed in 0..<Self.seeds {
            let transform = try configuration.make(seed: UInt64(1000 + seed), as: Scalar.self)
            scale = transform.squaredNormScale
            samples.append(squaredNorm(try transform.apply(x)))
        }
        let n = Double(Self.seeds)
        let mean = samples.reduce(0, +) / n
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let expected = scale * normSquared
        // Tolerance: 6 standard errors of the mean, so a false failure has probability ≈ 2e-9.
        // Gaussian rows: Var ‖Sx‖² = 2m‖x‖⁴ exactly (χ²_m·‖x‖²), so the bound is exact.
        // Other families: the sample variance of the 400 draws (its own relative error ≈ √(2/400)
        // = 7%, absorbed by the 6σ margin). A transform with zero variance (orthogonal, m a
        // multiple of d) gets the floating-point floor instead.
        let sampleVariance = configuration.kind == .gaussian ? 2 * Double(m) * normSquared * normSquared : variance
        let tolerance = max(6 * (sampleVariance / n).squareRoot(), 1e-4 * expected)
        #expect(abs(mean - expected) <= tolerance,
                "mean \(mean) vs \(expected) (tolerance \(tolerance), sd \(variance.squareRoot()))")
        if configuration.kind == .gaussian {
            // The empirical variance should match 2m‖x‖⁴ (relative sd of a sample variance
            // from 400 draws of a χ²-type variable ≈ √(2/400 + kurtosis term) < 20%).
            #expect(abs(variance / sampleVariance - 1) < 0.35)
        }
    }
}
