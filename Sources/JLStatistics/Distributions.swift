import RealModule

/// The standard normal distribution N(0, 1).
public enum StandardNormal {
    /// Cumulative distribution function Φ.
    ///
    /// ```
    /// Φ(x) = ½ erfc(−x / √2)
    /// ```
    /// Accurate to a few ulp relative in both tails (erfc has no cancellation for x < 0, and
    /// for x > 0 the result is close to 1 anyway; use ``survival(_:)`` for upper tails).
    /// - Complexity: O(1).
    /// - Source: DLMF 7.2.2, 7.18; C `erfc` via swift-numerics.
    @inlinable
    public static func cdf(_ x: Double) -> Double { 0.5 * Double.erfc(-x / 2.0.squareRoot()) }

    /// Upper tail 1 − Φ(x), accurate for large x.
    ///
    /// ```
    /// 1 − Φ(x) = ½ erfc(x / √2)
    /// ```
    /// - Complexity: O(1).
    /// - Source: DLMF 7.2.2.
    @inlinable
    public static func survival(_ x: Double) -> Double { 0.5 * Double.erfc(x / 2.0.squareRoot()) }

    /// Density φ(x) = exp(−x²/2)/√(2π).
    ///
    /// ```
    /// φ(x) = exp(−x²/2) / √(2π)
    /// ```
    /// - Complexity: O(1).
    /// - Source: definition.
    @inlinable
    public static func density(_ x: Double) -> Double {
        Double.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    /// Quantile Φ⁻¹(p).
    ///
    /// ```
    /// x₀ = Acklam(p)                      (rational approximation, |rel. err| ≤ 1.15e-9)
    /// x ← x − u/(1 + x·u/2),  u = (Φ(x) − p)·√(2π)·exp(x²/2)      (two Halley steps)
    /// ```
    /// The lower tail is solved directly and the upper tail by symmetry, Φ⁻¹(p) = −Φ⁻¹(1−p),
    /// so the refinement always works on the well-conditioned lower tail. After refinement the
    /// relative error is at the level of `erfc` (≈1e-15).
    /// - Throws: `StatisticsError.probabilityOutOfRange` unless 0 < p < 1.
    /// - Complexity: O(1).
    /// - Source: P. J. Acklam, "An algorithm for computing the inverse normal cumulative
    ///   distribution function" (2003, published coefficients); Halley refinement as he suggests.
    public static func quantile(_ p: Double) throws(StatisticsError) -> Double {
        try requireOpenUnitInterval(p, "p")
        if p == 0.5 { return 0 }
        return p < 0.5 ? lowerTailQuantile(p) : -lowerTailQuantile(1 - p)
    }

    /// Φ⁻¹(p) for 0 < p < 0.5 (the result is negative).
    @usableFromInline
    static func lowerTailQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let t = (-2 * Double.log(p)).squareRoot()
            x = (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5])
                / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
        } else {
            let t = p - 0.5
            let r = t * t
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<2 {
            let error = cdf(x) - p
            let u = error * (2 * Double.pi).squareRoot() * Double.exp(0.5 * x * x)
            x -= u / (1 + 0.5 * x * u)
        }
        return x
    }
}

/// Student's t distribution with ν > 0 degrees of freedom.
public struct StudentT: Sendable, Equatable {
    /// Degrees of freedom ν.
    public let degreesOfFreedom: Double

    /// Creates the distribution.
    /// - Throws: `StatisticsError.invalidArgument` unless ν is finite and > 0.
    public init(degreesOfFreedom: Double) throws(StatisticsError) {
        try requirePositiveFinite(degreesOfFreedom, "degreesOfFreedom")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// Upper tail P(T > t).
    ///
    /// ```
    /// P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, 1/2)            for t ≥ 0
    ///          = 1 − P(T > |t|)                      for t < 0
    /// ```
    /// - Complexity: one incomplete beta, O(√ν).
    /// - Source: DLMF 8.17 / Abramowitz–Stegun 26.7.1 with 26.5.27.
    public func survival(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        let nu = degreesOfFreedom
        let x = nu / (nu + t * t)
        let tail = 0.5 * SpecialFunctions.incompleteBeta(x, 0.5 * nu, 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// Cumulative distribution function P(T ≤ t) = 1 − ``survival(_:)``, computed without
    /// cancellation in the lower tail.
    ///
    /// ```
    /// P(T ≤ t) = ½ I_{ν/(ν+t²)}(ν/2, 1/2)            for t ≤ 0
    /// ```
    /// - Complexity: O(√ν).
    /// - Source: as ``survival(_:)``.
    public func cdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        return survival(-t)
    }

    /// Quantile t_{p,ν}: the t with P(T ≤ t) = p.
    ///
    /// ```
    /// t_{p,ν} = −t_{1−p,ν};  for p > ½ solve P(T > t) = 1 − p by bisection on [0, ∞)
    /// ```
    /// - Throws: `StatisticsError.probabilityOutOfRange` unless 0 < p < 1.
    /// - Complexity: ≈ 60–120 incomplete-beta evaluations.
    /// - Source: inversion of ``survival(_:)``.
    public func quantile(_ p: Double) throws(StatisticsError) -> Double {
        try requireOpenUnitInterval(p, "p")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -(try quantile(1 - p)) }
        let upperTail = 1 - p
        var hi = 1.0
        while survival(hi) > upperTail && hi < 1e300 { hi *= 2 }
        return bisect(lower: 0, upper: hi) { survival($0) > upperTail }
    }
}

/// The chi-square distribution with k > 0 degrees of freedom.
public struct ChiSquared: Sendable, Equatable {
    /// Degrees of freedom k.
    public let degreesOfFreedom: Double

