import Testing
@testable import JLStatistics

@Suite("Confidence intervals against scipy")
struct IntervalTests {
    // python3 -c "from scipy import stats; [print(k,n,m,repr(float(c.low)),repr(float(c.high))) for k,n in [(0,10),(5,10),(10,10),(3,50)] for m in ('wilson','exact') for c in [stats.binomtest(k,n).proportion_ci(0.95,method=m)]]"
    @Test(arguments: [
        (0, 10, 0.0, 0.27753279986288926),
        (5, 10, 0.236593090512564, 0.7634069094874361),
        (10, 10, 0.7224672001371109, 1.0),
        (3, 50, 0.020614970348973957, 0.1621709168883817),
    ])
    func wilson(k: Int, n: Int, lower: Double, upper: Double) throws {
        let interval = try ConfidenceInterval.wilson(successes: k, trials: n, level: 0.95)
        // Closed form in z = Φ⁻¹(0.975) (accurate to 1e-15): 1e-13 absolute is ample.
        #expect(Swift.abs(interval.lower - lower) < 1e-13)
        #expect(Swift.abs(interval.upper - upper) < 1e-13)
        if k == 0 { #expect(interval.lower == 0) }
        if k == n { #expect(interval.upper == 1) }
    }

    @Test(arguments: [
        (0, 10, 0.0, 0.30849710781876294),
        (5, 10, 0.1870860284474045, 0.8129139715525955),
        (10, 10, 0.6915028921812371, 1.0),
        (3, 50, 0.01254858783533406, 0.1654819466037729),
    ])
    func clopperPearson(k: Int, n: Int, lower: Double, upper: Double) throws {
        let interval = try ConfidenceInterval.clopperPearson(successes: k, trials: n, level: 0.95)
        // Beta quantile by bisection to 1e-15 on I_x accurate to ≈1e-14; scipy also inverts numerically.
        #expect(Swift.abs(interval.lower - lower) < 1e-11)
        #expect(Swift.abs(interval.upper - upper) < 1e-11)
    }

    // python3 -c "from scipy import stats; import math; print(stats.t.interval(0.95, 9, loc=2.0, scale=0.5/math.sqrt(10)), stats.norm.interval(0.9, loc=2.0, scale=0.5/math.sqrt(10)))"
    @Test func meanIntervals() throws {
        let t = try ConfidenceInterval.studentTMean(mean: 2, standardDeviation: 0.5, count: 10, level: 0.95)
        #expect(Swift.abs(t.lower - 1.6423215470146677) < 1e-12)  // t quantile to 1e-12 relative.
        #expect(Swift.abs(t.upper - 2.3576784529853323) < 1e-12)
        let z = try ConfidenceInterval.normalMean(mean: 2, standardDeviation: 0.5, count: 10, level: 0.9)
        #expect(Swift.abs(z.lower - 1.7399258060622211) < 1e-13)  // Φ⁻¹ to 1e-15 relative.
        #expect(Swift.abs(z.upper - 2.2600741939377786) < 1e-13)
        #expect(throws: StatisticsError.invalidCount(name: "count", value: 1, requirement: "≥ 2")) {
            try ConfidenceInterval.studentTMean(mean: 0, standardDeviation: 1, count: 1, level: 0.95)
        }
    }

    // python3 -c "from scipy import stats; n=20; s2=1.3; print((n-1)*s2/stats.chi2.ppf(0.975,n-1), (n-1)*s2/stats.chi2.ppf(0.025,n-1))"
    @Test func varianceRatio() throws {
        let interval = try ConfidenceInterval.varianceRatio(
            sampleVariance: 1.3, count: 20, referenceVariance: 1, level: 0.95)
        #expect(Swift.abs(interval.lower - 0.7518493318284101) < 1e-12)  // χ² quantiles to 1e-12.
        #expect(Swift.abs(interval.upper - 2.7732503555067645) < 1e-12)
        let halved = try ConfidenceInterval.varianceRatio(
            sampleVariance: 1.3, count: 20, referenceVariance: 2, level: 0.95)
        #expect(Swift.abs(halved.upper - 2.7732503555067645 / 2) < 1e-12)
    }

    @Test func rejectsBadArguments() {
        #expect(throws: StatisticsError.self) { try ConfidenceInterval.wilson(successes: 11, trials: 10, level: 0.95) }
        #expect(throws: StatisticsError.self) { try ConfidenceInterval.wilson(successes: 0, trials: 0, level: 0.95) }
        #expect(throws: StatisticsError.probabilityOutOfRange(name: "level", value: 1.5)) {
            try ConfidenceInterval.clopperPearson(successes: 1, trials: 10, level: 1.5)
        }
        #expect(throws: StatisticsError.self) {
            try ConfidenceInterval.varianceRatio(sampleVariance: 1, count: 10, referenceVariance: 0, level: 0.9)
        }
    }

    @Test func verdictRule() {
        let bound = 0.05
        #expect(Verdict(interval: .init(lower: 0.06, upper: 0.08, level: 0.95), promisedBound: bound) == .violated)
        #expect(Verdict(interval: .init(lower: 0.01, upper: 0.05, level: 0.95), promisedBound: bound) == .holds)
        #expect(Verdict(interval: .init(lower: 0.04, upper: 0.06, level: 0.95), promisedBound: bound) == .inconclusive)
        #expect(Verdict(interval: .init(lower: 0.05, upper: 0.06, level: 0.95), promisedBound: bound) == .inconclusive)
        #expect(Verdict.violated.rawValue == "violated" && Verdict.holds.rawValue == "holds"
                && Verdict.inconclusive.rawValue == "inconclusive")
    }
}

