import RealModule

/// Special functions needed for confidence intervals and distribution tails.
///
/// All functions are `Double`-based: they evaluate closed forms and continued fractions whose
/// accuracy targets (≈1e-13 relative away from extreme tails) need double precision.
public enum SpecialFunctions {
    /// Relative convergence threshold of the series and continued fractions.
    @usableFromInline static let convergenceTolerance = 1e-16
    /// Floor used by the modified Lentz algorithm to avoid division by zero.
    @usableFromInline static let lentzFloor = 1e-300
    /// Iteration cap of the series and continued fractions; never reached for valid inputs of
    /// moderate size (a, b ≲ 1e7), where convergence takes O(√max(a, b)) steps.
    @usableFromInline static let maximumIterations = 100_000

    /// Natural logarithm of |Γ(x)|.
    ///
    /// ```
    /// logGamma(x) = ln |Γ(x)|
    /// ```
    /// - Complexity: O(1).
    /// - Source: C `lgamma` through swift-numerics `RealModule` (`Double.logGamma`).
    @inlinable
    public static func logGamma(_ x: Double) -> Double { Double.logGamma(x) }

    /// Natural logarithm of the beta function.
    ///
    /// ```
    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)
    /// ```
    /// - Complexity: O(1).
    /// - Source: DLMF 5.12.1.
    @inlinable
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        Double.logGamma(a) + Double.logGamma(b) - Double.logGamma(a + b)
    }

    /// Regularized lower incomplete gamma function P(a, x).
    ///
    /// ```
    /// P(a, x) = γ(a, x) / Γ(a) = (1/Γ(a)) ∫₀ˣ t^(a−1) e^(−t) dt
    /// ```
    /// Power series for x < a + 1, continued fraction for Q = 1 − P otherwise.
    /// - Throws: `StatisticsError.invalidArgument` unless a > 0 and x ≥ 0 (x = +∞ allowed).
    /// - Complexity: O(√a) iterations near x ≈ a, O(1) far from it.
    /// - Source: DLMF 8.2.4 (definition), 8.7.1 (series), 8.9.2 (continued fraction).
    public static func regularizedGammaP(_ a: Double, _ x: Double) throws(StatisticsError) -> Double {
        try validateGamma(a, x)
        return gammaPQ(a, x).p
    }

    /// Regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), accurate in the tail.
    ///
    /// ```
    /// Q(a, x) = Γ(a, x) / Γ(a) = (1/Γ(a)) ∫ₓ^∞ t^(a−1) e^(−t) dt
    /// ```
    /// - Throws: `StatisticsError.invalidArgument` unless a > 0 and x ≥ 0.
    /// - Complexity: see ``regularizedGammaP(_:_:)``.
    /// - Source: DLMF 8.2.4, 8.9.2.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) throws(StatisticsError) -> Double {
        try validateGamma(a, x)
        return gammaPQ(a, x).q
    }

    /// Regularized incomplete beta function I_x(a, b).
    ///
    /// ```
    /// I_x(a, b) = (1/B(a, b)) ∫₀ˣ t^(a−1) (1 − t)^(b−1) dt
    /// ```
    /// Continued fraction (modified Lentz), using I_x(a,b) = 1 − I_{1−x}(b,a) when
    /// x > (a+1)/(a+b+2) so that the fraction converges quickly.
    /// - Throws: `StatisticsError.invalidArgument` unless a > 0, b > 0 and 0 ≤ x ≤ 1.
    /// - Complexity: O(√max(a, b)) iterations.
    /// - Source: DLMF 8.17.2 (definition), 8.17.22 (continued fraction).
    public static func regularizedBeta(_ x: Double, a: Double, b: Double) throws(StatisticsError) -> Double {
        try requirePositiveFinite(a, "a")
        try requirePositiveFinite(b, "b")
        guard x >= 0, x <= 1 else {
            throw .invalidArgument(name: "x", value: x, requirement: "in [0, 1]")
        }
        return incompleteBeta(x, a, b)
    }

    // MARK: Unchecked kernels (arguments validated by the callers)

    @usableFromInline
    static func validateGamma(_ a: Double, _ x: Double) throws(StatisticsError) {
        try requirePositiveFinite(a, "a")
        guard x >= 0 else {  // also rejects NaN
            throw .invalidArgument(name: "x", value: x, requirement: "≥ 0")
        }
    }

    /// (P, Q) for a > 0, x ≥ 0; each computed directly where it is the smaller one.
    @usableFromInline
    static func gammaPQ(_ a: Double, _ x: Double) -> (p: Double, q: Double) {
        if x == 0 { return (0, 1) }
        if x == .infinity { return (1, 0) }
        let logPrefactor = -x + a * Double.log(x) - Double.logGamma(a)
        if x < a + 1 {
            // P = e^{−x} x^a / Γ(a+1) · Σ_n x^n / ((a+1)···(a+n)); DLMF 8.7.1.
            var denominator = a
            var term = 1 / a
            var sum = term
            for _ in 0..<maximumIterations {
                denominator += 1
                term *= x / denominator
                sum += term
                if Swift.abs(term) < Swift.abs(sum) * convergenceTolerance { break }
            }
            let p = Swift.min(1, sum * Double.exp(logPrefactor))
            return (p, 1 - p)
        }
        // Q = e^{−x} x^a / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a−…))); DLMF 8.9.2.
        var b = x + 1 - a
        var c = 1 / lentzFloor
        var d = 1 / b
        var fraction = d
        for i in 1...maximumIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if Swift.abs(d) < lentzFloor { d = lentzFloor }
            c = b + an / c
            if Swift.abs(c) < lentzFloor { c = lentzFloor }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if Swift.abs(delta - 1) < convergenceTolerance { break }
        }
        let q = Swift.min(1, Double.exp(logPrefactor) * fraction)
        return (1 - q, q)
    }

    /// I_x(a, b) for a, b > 0 and x ∈ [0, 1].
    @usableFromInline
    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x == 0 { return 0 }
        if x == 1 { return 1 }
        let logPrefactor = a * Double.log(x) + b * Double.log(onePlus: -x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return Swift.min(1, Double.exp(logPrefactor) * betaContinuedFraction(x, a, b) / a)
        }
        return Swift.max(0, 1 - Double.exp(logPrefactor) * betaContinuedFraction(1 - x, b, a) / b)
    }

    /// The continued fraction of DLMF 8.17.22 evaluated by the modified Lentz algorithm.
    @usableFromInline
    static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        func floored(_ v: Double) -> Double { Swift.abs(v) < lentzFloor ? lentzFloor : v }
        var c = 1.0
        var d = 1 / floored(1 - (a + b) * x / (a + 1))
        var fraction = d
        for step in 1...maximumIterations {
            let m = Double(step)
            // Even coefficient d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 / floored(1 + even * d)
            c = floored(1 + even / c)
            fraction *= d * c
            // Odd coefficient d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 / floored(1 + odd * d)
            c = floored(1 + odd / c)
            let delta = d * c
            fraction *= delta
            if Swift.abs(delta - 1) < convergenceTolerance { break }
        }
        return fraction
    }
}

/// Bisection for the point where `isBelowRoot` switches from true to false on [lower, upper].
///
/// Assumes `isBelowRoot(lower)` is true and `isBelowRoot(upper)` false; stops when the bracket
/// cannot be halved further in `Double` or is below `relativeTolerance` of its upper end.
@usableFromInline
func bisect(lower: Double, upper: Double, relativeTolerance: Double = 1e-15,
            isBelowRoot: (Double) -> Bool) -> Double {
    var lo = lower
    var hi = upper
    for _ in 0..<4000 {
        let mid = lo + (hi - lo) / 2
        if mid <= lo || mid >= hi || hi - lo <= relativeTolerance * Swift.abs(hi) { break }
        if isBelowRoot(mid) { lo = mid } else { hi = mid }
    }
    return lo + (hi - lo) / 2
}
