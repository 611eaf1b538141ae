import JLStatistics
import RealModule

/// The law of one coordinate that a scalar codebook is fitted to (arXiv 2504.19874, Lemma 1;
/// theory.md §5.2). Both laws are symmetric about 0.
public enum CoordinateLaw: Sendable, Hashable, Codable, CustomStringConvertible {
    /// N(0, 1): the large-d limit of √d·X for X a coordinate of a uniform unit vector.
    case standardNormal
    /// The exact law of one coordinate of a uniformly rotated unit vector in R^d (d ≥ 2):
    /// ```
    /// f_X(x) = Γ(d/2) / (√π·Γ((d−1)/2)) · (1 − x²)^((d−3)/2),   x ∈ [−1, 1]
    /// X² ~ Beta(1/2, (d−1)/2),   E X² = 1/d
    /// ```
    case sphereCoordinate(dimension: Int)

    /// Standard deviation of the law: 1 or 1/√d.
    public var standardDeviation: Double {
        switch self {
        case .standardNormal: 1
        case let .sphereCoordinate(d): 1 / Double(d).squareRoot()
        }
    }

    /// Right end of the support: +∞ or 1.
    public var upperSupport: Double {
        switch self {
        case .standardNormal: .infinity
        case .sphereCoordinate: 1
        }
    }

    public var description: String {
        switch self {
        case .standardNormal: "N(0, 1)"
        case let .sphereCoordinate(d): "sphere coordinate (d = \(d))"
        }
    }

    /// The exact cell moments on [a, b] ⊂ [0, support] (0 ≤ a < b):
    /// ```
    /// P  = ∫_a^b f,   M1 = ∫_a^b x f,   M2 = ∫_a^b x² f
    /// N(0,1):  P = Q(a) − Q(b),  M1 = φ(a) − φ(b),  M2 = P + a·φ(a) − b·φ(b)        (Q = 1 − Φ)
    /// sphere:  ν = (d−1)/2,  C_d = Γ(d/2)/(√π Γ((d−1)/2)),  T_d(x) = ½·I_{1−x²}(ν, ½) = Pr[X > x]
    ///          P  = T_d(a) − T_d(b)
    ///          M1 = C_d/(d−1) · [(1−a²)^ν − (1−b²)^ν]
    ///          M2 = C_d/(d−1) · [a(1−a²)^ν − b(1−b²)^ν] + (T_{d+2}(a) − T_{d+2}(b))/d
    /// ```
    /// M1 is the antiderivative of x(1−x²)^((d−3)/2); M2 follows by parts, using
    /// C_d/C_{d+2} = (d−1)/d. All in closed form up to the regularized incomplete beta function.
    /// - Complexity: O(√d) (continued fraction of I).
    public func cellMoments(lower a: Double, upper b: Double) -> (probability: Double, firstMoment: Double, secondMoment: Double) {
        switch self {
        case .standardNormal:
            let pa = StandardNormal.density(a)
            let pb = b.isFinite ? StandardNormal.density(b) : 0
            let bpb = b.isFinite ? b * pb : 0
            let p = StandardNormal.survival(a) - (b.isFinite ? StandardNormal.survival(b) : 0)
            return (p, pa - pb, p + a * pa - bpb)
        case let .sphereCoordinate(d):
            let dd = Double(d), nu = (dd - 1) / 2
            let c = Self.sphereNormalizer(d)
            let wa = Double.pow((1 - a) * (1 + a), nu), wb = b >= 1 ? 0 : Double.pow((1 - b) * (1 + b), nu)
            let p = Self.sphereTail(d, a) - Self.sphereTail(d, b)
            let m1 = c / (dd - 1) * (wa - wb)
            let m2 = c / (dd - 1) * (a * wa - b * wb) + (Self.sphereTail(d + 2, a) - Self.sphereTail(d + 2, b)) / dd
            return (p, m1, m2)
        }
    }

    /// C_d = Γ(d/2)/(√π·Γ((d−1)/2)), through log Γ.
    static func sphereNormalizer(_ d: Int) -> Double {
        let dd = Double(d)
        return Double.exp(Double.logGamma(dd / 2) - Double.logGamma((dd - 1) / 2)) / Double.pi.squareRoot()
    }