    /// Creates the distribution.
    /// - Throws: `StatisticsError.invalidArgument` unless k is finite and > 0.
    public init(degreesOfFreedom: Double) throws(StatisticsError) {
        try requirePositiveFinite(degreesOfFreedom, "degreesOfFreedom")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// Cumulative distribution function.
    ///
    /// ```
    /// P(X ≤ x) = P(k/2, x/2)     (regularized lower incomplete gamma), 0 for x ≤ 0
    /// ```
    /// - Complexity: O(√k).
    /// - Source: DLMF 8.2.4; Abramowitz–Stegun 26.4.19.
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        return SpecialFunctions.gammaPQ(0.5 * degreesOfFreedom, 0.5 * x).p
    }

    /// Upper tail P(X > x) = Q(k/2, x/2), accurate for large x.
    ///
    /// ```
    /// P(X > x) = Q(k/2, x/2)
    /// ```
    /// - Complexity: O(√k).
    /// - Source: DLMF 8.2.4.
    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        return SpecialFunctions.gammaPQ(0.5 * degreesOfFreedom, 0.5 * x).q
    }

    /// Quantile χ²_{p,k}: the x with P(X ≤ x) = p.
    ///
    /// ```
    /// solve P(k/2, x/2) = p        (p ≤ ½)   or   Q(k/2, x/2) = 1 − p   (p > ½), by bisection
    /// ```
    /// - Throws: `StatisticsError.probabilityOutOfRange` unless 0 < p < 1.
    /// - Complexity: ≈ 60–120 incomplete-gamma evaluations.
    /// - Source: inversion of ``cdf(_:)``.
    public func quantile(_ p: Double) throws(StatisticsError) -> Double {
        try requireOpenUnitInterval(p, "p")
        var hi = Swift.max(1, degreesOfFreedom)
        if p <= 0.5 {
            while cdf(hi) < p && hi < 1e300 { hi *= 2 }
            return bisect(lower: 0, upper: hi) { cdf($0) < p }
        }
        let upperTail = 1 - p
        while survival(hi) > upperTail && hi < 1e300 { hi *= 2 }
        return bisect(lower: 0, upper: hi) { survival($0) > upperTail }
    }
}

/// Binomial tail probabilities and the beta quantile used by exact binomial intervals.
public enum BinomialTail {
    /// Upper tail P(X ≥ k) for X ~ Binomial(n, p).
    ///
    /// ```
    /// P(X ≥ k) = I_p(k, n − k + 1)      (1 for k ≤ 0, 0 for k > n)
    /// ```
    /// - Throws: `StatisticsError.invalidCount` if n < 1; `.invalidArgument` unless p ∈ [0, 1].
    /// - Complexity: O(√n).
    /// - Source: DLMF 8.17.5.
    public static func atLeast(_ k: Int, trials n: Int, probability p: Double) throws(StatisticsError) -> Double {
        guard n >= 1 else { throw .invalidCount(name: "trials", value: n, requirement: "≥ 1") }
        guard p >= 0, p <= 1 else {
            throw .invalidArgument(name: "probability", value: p, requirement: "in [0, 1]")
        }
        if k <= 0 { return 1 }
        if k > n { return 0 }
        return SpecialFunctions.incompleteBeta(p, Double(k), Double(n - k + 1))
    }

    /// Beta(a, b) quantile: the x ∈ [0, 1] with I_x(a, b) = p, by bisection (a, b > 0, 0 < p < 1).
    @usableFromInline
    static func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
        bisect(lower: 0, upper: 1, relativeTolerance: 1e-15) {
            SpecialFunctions.incompleteBeta($0, a, b) < p
        }
    }
}