@Suite("Streaming moments and Kolmogorov–Smirnov")
struct MomentsAndKSTests {
    @Test func runningMomentsMatchTwoPass() throws {
        let values = (0..<1000).map { Double(($0 * 7919) % 1009) * 0.01 - 3 }
        let moments = try RunningMoments(values)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
        #expect(moments.count == 1000)
        #expect(Swift.abs(moments.mean - mean) < 1e-13)          // both ≈ 1e-16 × Σ|x|.
        #expect(isClose(try #require(moments.sampleVariance), variance, relative: 1e-12))
        #expect(moments.minimum == values.min() && moments.maximum == values.max())
    }

    @Test func mergeIsDeterministicAndMatchesSinglePass() throws {
        let values = (0..<999).map { Double(($0 * 104729) % 997) / 997 + 1e6 }  // large offset.
        let whole = try RunningMoments(values)
        var merged = RunningMoments()
        for shard in stride(from: 0, to: values.count, by: 100) {
            merged.merge(try RunningMoments(values[shard..<Swift.min(shard + 100, values.count)]))
        }
        var again = RunningMoments()
        for shard in stride(from: 0, to: values.count, by: 100) {
            again.merge(try RunningMoments(values[shard..<Swift.min(shard + 100, values.count)]))
        }
        #expect(merged == again)  // Same order, bit-identical.
        #expect(merged.count == whole.count)
        #expect(Swift.abs(merged.mean - whole.mean) < 1e-9)  // 1e6 offset: ulp ≈ 1.2e-10.
        #expect(isClose(try #require(merged.sampleVariance), try #require(whole.sampleVariance), relative: 1e-9))
        #expect(RunningMoments().merging(whole) == whole)
        #expect(RunningMoments().sampleVariance == nil)
        var bad = RunningMoments()
        #expect(throws: StatisticsError.self) { try bad.add(.nan) }
    }

    @Test func ksStatisticExactSmallCase() throws {
        // Samples 0.1, 0.4, 0.9 against U(0,1): D = max(1/3−0.1, 0.1, 2/3−0.4, 0.4−1/3, 1−0.9, 0.9−2/3)
        //                                          = 0.2666…
        let d = try KolmogorovSmirnov.statistic(samples: [0.9, 0.1, 0.4]) { Swift.min(1, Swift.max(0, $0)) }
        #expect(Swift.abs(d - (2.0 / 3.0 - 0.4)) < 1e-15)
        // Samples 0.5, 0.6, 0.95: the F(x₍ᵢ₎) − (i−1)/n side dominates, D = 0.5 − 0 = 0.5.
        let lowSide = try KolmogorovSmirnov.statistic(samples: [0.6, 0.95, 0.5]) { Swift.min(1, Swift.max(0, $0)) }
        #expect(Swift.abs(lowSide - 0.5) < 1e-15)
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov.statistic(samples: [], cdf: { $0 }) }
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov.statistic(samples: [2], cdf: { $0 }) }
    }

    // python3 -c "from scipy import stats; print(stats.kstwobign.sf(1.0), stats.kstwobign.sf(1.36))"
    @Test func ksCriticalValuesAndPValues() throws {
        // DKW: python3 -c "import math; print(math.sqrt(math.log(2/0.05)/200))" → 0.13581015157406195.
        let c = try KolmogorovSmirnov.dkwCriticalValue(sampleCount: 100, falseFailureProbability: 0.05)
        #expect(Swift.abs(c - 0.13581015157406195) < 1e-15)
        #expect(Swift.abs(try KolmogorovSmirnov.dkwPValueBound(statistic: c, sampleCount: 100) - 0.05) < 1e-15)
        // Series truncated at 1e-17: agrees with scipy's kstwobign to 1e-14.
        #expect(Swift.abs(KolmogorovSmirnov.kolmogorovSurvival(1.0) - 0.26999967167735456) < 1e-14)
        #expect(Swift.abs(KolmogorovSmirnov.kolmogorovSurvival(1.36) - 0.049485876755377876) < 1e-14)
        #expect(throws: StatisticsError.self) {
            try KolmogorovSmirnov.dkwCriticalValue(sampleCount: 0, falseFailureProbability: 0.05)
        }
    }
}