    /// Pr[X > x] for x ∈ [0, 1] under f_X at dimension d: ½·I_{1−x²}((d−1)/2, ½).
    static func sphereTail(_ d: Int, _ x: Double) -> Double {
        if x <= 0 { return 0.5 }
        if x >= 1 { return 0 }
        let y = (1 - x) * (1 + x)
        // Arguments validated: (d−1)/2 > 0, ½ > 0, y ∈ (0, 1).
        return 0.5 * ((try? JLStatistics.SpecialFunctions.regularizedBeta(y, a: (Double(d) - 1) / 2, b: 0.5)) ?? .nan)
    }

    /// An initial guess for the H positive centroids: the law's quantiles at (H + i + ½)/(2H)
    /// through the normal approximation (a uniform grid on (0, 1) if that leaves the support).
    func initialPositiveCentroids(_ half: Int) -> [Double] {
        let sigma = standardDeviation
        let guess = (0..<half).map { i in
            sigma * ((try? StandardNormal.quantile(0.5 + (Double(i) + 0.5) / Double(2 * half))) ?? 0)
        }
        if guess.allSatisfy({ $0 > 0 && $0 < upperSupport }) { return guess }
        return (0..<half).map { (Double($0) + 0.5) / Double(half) * Swift.min(1, upperSupport) }
    }
}

/// A Lloyd–Max (optimal scalar, continuous k-means) codebook with 2^b levels for a
/// ``CoordinateLaw`` (Lloyd 1982, doi:10.1109/TIT.1982.1056489; Max 1960; arXiv 2504.19874 Eq. (4)).
///
/// ```
/// boundaries  t_i = (c_{i−1} + c_i)/2                          (nearest-centroid cells)
/// centroids   c_i = E[X | t_i < X < t_{i+1}] = M1_i / P_i       (exact cell moments)
/// distortion  C(f, b) = Σ_i ∫_{cell i} (x − c_i)² f(x) dx = E (X − Q(X))²
/// ```
/// Iterated until max_i |Δc_i| < tolerance·σ (σ the law's standard deviation). The laws are
/// symmetric, so only the 2^(b−1) positive centroids are iterated and the rest mirrored; with
/// b = 1 the single positive centroid is E[X | X > 0] = E|X| after one step.
///
/// Known values (theory.md §4.3): for N(0, 1), C = 0.363380 (= 1 − 2/π), 0.117482, 0.034548,
/// 0.009501 for b = 1…4; centroids ±0.7979 (b = 1), ±0.4528, ±1.5104 (b = 2).
///
/// - Complexity: O(iterations · 2^b) cell-moment evaluations.
public struct LloydMaxCodebook: Sendable, Hashable, Codable {
    /// The law the codebook is optimal for.
    public let law: CoordinateLaw
    /// Bits per coordinate b (2^b levels).
    public let bits: Int
    /// The 2^b centroids, ascending (symmetric: c_i = −c_{2^b−1−i}).
    public let centroids: [Double]
    /// The 2^b − 1 interior cell boundaries, ascending (midpoints of adjacent centroids).
    public let boundaries: [Double]
    /// The mean squared error per coordinate C(f, b) = E (X − Q(X))².
    public let distortion: Double
    /// Lloyd iterations used.
    public let iterations: Int
    /// The last max |Δc| / σ (below the tolerance).
    public let lastChange: Double

    /// The supported bit widths.
    public static let allowedBits: ClosedRange<Int> = 1...8

