import Foundation
import JLLinearAlgebra
import JLRandom

/// Where a synthetic (q, k) pair lies.
///
/// ```
/// canonicalPlane   q = e₀,  k = cos θ·e₀ + sin θ·e₁
/// random           q = u,   k = cos θ·u + sin θ·v,   (u, v) a Haar-random orthonormal 2-frame
/// ```
/// Use `canonicalPlane` with sketches whose law is rotation invariant (Gaussian rows, Haar
/// orthogonal blocks): Prod(q, k) has the same law for every orientation, so the plane
/// span(e₀, e₁) loses nothing and only columns 0 and 1 of S are needed (exp-distortion does
/// this). Use `random` for structured sketches (SRHT, sparse sign, Gaussian-HD), whose error
/// depends on how q and k sit against the coordinate axes.
public enum PairOrientation: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// q and k in span(e₀, e₁).
    case canonicalPlane = "canonical-plane"
    /// q and k in a uniformly random plane.
    case random

    public var description: String { rawValue }
}

/// A unit query and a unit key at a prescribed angle.
public struct UnitPair: Sendable, Equatable {
    /// The query q, ‖q‖ = 1.
    public var query: [Double]
    /// The key k, ‖k‖ = 1, ⟨q, k⟩ = cos θ.
    public var key: [Double]
    /// The angle θ in radians.
    public var angle: Double

    /// ⟨q, k⟩ = cos θ.
    public var cosine: Double { cos(angle) }
}

/// Synthetic inputs for experiments, drawn only from the `RandomStream` they are given, so the
/// same stream gives the same input on every machine and thread count.
public enum SyntheticInputs {
    /// A unit pair at angle θ (q ⟂ k for θ = π/2; cos θ is set to exactly 0 there).
    ///
    /// ```
    /// canonicalPlane: q = e₀, k = cos θ·e₀ + sin θ·e₁              (no randomness used)
    /// random:         g₁, g₂ ~ N(0, I_d) from `stream` at indices 0..<d and d..<2d,
    ///                 u = g₁/‖g₁‖, v = Gram–Schmidt(g₂ against u),  q = u, k = cos θ·u + sin θ·v
    /// ```
    /// - Throws: ``InputError/invalidParameter(_:)`` unless d ≥ 2 and θ is finite.
    /// - Complexity: O(d).
    /// - Source: theory.md §1.4 (q ⟂ k is the worst case, per-row variance (π/2 − cos²θ)‖q‖²‖k‖²).
    public static func unitPair(angle theta: Double, dimension d: Int, orientation: PairOrientation,
                                stream: RandomStream) throws(InputError) -> UnitPair {
        guard d >= 2 else { throw .invalidParameter("a (q, k) pair needs dimension d ≥ 2, got \(d)") }
        guard theta.isFinite else { throw .invalidParameter("the angle must be finite, got \(theta)") }
        let (c, s) = cosineAndSine(theta)
        switch orientation {
        case .canonicalPlane:
            var q = [Double](repeating: 0, count: d), k = q
            q[0] = 1
            k[0] = c
            k[1] = s
            return UnitPair(query: q, key: k, angle: theta)
        case .random:
            let (u, v) = orthonormalFrame(dimension: d, stream: stream)
            return UnitPair(query: u, key: (0..<d).map { c * u[$0] + s * v[$0] }, angle: theta)
        }
    }

    /// (cos θ, sin θ) with exact values at multiples of π/2 (so q ⟂ k gives ⟨q, k⟩ = 0 exactly).
    static func cosineAndSine(_ theta: Double) -> (Double, Double) {
        let quarterTurns = theta / (Double.pi / 2)
        if quarterTurns == quarterTurns.rounded(), Swift.abs(quarterTurns) < 1e15 {
            switch ((Int(quarterTurns) % 4) + 4) % 4 {
            case 0: return (1, 0)
            case 1: return (0, 1)
            case 2: return (-1, 0)
            default: return (0, -1)
            }
        }
        return (cos(theta), sin(theta))
    }

    /// A Haar-random orthonormal 2-frame (u, v) in R^d: Gram–Schmidt of two standard Gaussian
    /// vectors (indices 0..<d and d..<2d of `stream`).
    ///
    /// ```
    /// u = g₁/‖g₁‖,   w = g₂ − ⟨g₂, u⟩u,   v = w/‖w‖
    /// ```
    /// Exact in law: the first two columns of a Haar orthogonal matrix (Mezzadri 2007,
    /// arXiv math-ph/0609050). A zero vector has probability 0; should rounding produce one,
    /// the next pair of Gaussians in the stream is used.
    /// - Complexity: O(d).
    public static func orthonormalFrame(dimension d: Int, stream: RandomStream) -> (u: [Double], v: [Double]) {
        var start: UInt64 = 0
        while true {
            let g1: [Double] = stream.gaussians(d, startingAt: start)
            let g2: [Double] = stream.gaussians(d, startingAt: start + UInt64(d))
            start += UInt64(2 * d)
            let n1 = norm(g1)
            guard n1 > 0 else { continue }
            let u = g1.map { $0 / n1 }
            let projection = zip(g2, u).reduce(0) { $0 + $1.0 * $1.1 }
            let w = (0..<d).map { g2[$0] - projection * u[$0] }
            let n2 = norm(w)
            guard n2 > 0 else { continue }
            return (u, w.map { $0 / n2 })
        }
    }

