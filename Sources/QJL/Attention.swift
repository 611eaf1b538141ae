import JLLinearAlgebra

/// The logit scaling applied before the softmax.
public enum SoftmaxTemperature: Sendable, Hashable, Codable {
    /// Raw logits, as in Eq. (2) and Theorem 3.6 of arXiv 2406.03482.
    case none
    /// Logits divided by √d, as in the official code and standard attention (theory.md §3.3).
    case inverseSquareRootDimension(Int)

    /// The multiplier applied to the logits.
    public var scale: Double {
        switch self {
        case .none: 1
        case let .inverseSquareRootDimension(d): 1 / Double(max(d, 1)).squareRoot()
        }
    }
}

/// Attention from exact or estimated logits, and the error metrics that compare them
/// (Algorithm 1 EstimateScores and Theorem 3.6 of arXiv 2406.03482; theory.md §1.5–1.6).
public enum Attention {
    /// Numerically stable softmax of `scale·logits` (the maximum is subtracted first):
    /// ```
    /// p_i = exp(s·ℓ_i − max_j s·ℓ_j) / Σ_j exp(s·ℓ_j − max_j s·ℓ_j)
    /// ```
    /// - Throws: ``QJLError/nonFiniteInput(what:index:)`` for NaN/∞ logits,
    ///   ``QJLError/invalidArgument(_:)`` for an empty input.
    /// - Complexity: O(n).
    public static func softmax<Scalar: LinearAlgebraScalar>(
        _ logits: [Scalar], temperature: SoftmaxTemperature = .none
    ) throws(QJLError) -> [Scalar] {
        guard !logits.isEmpty else { throw .invalidArgument("softmax of an empty logit vector") }
        try validateFinite(logits, what: "logits")
        let scale = Scalar(temperature.scale)
        var maximum = -Scalar.infinity
        for x in logits { maximum = max(maximum, scale * x) }
        var weights = logits.map { Scalar.exp(scale * $0 - maximum) }
        var sum: Scalar = 0
        for w in weights { sum += w }
        for i in weights.indices { weights[i] /= sum }
        return weights
    }

    /// Exact logits q·kᵀ for keys as rows of an n×d matrix.
    /// - Throws: on a dimension mismatch or non-finite input.
    /// - Complexity: O(n·d).
    public static func exactLogits<Scalar: LinearAlgebraScalar>(
        query: [Scalar], keys: Matrix<Scalar>
    ) throws(QJLError) -> [Scalar] {
        guard query.count == keys.columns else {
            throw .dimensionMismatch(what: "query dimension d", expected: keys.columns, actual: query.count)
        }
        try validateFinite(query, what: "query")
        try validateFinite(keys.elements, what: "keys")
        return (0..<keys.rows).map { i in
            var sum: Scalar = 0
            for j in 0..<keys.columns { sum += query[j] * keys.elements[i * keys.columns + j] }
            return sum
        }
    }

    /// The attention output o = Σ_i p_i·v_i for weights p (n) and values (n×d_v).
    /// - Complexity: O(n·d_v).
    public static func output<Scalar: LinearAlgebraScalar>(
        weights: [Scalar], values: Matrix<Scalar>
    ) throws(QJLError) -> [Scalar] {
        guard weights.count == values.rows else {
            throw .dimensionMismatch(what: "value rows (one per key)", expected: weights.count, actual: values.rows)
        }
        try validateFinite(values.elements, what: "values")
        var out = [Scalar](repeating: 0, count: values.columns)
        for i in 0..<values.rows {
            for j in 0..<values.columns { out[j] += weights[i] * values.elements[i * values.columns + j] }
        }
        return out
    }
}

/// How far attention from estimated logits is from exact attention (computed in Double).
///
/// ```
/// maxRelativeScoreError = max_i |p̂_i − p_i| / p_i           (Theorem 3.6's quantity)
/// klDivergence          = Σ_i p_i·log(p_i / p̂_i)             (exact ‖ estimated)
/// totalVariation        = ½·Σ_i |p̂_i − p_i|
/// topKRecall            = |top_k(p) ∩ top_k(p̂)| / k          (ties → lower index)
/// outputRelativeError   = ‖o − ô‖ / ‖o‖,  o = Σ p_i v_i       (when values are given)
/// ```
public struct AttentionErrorMetrics: Sendable, Hashable, Codable {
    /// max_i |p̂_i − p_i| / p_i.
    public let maxRelativeScoreError: Double
    /// KL(p ‖ p̂).
    public let klDivergence: Double
    /// ½‖p − p̂‖₁.
    public let totalVariation: Double
    /// The k of the top-k recall.
    public let topK: Int
    /// Fraction of the exact top-k keys found in the estimated top-k.
    public let topKRecall: Double
    /// ‖o − ô‖/‖o‖, nil when no values were given (∞ if o = 0 ≠ ô).
    public let outputRelativeError: Double?

    /// Compares softmax(exact) with softmax(estimated) at the given temperature.
    /// - Throws: ``QJLError`` on length mismatches, non-finite logits, or topK ∉ 1...n.
    /// - Complexity: O(n log n + n·d_v).
    public init<Scalar: LinearAlgebraScalar>(
        exactLogits: [Scalar], estimatedLogits: [Scalar], temperature: SoftmaxTemperature = .none,
        topK: Int = 1, values: Matrix<Scalar>? = nil
    ) throws(QJLError) {
        guard exactLogits.count == estimatedLogits.count else {
            throw .dimensionMismatch(what: "estimated logits", expected: exactLogits.count, actual: estimatedLogits.count)
        }
        guard (1...max(1, exactLogits.count)).contains(topK), !exactLogits.isEmpty else {
            throw .invalidArgument("topK = \(topK) must be in 1...\(exactLogits.count) (n ≥ 1)")
        }
        let p = try Attention.softmax(exactLogits.map { Double($0) }, temperature: temperature)
        let pHat = try Attention.softmax(estimatedLogits.map { Double($0) }, temperature: temperature)
        var maxRelative = 0.0, kl = 0.0, l1 = 0.0
        for i in p.indices {
            if p[i] > 0 {
                maxRelative = max(maxRelative, abs(pHat[i] - p[i]) / p[i])
                kl += p[i] * (pHat[i] > 0 ? Double.log(p[i] / pHat[i]) : .infinity)
            }
            l1 += abs(pHat[i] - p[i])
        }
        func top(_ x: [Double]) -> Set<Int> {
            Set(x.indices.sorted { x[$0] != x[$1] ? x[$0] > x[$1] : $0 < $1 }.prefix(topK))
        }
        self.maxRelativeScoreError = maxRelative
        self.klDivergence = max(0, kl)
        self.totalVariation = l1 / 2
        self.topK = topK
        self.topKRecall = Double(top(p).intersection(top(pHat)).count) / Double(topK)
        if let values {
            let valuesDouble = values.converted(to: Double.self)
            let o = try Attention.output(weights: p, values: valuesDouble)
            let oHat = try Attention.output(weights: pHat, values: valuesDouble)
            var difference = 0.0, reference = 0.0
            for j in o.indices {
                difference += (o[j] - oHat[j]) * (o[j] - oHat[j])
                reference += o[j] * o[j]
            }
            self.outputRelativeError = reference > 0 ? (difference / reference).squareRoot()
                : (difference > 0 ? .infinity : 0)
        } else {
            self.outputRelativeError = nil
        }
    }
}
