import RealModule

/// One-sample Kolmogorov–Smirnov statistic and its critical values.
public enum KolmogorovSmirnov {
    /// The statistic D_n = sup_x |F_n(x) − F(x)| of `samples` against a continuous CDF F.
    ///
    /// ```
    /// D_n = max_i max( i/n − F(x₍ᵢ₎),  F(x₍ᵢ₎) − (i−1)/n )     (x₍ᵢ₎ sorted ascending)
    /// ```
    /// - Throws: `StatisticsError.invalidSample` if `samples` is empty, contains NaN, or the
    ///   CDF returns a value outside [0, 1] (or NaN).
    /// - Complexity: O(n log n) for the sort plus n CDF evaluations.
    /// - Source: A. N. Kolmogorov (1933); formula as in Marsaglia, Tsang, Wang, J. Stat. Softw. 8(18)
    ///   (2003), doi:10.18637/jss.v008.i18.
    public static func statistic(samples: [Double], cdf: (Double) -> Double) throws(StatisticsError) -> Double {
        guard !samples.isEmpty else { throw .invalidSample(reason: "no samples") }
        guard !samples.contains(where: \.isNaN) else { throw .invalidSample(reason: "a sample is NaN") }
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var largest = 0.0
        for (index, x) in sorted.enumerated() {
            let f = cdf(x)
            guard f >= 0, f <= 1 else {
                throw .invalidSample(reason: "CDF(\(x)) = \(f) is outside [0, 1]")
            }
            let above = Double(index + 1) / n - f
            let below = f - Double(index) / n
            largest = Swift.max(largest, above, below)
        }
        return largest
    }

    /// Critical value c with P(D_n > c) ≤ α for every n, from the DKW inequality.
    ///
    /// ```
    /// c(α) = √( ln(2/α) / (2n) )          since P(D_n > c) ≤ 2·exp(−2 n c²)
    /// ```
    /// A guaranteed (non-asymptotic) bound: a test that fails when D_n > c has false-failure
    /// probability ≤ α for every sample size.
    /// - Throws: `StatisticsError` if n < 1 or α ∉ (0, 1).
    /// - Complexity: O(1).
    /// - Source: Dvoretzky–Kiefer–Wolfowitz with Massart's constant, Ann. Probab. 18 (1990)
    ///   1269–1283, doi:10.1214/aop/1176990746.
    public static func dkwCriticalValue(sampleCount n: Int, falseFailureProbability alpha: Double) throws(StatisticsError) -> Double {
        guard n >= 1 else { throw .invalidCount(name: "sampleCount", value: n, requirement: "≥ 1") }
        try requireOpenUnitInterval(alpha, "falseFailureProbability")
        return (Double.log(2 / alpha) / (2 * Double(n))).squareRoot()
    }

    /// Upper bound on the p-value P(D_n ≥ d) from the DKW inequality (valid for every n).
    ///
    /// ```
    /// p ≤ min(1, 2·exp(−2 n d²))
    /// ```
    /// - Throws: `StatisticsError` if n < 1 or d ∉ [0, 1].
    /// - Complexity: O(1).
    /// - Source: Massart (1990), doi:10.1214/aop/1176990746.
    public static func dkwPValueBound(statistic d: Double, sampleCount n: Int) throws(StatisticsError) -> Double {
        guard n >= 1 else { throw .invalidCount(name: "sampleCount", value: n, requirement: "≥ 1") }
        guard d >= 0, d <= 1 else { throw .invalidArgument(name: "statistic", value: d, requirement: "in [0, 1]") }
        return Swift.min(1, 2 * Double.exp(-2 * Double(n) * d * d))
    }

    /// Asymptotic p-value from the Kolmogorov distribution (approximate, not a bound).
    ///
    /// ```
    /// λ = (√n + 0.12 + 0.11/√n)·d
    /// p ≈ Q_K(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²)
    /// ```
    /// Prefer ``dkwPValueBound(statistic:sampleCount:)`` where a guarantee is needed.
    /// - Throws: `StatisticsError` if n < 1 or d ∉ [0, 1].
    /// - Complexity: O(1) (the series is truncated after ≤ 100 terms).
    /// - Source: Kolmogorov (1933); small-n correction of M. A. Stephens, JRSS B 32 (1970) 115–122.
    public static func asymptoticPValue(statistic d: Double, sampleCount n: Int) throws(StatisticsError) -> Double {
        guard n >= 1 else { throw .invalidCount(name: "sampleCount", value: n, requirement: "≥ 1") }
        guard d >= 0, d <= 1 else { throw .invalidArgument(name: "statistic", value: d, requirement: "in [0, 1]") }
        let rootN = Double(n).squareRoot()
        return kolmogorovSurvival((rootN + 0.12 + 0.11 / rootN) * d)
    }

    /// Q_K(λ) = P(K > λ) for the Kolmogorov distribution K = sup |Brownian bridge|.
    ///
    /// ```
    /// Q_K(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²)       (1 for λ ≤ 0.1, where
    ///                                                      1 − Q_K(0.1) ≈ 25·exp(−π²/0.08) < 1e-52)
    /// ```
    /// - Complexity: O(1).
    /// - Source: Kolmogorov (1933).
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda <= 0.1 { return 1 }
        var sum = 0.0
        var sign = 1.0
        for j in 1...100 {
            let term = Double.exp(-2 * Double(j * j) * lambda * lambda)
            sum += sign * term
            if term < 1e-17 * Swift.abs(sum) { break }
            sign = -sign
        }
        return Swift.min(1, Swift.max(0, 2 * sum))
    }
}