    /// n keys with iid N(0, 1) entries: key j, coordinate c is `stream.gaussian(at: j·d + c)`.
    ///
    /// ```
    /// K ∈ R^{n×d},  K[j, c] ~ N(0, 1) iid,   E‖k_j‖² = d
    /// ```
    /// - Throws: ``InputError/invalidParameter(_:)`` unless n ≥ 1 and d ≥ 1.
    /// - Complexity: O(n·d).
    public static func gaussianKeys(count n: Int, dimension d: Int, stream: RandomStream) throws(InputError) -> Matrix<Double> {
        guard n >= 1, d >= 1 else { throw .invalidParameter("Gaussian keys need count ≥ 1 and d ≥ 1, got n = \(n), d = \(d)") }
        do {
            return try Matrix(rows: n, columns: d, elements: stream.gaussians(n * d, startingAt: 0))
        } catch {
            throw .invalidParameter("cannot allocate \(n)×\(d) keys: \(error)")
        }
    }

    static func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}

/// A synthetic model of LLM key caches: keys share a mean direction, carry isotropic noise, and
/// a few channels are 10–30× larger (the "approximately four" outlier channels of deeper Llama-2
/// layers, QJL paper §4 / theory.md §1.8, §4.2); the query is correlated with the mean.
///
/// ```
/// μ̂        = g/‖g‖,  g ~ N(0, I_d)                          (stream.child("mean"))
/// O        = outlierChannels distinct channels, uniform      (stream.child("outliers"))
/// scale_c  = outlierScaleMin + (outlierScaleMax − outlierScaleMin)·i/(|O| − 1)  for the i-th
///            channel of O (a single channel gets outlierScaleMin), 1 elsewhere
/// k_j[c]   = scale_c · (meanLength·μ̂[c] + noise·z_{j,c}),   z ~ N(0, 1)   (stream.child("keys"))
/// q[c]     = queryMeanWeight·meanLength·μ̂[c] + noise·z_c                  (stream.child("query"))
/// ```
/// The query has no outlier scaling (in Llama the large channels are a property of the keys).
/// Defaults: meanLength = √d (the mean is as long as a typical noise vector, so the
/// keys' pairwise cosines are about 1/2 before the outliers), noise = 1, 4 outlier channels with
/// scales 10, 16.7, 23.3, 30, queryMeanWeight = 1.
public struct LLMLikeKeyModel: Codable, Sendable, Equatable, Hashable {
    /// Length of the shared mean vector, in units of the per-coordinate noise; nil means √d.
    public var meanLength: Double?
    /// Per-coordinate noise standard deviation.
    public var noise: Double
    /// Number of outlier channels.
    public var outlierChannels: Int
    /// Scale of the smallest outlier channel.
    public var outlierScaleMin: Double
    /// Scale of the largest outlier channel.
    public var outlierScaleMax: Double
    /// How much of the mean the query carries (0: the query is pure noise).
    public var queryMeanWeight: Double

    /// The model with the documented defaults.
    public init(meanLength: Double? = nil, noise: Double = 1, outlierChannels: Int = 4,
                outlierScaleMin: Double = 10, outlierScaleMax: Double = 30, queryMeanWeight: Double = 1) {
        self.meanLength = meanLength
        self.noise = noise
        self.outlierChannels = outlierChannels
        self.outlierScaleMin = outlierScaleMin
        self.outlierScaleMax = outlierScaleMax
        self.queryMeanWeight = queryMeanWeight
    }

    /// Checks the parameters for dimension d.
    /// - Throws: ``InputError/invalidParameter(_:)`` naming the bad value.
    public func validate(dimension d: Int) throws(InputError) {
        guard d >= 1 else { throw .invalidParameter("LLM-like keys need d ≥ 1, got \(d)") }
        if let meanLength, !(meanLength >= 0 && meanLength.isFinite) {
            throw .invalidParameter("--mean-length must be finite and ≥ 0, got \(meanLength)")
        }
        guard noise > 0, noise.isFinite else { throw .invalidParameter("--noise must be finite and > 0, got \(noise)") }
        guard (0...d).contains(outlierChannels) else {
            throw .invalidParameter("--outlier-channels must be in 0...d = 0...\(d), got \(outlierChannels)")
        }
        guard outlierScaleMin > 0, outlierScaleMin.isFinite, outlierScaleMax >= outlierScaleMin, outlierScaleMax.isFinite else {
            throw .invalidParameter("outlier scales need 0 < min ≤ max (finite), got \(outlierScaleMin)…\(outlierScaleMax)")
        }
        guard queryMeanWeight.isFinite else { throw .invalidParameter("--query-mean-weight must be finite") }
    }