    /// Runs Lloyd's iteration with exact cell integrals.
    /// - Parameters:
    ///   - law: the coordinate law.
    ///   - bits: b ∈ 1...8.
    ///   - tolerance: stop when max |Δc|/σ < tolerance (default 1e-12).
    ///   - maximumIterations: cap (default 200 000).
    /// - Throws: ``TurboQuantError/invalidBits(_:allowed:)``, ``TurboQuantError/invalidDimension(_:minimum:)``
    ///   (sphere law with d < 2), ``TurboQuantError/invalidIterationSettings(tolerance:maximumIterations:)``,
    ///   ``TurboQuantError/didNotConverge(bits:iterations:lastChange:)``.
    /// - Complexity: O(iterations · 2^b) cell moments.
    public init(law: CoordinateLaw, bits: Int, tolerance: Double = 1e-12, maximumIterations: Int = 200_000) throws(TurboQuantError) {
        guard Self.allowedBits.contains(bits) else { throw .invalidBits(bits, allowed: Self.allowedBits) }
        if case let .sphereCoordinate(d) = law, d < 2 { throw .invalidDimension(d, minimum: 2) }
        guard tolerance > 0, tolerance.isFinite, maximumIterations >= 1 else {
            throw .invalidIterationSettings(tolerance: tolerance, maximumIterations: maximumIterations)
        }
        let half = 1 << (bits - 1)
        let sigma = law.standardDeviation, top = law.upperSupport
        var positive = law.initialPositiveCentroids(half)
        var change = Double.infinity
        var iteration = 0
        while iteration < maximumIterations {
            iteration += 1
            var next = positive
            change = 0
            for i in 0..<half {
                let lower = i == 0 ? 0 : (positive[i - 1] + positive[i]) / 2
                let upper = i == half - 1 ? top : (positive[i] + positive[i + 1]) / 2
                let cell = law.cellMoments(lower: lower, upper: upper)
                if cell.probability > 0 { next[i] = cell.firstMoment / cell.probability }
                change = Swift.max(change, Swift.abs(next[i] - positive[i]) / sigma)
            }
            positive = next
            if change < tolerance { break }
        }
        guard change < tolerance else { throw .didNotConverge(bits: bits, iterations: iteration, lastChange: change) }
        var distortion = 0.0
        for i in 0..<half {
            let lower = i == 0 ? 0 : (positive[i - 1] + positive[i]) / 2
            let upper = i == half - 1 ? top : (positive[i] + positive[i + 1]) / 2
            let cell = law.cellMoments(lower: lower, upper: upper)
            let c = positive[i]
            distortion += 2 * (cell.secondMoment - 2 * c * cell.firstMoment + c * c * cell.probability)
        }
        let all = positive.reversed().map { -$0 } + positive
        self.law = law
        self.bits = bits
        self.centroids = all
        self.boundaries = (1..<all.count).map { (all[$0 - 1] + all[$0]) / 2 }
        self.distortion = distortion
        self.iterations = iteration
        self.lastChange = change
    }

    /// The index of the nearest centroid: the number of boundaries strictly below x (ties at a
    /// boundary go to the lower centroid).
    /// - Complexity: O(b) (binary search).
    @inlinable
    public func index(of x: Double) -> Int {
        LloydMaxCodebook.nearestIndex(x, boundaries: boundaries)
    }

    /// Binary search: #{t ∈ boundaries : t < x}.
    @inlinable
    static func nearestIndex<Scalar: Comparable>(_ x: Scalar, boundaries: [Scalar]) -> Int {
        var low = 0, high = boundaries.count
        while low < high {
            let mid = (low + high) / 2
            if boundaries[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The exact finite-d mean factor of 1-bit quantization of a uniform direction
    /// (arXiv 2504.19874 §3: 2/π in the limit), for the sphere law at dimension d:
    /// ```
    /// E⟨y, Πᵀ Q(Π x)⟩ = d·μ_d²·⟨y, x⟩,   μ_d = E|X| = Γ(d/2)/(√π Γ((d+1)/2))
    /// d·μ_d² = (2/π)·d/E[χ_d]² → 2/π
    /// ```
    /// (The 1-bit centroids are ±μ_d; write q = ⟨q,x⟩x + q⊥: E[(Πq⊥)_j sign((Πx)_j)] = 0 by the
    /// reflection fixing Πx, and E[(Πx)_j sign((Πx)_j)] = μ_d.)
    /// - Complexity: O(1).
    public static func oneBitMeanFactor(dimension d: Int) -> Double {
        let dd = Double(d)
        let mu = Double.exp(Double.logGamma(dd / 2) - Double.logGamma((dd + 1) / 2)) / Double.pi.squareRoot()
        return dd * mu * mu
    }
}
