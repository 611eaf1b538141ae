import Testing
@testable import JLStatistics

/// Relative closeness with the reason for the tolerance given at each call site.
func isClose(_ actual: Double, _ expected: Double, relative: Double) -> Bool {
    Swift.abs(actual - expected) <= relative * Swift.abs(expected)
}

@Suite("Special functions against scipy 1.x reference values")
struct SpecialFunctionsTests {
    // python3 -c "from scipy import special as sp; print(repr(sp.gammainc(2.5,1.7)), repr(sp.gammaincc(10.0,14.0)), repr(sp.gammainc(0.5,0.01)), repr(sp.gammaincc(100.0,80.0)))"
    @Test(arguments: [
        (2.5, 1.7, 0.36143007689620493, true),
        (10.0, 14.0, 0.10939936964273902, false),
        (0.5, 0.01, 0.11246291601828491, true),
        (100.0, 80.0, 0.9828916869648668, false),
    ])
    func incompleteGamma(a: Double, x: Double, expected: Double, isLower: Bool) throws {
        let value = isLower ? try SpecialFunctions.regularizedGammaP(a, x)
                            : try SpecialFunctions.regularizedGammaQ(a, x)
        // Series/continued fraction converge to 1e-16; lgamma and exp add a few ulp × |ln term|.
        #expect(isClose(value, expected, relative: 1e-12))
        let complement = isLower ? try SpecialFunctions.regularizedGammaQ(a, x)
                                 : try SpecialFunctions.regularizedGammaP(a, x)
        #expect(Swift.abs(value + complement - 1) < 1e-15)  // P + Q = 1 up to rounding.
    }

    // python3 -c "from scipy import special as sp; print(repr(sp.betainc(2.0,3.0,0.4)), repr(sp.betainc(0.5,0.5,0.9)), repr(sp.betainc(50.0,30.0,0.6)), repr(sp.betainc(1.0,1.0,0.3)))"
    @Test(arguments: [
        (2.0, 3.0, 0.4, 0.5247999999999999),
        (0.5, 0.5, 0.9, 0.7951672353008665),
        (50.0, 30.0, 0.6, 0.3170571539691119),
        (1.0, 1.0, 0.3, 0.3),
    ])
    func incompleteBeta(a: Double, b: Double, x: Double, expected: Double) throws {
        // Continued fraction to 1e-16; lbeta for a, b = 50, 30 loses ≈ 1e-13 relative.
        #expect(isClose(try SpecialFunctions.regularizedBeta(x, a: a, b: b), expected, relative: 1e-12))
    }

