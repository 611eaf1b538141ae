/// Streaming count, mean, variance, minimum and maximum (Welford update, Chan et al. merge).
///
/// Shards can be summarized independently and merged. For a fixed merge order the result is
/// a deterministic function of the inputs (plain IEEE arithmetic, no reassociation), so a
/// fixed shard layout reproduces bit for bit.
public struct RunningMoments: Sendable, Equatable, Hashable {
    /// Number of observations.
    public private(set) var count: Int = 0
    /// Running mean (0 when empty).
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from the mean, M₂ = Σ (xᵢ − x̄)².
    public private(set) var sumOfSquaredDeviations: Double = 0
    /// Smallest observation (+∞ when empty).
    public private(set) var minimum: Double = .infinity
    /// Largest observation (−∞ when empty).
    public private(set) var maximum: Double = -.infinity

    /// An empty summary.
    public init() {}

    /// Summary of a sequence of finite values.
    /// - Throws: `StatisticsError.invalidArgument` on the first non-finite value.
    public init<S: Sequence<Double>>(_ values: S) throws(StatisticsError) {
        for value in values { try add(value) }
    }

    /// Adds one observation (Welford's update).
    ///
    /// ```
    /// n ← n + 1;  δ = x − x̄;  x̄ ← x̄ + δ/n;  M₂ ← M₂ + δ·(x − x̄)
    /// ```
    /// - Throws: `StatisticsError.invalidArgument` if `value` is NaN or infinite.
    /// - Complexity: O(1).
    /// - Source: B. P. Welford, Technometrics 4 (1962) 419–420, doi:10.1080/00401706.1962.10490022.
    public mutating func add(_ value: Double) throws(StatisticsError) {
        guard value.isFinite else {
            throw .invalidArgument(name: "value", value: value, requirement: "finite")
        }
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        sumOfSquaredDeviations += delta * (value - mean)
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
    }

    /// Merges another summary into this one (Chan–Golub–LeVeque pairwise update).
    ///
    /// ```
    /// n = n_a + n_b;  δ = x̄_b − x̄_a
    /// x̄ = x̄_a + δ·n_b/n;  M₂ = M₂_a + M₂_b + δ²·n_a·n_b/n
    /// ```
    /// - Complexity: O(1).
    /// - Source: T. F. Chan, G. H. Golub, R. J. LeVeque, "Updating formulae and a pairwise
    ///   algorithm for computing sample variances", Stanford CS tech. report STAN-CS-79-773 (1979).
    public mutating func merge(_ other: RunningMoments) {
        if other.count == 0 { return }
        if count == 0 { self = other; return }
        let combined = count + other.count
        let nA = Double(count)
        let nB = Double(other.count)
        let n = Double(combined)
        let delta = other.mean - mean
        mean += delta * (nB / n)
        sumOfSquaredDeviations += other.sumOfSquaredDeviations + delta * delta * (nA * nB / n)
        count = combined
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// This summary merged with `other` (see ``merge(_:)``).
    public func merging(_ other: RunningMoments) -> RunningMoments {
        var result = self
        result.merge(other)
        return result
    }

    /// Unbiased sample variance M₂/(n − 1); `nil` when fewer than two observations.
    ///
    /// ```
    /// s² = M₂ / (n − 1)
    /// ```
    public var sampleVariance: Double? { count >= 2 ? sumOfSquaredDeviations / Double(count - 1) : nil }

    /// Population (maximum-likelihood) variance M₂/n; `nil` when empty.
    ///
    /// ```
    /// σ̂² = M₂ / n
    /// ```
    public var populationVariance: Double? { count >= 1 ? sumOfSquaredDeviations / Double(count) : nil }

    /// Sample standard deviation √s²; `nil` when fewer than two observations.
    public var sampleStandardDeviation: Double? { sampleVariance.map { $0.squareRoot() } }

    /// Standard error of the mean s/√n; `nil` when fewer than two observations.
    public var standardErrorOfMean: Double? {
        sampleVariance.map { ($0 / Double(count)).squareRoot() }
    }
}
