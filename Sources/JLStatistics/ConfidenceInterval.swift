import RealModule

/// A two-sided confidence interval [lower, upper] with its nominal coverage level.
public struct ConfidenceInterval: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Lower end.
    public let lower: Double
    /// Upper end.
    public let upper: Double
    /// Nominal two-sided coverage, e.g. 0.95.
    public let level: Double

    /// Creates an interval; the ends are stored as given (callers guarantee lower ≤ upper).
    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Whether `value` lies in the closed interval.
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    public var description: String { "[\(lower), \(upper)] at level \(level)" }

    // MARK: Binomial proportion

    /// Wilson score interval for a binomial proportion (no continuity correction).
    ///
    /// ```
    /// p̂ = k/n,  z = Φ⁻¹(1 − α/2),  α = 1 − level
    /// centre = (p̂ + z²/(2n)) / (1 + z²/n)
    /// half   = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²))
    /// ```
    /// The ends are clamped to [0, 1] and are exactly 0 when k = 0 and exactly 1 when k = n.
    /// - Throws: `StatisticsError` if n < 1, k ∉ [0, n], or level ∉ (0, 1).
    /// - Complexity: O(1).
    /// - Source: E. B. Wilson, JASA 22 (1927) 209–212, doi:10.1080/01621459.1927.10502953.
    public static func wilson(successes k: Int, trials n: Int, level: Double) throws(StatisticsError) -> ConfidenceInterval {
        try validateBinomial(k, n, level)
        let z = try StandardNormal.quantile(0.5 + 0.5 * level)
        let count = Double(n)
        let pHat = Double(k) / count
        let z2 = z * z
        let denominator = 1 + z2 / count
        let centre = (pHat + z2 / (2 * count)) / denominator
        let half = z / denominator * (pHat * (1 - pHat) / count + z2 / (4 * count * count)).squareRoot()
        let lower = k == 0 ? 0 : Swift.max(0, centre - half)
        let upper = k == n ? 1 : Swift.min(1, centre + half)
        return ConfidenceInterval(lower: lower, upper: upper, level: level)
    }

    /// Clopper–Pearson ("exact") interval for a binomial proportion.
    ///
    /// ```
    /// lower = B⁻¹(α/2; k, n − k + 1)        (0 when k = 0)
    /// upper = B⁻¹(1 − α/2; k + 1, n − k)    (1 when k = n)
    /// ```
    /// with B⁻¹ the beta quantile, found by bisection on I_x(a, b).
    /// - Throws: `StatisticsError` if n < 1, k ∉ [0, n], or level ∉ (0, 1).
    /// - Complexity: ≈ 50 incomplete-beta evaluations per end.
    /// - Source: C. J. Clopper, E. S. Pearson, Biometrika 26 (1934) 404–413,
    ///   doi:10.1093/biomet/26.4.404.
    public static func clopperPearson(successes k: Int, trials n: Int, level: Double) throws(StatisticsError) -> ConfidenceInterval {
        try validateBinomial(k, n, level)
        let alpha = 1 - level
        let lower = k == 0 ? 0 : BinomialTail.betaQuantile(alpha / 2, a: Double(k), b: Double(n - k + 1))
        let upper = k == n ? 1 : BinomialTail.betaQuantile(1 - alpha / 2, a: Double(k + 1), b: Double(n - k))
        return ConfidenceInterval(lower: lower, upper: upper, level: level)
    }

    // MARK: Mean

    /// Normal (z) interval for a mean from its sample mean and sample standard deviation.
    ///
    /// ```
    /// mean ± Φ⁻¹(1 − α/2) · s / √n
    /// ```
    /// - Throws: `StatisticsError` if n < 1, s < 0 or not finite, mean not finite, level ∉ (0, 1).
    /// - Complexity: O(1).
    /// - Source: standard large-sample interval (CLT).
    public static func normalMean(mean: Double, standardDeviation s: Double, count n: Int,
                                  level: Double) throws(StatisticsError) -> ConfidenceInterval {
        try validateMean(mean, s, n, minimumCount: 1, level)
        let z = try StandardNormal.quantile(0.5 + 0.5 * level)
        let half = z * s / Double(n).squareRoot()
        return ConfidenceInterval(lower: mean - half, upper: mean + half, level: level)
    }

    /// Student-t interval for a mean of n i.i.d. normal samples.
    ///
    /// ```
    /// mean ± t_{1−α/2, n−1} · s / √n
    /// ```
    /// - Throws: `StatisticsError` if n < 2, s < 0 or not finite, mean not finite, level ∉ (0, 1).
    /// - Complexity: O(1) quantile inversion.
    /// - Source: W. S. Gosset ("Student"), Biometrika 6 (1908) 1–25, doi:10.2307/2331554.
    public static func studentTMean(mean: Double, standardDeviation s: Double, count n: Int,
                                    level: Double) throws(StatisticsError) -> ConfidenceInterval {
        try validateMean(mean, s, n, minimumCount: 2, level)
        let t = try StudentT(degreesOfFreedom: Double(n - 1)).quantile(0.5 + 0.5 * level)
        let half = t * s / Double(n).squareRoot()
        return ConfidenceInterval(lower: mean - half, upper: mean + half, level: level)
    }

    // MARK: Variance

    /// Chi-square interval for the ratio σ²_true / σ²_reference from a sample variance.
    ///
    /// ```
    /// [ (n−1)s² / χ²_{1−α/2, n−1},  (n−1)s² / χ²_{α/2, n−1} ] / σ²_reference
    /// ```
    /// Exact for i.i.d. normal samples; for other distributions it is only approximate
    /// (sensitive to kurtosis).
    /// - Throws: `StatisticsError` if n < 2, s² < 0 or not finite, σ²_reference ≤ 0, level ∉ (0, 1).
    /// - Complexity: two chi-square quantile inversions.
    /// - Source: standard (Cochran's theorem: (n−1)s²/σ² ~ χ²_{n−1}).
    public static func varianceRatio(sampleVariance: Double, count n: Int, referenceVariance: Double,
                                     level: Double) throws(StatisticsError) -> ConfidenceInterval {
        guard n >= 2 else { throw .invalidCount(name: "count", value: n, requirement: "≥ 2") }
        guard sampleVariance.isFinite, sampleVariance >= 0 else {
            throw .invalidArgument(name: "sampleVariance", value: sampleVariance, requirement: "finite and ≥ 0")
        }
        try requirePositiveFinite(referenceVariance, "referenceVariance")
        try requireOpenUnitInterval(level, "level")
        let alpha = 1 - level
        let chi = try ChiSquared(degreesOfFreedom: Double(n - 1))
        let scaled = Double(n - 1) * sampleVariance / referenceVariance
        return ConfidenceInterval(lower: scaled / (try chi.quantile(1 - alpha / 2)),
                                  upper: scaled / (try chi.quantile(alpha / 2)), level: level)
    }

    // MARK: Validation

    private static func validateBinomial(_ k: Int, _ n: Int, _ level: Double) throws(StatisticsError) {
        guard n >= 1 else { throw .invalidCount(name: "trials", value: n, requirement: "≥ 1") }
        guard k >= 0, k <= n else {
            throw .invalidCount(name: "successes", value: k, requirement: "in 0...trials (\(n))")
        }
        try requireOpenUnitInterval(level, "level")
    }

    private static func validateMean(_ mean: Double, _ s: Double, _ n: Int, minimumCount: Int,
                                     _ level: Double) throws(StatisticsError) {
        guard n >= minimumCount else {
            throw .invalidCount(name: "count", value: n, requirement: "≥ \(minimumCount)")
        }
        guard mean.isFinite else {
            throw .invalidArgument(name: "mean", value: mean, requirement: "finite")
        }
        guard s.isFinite, s >= 0 else {
            throw .invalidArgument(name: "standardDeviation", value: s, requirement: "finite and ≥ 0")
        }
        try requireOpenUnitInterval(level, "level")
    }
}
