/// Outcome of comparing a confidence interval with a promised bound.
public enum Verdict: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// The whole interval lies at or below the bound: the promise is supported.
    case holds
    /// The whole interval lies strictly above the bound: the promise is broken.
    case violated
    /// The interval straddles the bound: more samples are needed.
    case inconclusive

    /// Verdict for "the true quantity is at most `bound`", from a confidence interval for it.
    ///
    /// ```
    /// violated      if lower > δ
    /// holds         if upper ≤ δ
    /// inconclusive  otherwise
    /// ```
    /// Works for any "at most" promise: a failure probability (interval from Wilson or
    /// Clopper–Pearson) against δ, or an observed mean error / variance (interval from
    /// ``ConfidenceInterval/studentTMean(mean:standardDeviation:count:level:)``) against a
    /// promised bound. With a level-(1−α) interval, `.violated` is a false alarm with
    /// probability ≤ α/2 when the promise is true.
    /// - Complexity: O(1).
    /// - Source: standard interval-based decision rule.
    public init(interval: ConfidenceInterval, promisedBound bound: Double) {
        if interval.lower > bound {
            self = .violated
        } else if interval.upper <= bound {
            self = .holds
        } else {
            self = .inconclusive
        }
    }
}