    @Test func incompleteFunctionsRejectBadArguments() {
        #expect(throws: StatisticsError.invalidArgument(name: "a", value: 0, requirement: "finite and > 0")) {
            try SpecialFunctions.regularizedGammaP(0, 1)
        }
        #expect(throws: StatisticsError.self) { try SpecialFunctions.regularizedGammaQ(1, -1) }
        #expect(throws: StatisticsError.self) { try SpecialFunctions.regularizedBeta(1.5, a: 1, b: 1) }
        #expect(throws: StatisticsError.self) { try SpecialFunctions.regularizedBeta(0.5, a: 1, b: .nan) }
    }

    // python3 -c "from scipy import stats; print(repr(stats.norm.ppf(0.975)), repr(stats.norm.ppf(1e-10)), repr(stats.norm.cdf(-3.5)), repr(stats.norm.ppf(0.3)))"
    @Test func normalQuantileAndCDF() throws {
        // Acklam (1.15e-9) plus two Halley steps reaches erfc accuracy; 1e-14 leaves a margin.
        #expect(isClose(try StandardNormal.quantile(0.975), 1.959963984540054, relative: 1e-14))
        #expect(isClose(try StandardNormal.quantile(0.025), -1.959963984540054, relative: 1e-14))
        #expect(isClose(try StandardNormal.quantile(1e-10), -6.361340902404056, relative: 1e-14))
        #expect(isClose(try StandardNormal.quantile(0.3), -0.5244005127080409, relative: 1e-14))
        #expect(try StandardNormal.quantile(0.5) == 0)
        #expect(isClose(StandardNormal.cdf(-3.5), 0.00023262907903552502, relative: 1e-14))
        #expect(isClose(StandardNormal.survival(3.5), 0.00023262907903552502, relative: 1e-14))
        #expect(throws: StatisticsError.probabilityOutOfRange(name: "p", value: 1)) {
            try StandardNormal.quantile(1)
        }
    }

    @Test(arguments: [1e-12, 1e-6, 0.01, 0.02425, 0.1, 0.4, 0.5, 0.77, 0.99, 1 - 1e-9])
    func normalQuantileInvertsCDF(p: Double) throws {
        let x = try StandardNormal.quantile(p)
        let back = p < 0.5 ? StandardNormal.cdf(x) : 1 - StandardNormal.survival(x)
        // Round trip limited by the conditioning of Φ near p and by 1 − p rounding (≈1e-16 abs).
        #expect(Swift.abs(back - p) <= 1e-14 * Swift.min(p, 1 - p) + 2e-16)
    }

    // python3 -c "from scipy import stats; print(repr(stats.t.ppf(0.975,5)), repr(stats.t.cdf(-1.3,7)), repr(stats.t.ppf(0.995,1)), repr(stats.t.ppf(0.9,30)))"
    @Test func studentT() throws {
        // Bisection to 1e-15 relative on a CDF accurate to ≈1e-14: 1e-12 leaves a margin.
        #expect(isClose(try StudentT(degreesOfFreedom: 5).quantile(0.975), 2.570581835636314, relative: 1e-12))
        #expect(isClose(try StudentT(degreesOfFreedom: 1).quantile(0.995), 63.656741162871526, relative: 1e-12))
        #expect(isClose(try StudentT(degreesOfFreedom: 30).quantile(0.9), 1.3104150253913955, relative: 1e-12))
        #expect(isClose(try StudentT(degreesOfFreedom: 5).quantile(0.025), -2.570581835636314, relative: 1e-12))
        #expect(isClose(try StudentT(degreesOfFreedom: 7).cdf(-1.3), 0.11738391769618862, relative: 1e-12))
        #expect(throws: StatisticsError.self) { try StudentT(degreesOfFreedom: 0) }
    }

    // python3 -c "from scipy import stats; print(repr(stats.chi2.ppf(0.95,10)), repr(stats.chi2.ppf(0.025,9)), repr(stats.chi2.cdf(3.0,4)))"
    @Test func chiSquared() throws {
        // Bisection to 1e-15 relative on a CDF accurate to ≈1e-14: 1e-12 leaves a margin.
        #expect(isClose(try ChiSquared(degreesOfFreedom: 10).quantile(0.95), 18.307038053275146, relative: 1e-12))
        #expect(isClose(try ChiSquared(degreesOfFreedom: 9).quantile(0.025), 2.7003894999803584, relative: 1e-12))
        #expect(isClose(try ChiSquared(degreesOfFreedom: 4).cdf(3.0), 0.4421745996289252, relative: 1e-12))
        #expect(try ChiSquared(degreesOfFreedom: 4).cdf(-1) == 0)
        #expect(throws: StatisticsError.self) { try ChiSquared(degreesOfFreedom: 3).quantile(0) }
    }

    @Test func binomialTailMatchesDirectSum() throws {
        // P(X ≥ 3), X ~ Bin(10, 0.2) = 1 − Σ_{k<3} C(10,k) 0.2^k 0.8^(10−k); exact rational arithmetic.
        let direct = 1 - (0.8 ** 10 + 10 * 0.2 * (0.8 ** 9) + 45 * 0.04 * (0.8 ** 8))
        #expect(isClose(try BinomialTail.atLeast(3, trials: 10, probability: 0.2), direct, relative: 1e-13))
        #expect(try BinomialTail.atLeast(0, trials: 10, probability: 0.2) == 1)
        #expect(try BinomialTail.atLeast(11, trials: 10, probability: 0.2) == 0)
    }
}

infix operator **: MultiplicationPrecedence
private func ** (base: Double, exponent: Int) -> Double {
    (0..<exponent).reduce(1.0) { product, _ in product * base }
}