    /// The per-channel scales for dimension d and the chosen outlier channels.
    /// - Complexity: O(d).
    public func channelScales(dimension d: Int, stream: RandomStream) -> [Double] {
        var cursor = RandomCursor(stream: stream.child("outliers"))
        let channels = cursor.sampleWithoutReplacement(outlierChannels, from: d)
        var scales = [Double](repeating: 1, count: d)
        for (position, channel) in channels.enumerated() {
            let fraction = channels.count > 1 ? Double(position) / Double(channels.count - 1) : 0
            scales[channel] = outlierScaleMin + (outlierScaleMax - outlierScaleMin) * fraction
        }
        return scales
    }

    /// n keys and one query from the model.
    /// - Throws: ``InputError/invalidParameter(_:)`` for bad parameters or n < 1.
    /// - Complexity: O(n·d).
    public func sample(count n: Int, dimension d: Int, stream: RandomStream) throws(InputError) -> AttentionInput {
        try validate(dimension: d)
        guard n >= 1 else { throw .invalidParameter("need at least one key, got n = \(n)") }
        let direction: [Double] = stream.child("mean").gaussians(d)
        let directionNorm = SyntheticInputs.norm(direction)
        let length = meanLength ?? Double(d).squareRoot()
        let mean = direction.map { length * $0 / Swift.max(directionNorm, .leastNormalMagnitude) }
        let scales = channelScales(dimension: d, stream: stream)
        let noiseKeys: [Double] = stream.child("keys").gaussians(n * d)
        var keys = [Double](repeating: 0, count: n * d)
        for j in 0..<n {
            for c in 0..<d { keys[j * d + c] = scales[c] * (mean[c] + noise * noiseKeys[j * d + c]) }
        }
        let noiseQuery: [Double] = stream.child("query").gaussians(d)
        let query = (0..<d).map { queryMeanWeight * mean[$0] + noise * noiseQuery[$0] }
        return try AttentionInput(keys: keys, query: query, dimension: d)
    }
}

/// Keys and one query for an attention experiment (synthetic or loaded from `.npy`).
public struct AttentionInput: Sendable, Equatable {
    /// Keys, row-major n×d.
    public private(set) var keys: [Double]
    /// The query q ∈ R^d.
    public private(set) var query: [Double]
    /// d.
    public let dimension: Int

    /// Keys (flat n×d) and a query.
    /// - Throws: ``InputError/invalidParameter(_:)`` for an empty set, a length mismatch or a
    ///   non-finite value.
    public init(keys: [Double], query: [Double], dimension d: Int) throws(InputError) {
        guard d >= 1, query.count == d, !keys.isEmpty, keys.count % d == 0 else {
            throw .invalidParameter("attention input needs n ≥ 1 keys of length d = \(d) and a query of length d")
        }
        guard keys.allSatisfy(\.isFinite), query.allSatisfy(\.isFinite) else {
            throw .invalidParameter("attention input holds a NaN or infinite value")
        }
        self.keys = keys
        self.query = query
        self.dimension = d
    }

    /// n.
    public var tokenCount: Int { keys.count / dimension }

    /// ‖k_j‖² for every key.
    /// - Complexity: O(n·d).
    public var keyNormsSquared: [Double] {
        (0..<tokenCount).map { j in keys[(j * dimension)..<((j + 1) * dimension)].reduce(0) { $0 + $1 * $1 } }
    }

    /// ‖q‖².
    public var queryNormSquared: Double { query.reduce(0) { $0 + $1 * $1 } }

    /// The exact logits a_j = ⟨q, k_j⟩.
    /// - Complexity: O(n·d).
    public var logits: [Double] {
        (0..<tokenCount).map { j in
            var sum = 0.0
            for c in 0..<dimension { sum += query[c] * keys[j * dimension + c] }
            return sum
        }
    }

    /// max(max_j ‖k_j‖, ‖q‖).
    public var maxNorm: Double { (keyNormsSquared + [queryNormSquared]).max().map { $0.squareRoot() } ?? 0 }

    /// The input with keys scaled to max_j ‖k_j‖ = r and the query to ‖q‖ = r, the setting of
    /// Theorem 3.6 (max‖k_i‖ ≤ r, ‖q‖ ≤ r; theory.md §1.6).
    ///
    /// ```
    /// k_j ← k_j · r / max_i ‖k_i‖,    q ← q · r / ‖q‖
    /// ```
    /// - Throws: ``InputError/invalidParameter(_:)`` unless r > 0 is finite and the keys and the
    ///   query are not all zero.
    /// - Complexity: O(n·d).
    public func scaled(toMaxNorm r: Double) throws(InputError) -> AttentionInput {
        guard r > 0, r.isFinite else { throw .invalidParameter("--max-norm must be finite and > 0, got \(r)") }
        let keyMax = keyNormsSquared.max().map { $0.squareRoot() } ?? 0
        let queryNorm = queryNormSquared.squareRoot()
        guard keyMax > 0, queryNorm > 0 else { throw .invalidParameter("cannot scale all-zero keys or a zero query to norm \(r)") }
        var copy = self
        copy.keys = keys.map { $0 * (r / keyMax) }
        copy.query = query.map { $0 * (r / queryNorm) }
        return copy
    }
}
