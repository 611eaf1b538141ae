/// A Codable, mergeable count/mean/M₂/M₃/M₄ summary of estimator draws: the block accumulator of
/// exp-unbiasedness and exp-seed-variance.
///
/// ```
/// add x:    n ← n + 1;  δ = x − x̄;  x̄ ← x̄ + δ/n;  M₂ ← M₂ + δ·(x − x̄)          (Welford)
/// merge b:  n = n_a + n_b;  δ = x̄_b − x̄_a;  x̄ = x̄_a + δ·n_b/n;  M₂ = M₂_a + M₂_b + δ²·n_a·n_b/n
/// s² = M₂/(n − 1),   κ̂ = n·M₄/M₂²   (sample kurtosis, 3 for normal draws)
/// M₃, M₄ merge:  M₃ = M₃_a + M₃_b + δ³n_an_b(n_a − n_b)/n² + 3δ(n_aM₂_b − n_bM₂_a)/n
///                M₄ = M₄_a + M₄_b + δ⁴n_an_b(n_a² − n_an_b + n_b²)/n³ + 6δ²(n_a²M₂_b + n_b²M₂_a)/n²
///                     + 4δ(n_aM₃_b − n_bM₃_a)/n          (one draw = merging a summary with n = 1)
/// ```
/// Plain IEEE arithmetic in a fixed order: blocks merged in block order reproduce bit for bit,
/// whatever the thread count or shard layout. (`JLStatistics.RunningMoments` is the same
/// algorithm but not `Codable`, which block accumulators must be.)
/// - Complexity: O(1) per `add` and `merge`.
/// - Source: Welford, Technometrics 4 (1962), doi:10.1080/00401706.1962.10490022; Chan, Golub,
///   LeVeque, STAN-CS-79-773 (1979); P. Pébay, Sandia report SAND2008-6212 (2008), doi:10.2172/1028931
///   (higher-moment merge).
public struct EstimateMoments: Codable, Sendable, Equatable {
    /// Number of draws n.
    public var count: Int = 0
    /// Sample mean x̄ (0 when empty).
    public var mean: Double = 0
    /// Sum of squared deviations M₂ = Σ (xᵢ − x̄)².
    public var sumOfSquaredDeviations: Double = 0
    /// M₃ = Σ (xᵢ − x̄)³.
    public var sumOfCubedDeviations: Double = 0
    /// M₄ = Σ (xᵢ − x̄)⁴.
    public var sumOfFourthPowerDeviations: Double = 0

    /// An empty summary.
    public init() {}

    /// Adds one draw (the merge below with a one-draw summary).
    public mutating func add(_ value: Double) {
        var single = EstimateMoments()
        single.count = 1
        single.mean = value
        merge(single)
    }

    /// Merges `other` into this summary (Chan–Golub–LeVeque).
    public mutating func merge(_ other: EstimateMoments) {
        if other.count == 0 { return }
        if count == 0 { self = other; return }
        let nA = Double(count), nB = Double(other.count)
        let n = nA + nB
        let delta = other.mean - mean
        let delta2 = delta * delta
        let m2A = sumOfSquaredDeviations, m2B = other.sumOfSquaredDeviations
        let m3A = sumOfCubedDeviations, m3B = other.sumOfCubedDeviations
        sumOfFourthPowerDeviations += other.sumOfFourthPowerDeviations
            + delta2 * delta2 * nA * nB * (nA * nA - nA * nB + nB * nB) / (n * n * n)
            + 6 * delta2 * (nA * nA * m2B + nB * nB * m2A) / (n * n)
            + 4 * delta * (nA * m3B - nB * m3A) / n
        sumOfCubedDeviations += m3B + delta2 * delta * nA * nB * (nA - nB) / (n * n)
            + 3 * delta * (nA * m2B - nB * m2A) / n
        sumOfSquaredDeviations += m2B + delta2 * (nA * nB / n)
        mean += delta * (nB / n)
        count += other.count
    }

    /// Sample kurtosis κ̂ = n·M₄/M₂² (3 for normal draws); 3 when M₂ = 0 or n < 4.
    public var kurtosis: Double {
        guard count >= 4, sumOfSquaredDeviations > 0 else { return 3 }
        return Double(count) * sumOfFourthPowerDeviations / (sumOfSquaredDeviations * sumOfSquaredDeviations)
    }

    /// Unbiased sample variance s² = M₂/(n − 1); 0 for n < 2.
    public var sampleVariance: Double { count >= 2 ? max(0, sumOfSquaredDeviations / Double(count - 1)) : 0 }
}
