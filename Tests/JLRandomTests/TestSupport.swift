import Foundation

/// Shared statistical helpers for the JLRandom tests (closed forms only, no fitted constants).
enum Stat {
    /// Standard normal CDF, Φ(x) = ½·erfc(−x/√2).
    static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// DKW half-width: P(sup|F_n − F| > ε) ≤ 2·exp(−2nε²) = α  ⇒  ε = √(ln(2/α) / (2n))
    /// (Dvoretzky–Kiefer–Wolfowitz with Massart's constant, doi:10.1214/aop/1176990746).
    static func dkwEpsilon(sampleCount n: Int, falseFailure alpha: Double) -> Double {
        (log(2 / alpha) / (2 * Double(n))).squareRoot()
    }

    /// Kolmogorov–Smirnov statistic D_n = sup_x |F_n(x) − F(x)| of `samples` against `cdf`.
    static func kolmogorovSmirnov(_ samples: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, Double(i + 1) / n - f, f - Double(i) / n)
        }
        return d
    }

    /// Upper standard-normal quantile z with P(Z > z) = 1e-9 (Φ⁻¹(1 − 1e-9) = 5.99781).
    static let zOneInBillion = 5.997807

    /// Wilson–Hilferty approximation of the upper-α quantile of χ²_ν:
    /// χ²_{ν,1−α} ≈ ν·(1 − 2/(9ν) + z_{1−α}·√(2/(9ν)))³ (Wilson & Hilferty 1931, doi:10.1073/pnas.17.12.684).
    /// Accurate to a few percent for ν ≥ 1 in the far tail, which is far inside the slack of α = 1e-9.
    static func chiSquareCritical(degreesOfFreedom nu: Int, z: Double = zOneInBillion) -> Double {
        let v = Double(nu)
        let c = 2 / (9 * v)
        let root = 1 - c + z * c.squareRoot()
        return v * root * root * root
    }

    /// Pearson's χ² statistic Σ (O − E)² / E for observed counts against equal expected counts.
    static func chiSquareUniform(_ counts: [Int]) -> Double {
        let total = Double(counts.reduce(0, +))
        let expected = total / Double(counts.count)
        return counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }
}
