import JLLinearAlgebra
import JLTransforms

/// Outlier-aware QJL key quantization, as implemented by the official code (arXiv 2406.03482
/// §4 "outliers"; theory.md §2.6, §3.2).
///
/// Keys are split into groups of `groupSize` consecutive tokens. In each group the
/// `outlierCount` channels with the largest L2 norm over the group's tokens are outliers O
/// (ties broken by the lower channel index, so the choice is deterministic); the rest are
/// inliers I. Each key k = k_I + k_O is stored as
/// - inlier sign bits sign(S·k_I) over all m rows of S, and ‖k_I‖;
/// - outlier sign bits sign((S·k_O)[0..<m_O]) over the **first m_O rows of the same S**
///   (m_O ≤ m, as the official kernel does; the paper says "independent instance", which is
///   equivalent in law for Gaussian S because I and O are disjoint columns), and ‖k_O‖;
/// and per group the outlier channel indices (UInt8 when d ≤ 256, else UInt16).
///
/// ```
/// Est(q, k) = (c/m)·‖k_I‖·⟨S q_I, sign(S k_I)⟩ + (c/m_O)·‖k_O‖·⟨(S q_O)[:m_O], sign((S k_O)[:m_O])⟩
/// ```
/// with c the ``AsymmetricQJLEstimator/constant`` (derived by default, so unbiased for
/// Gaussian, χ-length Haar and fixed-length Haar rows). Unlike the official code, ‖k_I‖ is
/// stored directly rather than recomputed as √(‖k‖² − ‖k_O‖²).
public struct OutlierSplitSketch: Sendable, Hashable {
    /// Outlier channel indices of every group, in the narrowest sufficient integer type.
    public enum ChannelIndices: Sendable, Hashable {
        /// d ≤ 256.
        case uint8([UInt8])
        /// 256 < d ≤ 65536.
        case uint16([UInt16])

        var bitsPerIndex: Int {
            switch self { case .uint8: 8; case .uint16: 16 }
        }
        var count: Int {
            switch self { case let .uint8(v): v.count; case let .uint16(v): v.count }
        }
        func value(_ i: Int) -> Int {
            switch self { case let .uint8(v): Int(v[i]); case let .uint16(v): Int(v[i]) }
        }
    }

    /// Tokens per group.
    public let groupSize: Int
    /// Outlier channels per group.
    public let outlierCount: Int
    /// Rows m_O used for the outlier part (0 when `outlierCount == 0`).
    public let outlierSketchDimension: Int
    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// Number of keys n.
    public let count: Int
    /// Inlier sign bits (m per key) and inlier norms ‖k_I‖.
    public let inliers: SignSketchBatch
    /// Outlier sign bits (m_O per key) and outlier norms ‖k_O‖; nil when `outlierCount == 0`.
    public let outliers: SignSketchBatch?
    /// Outlier channel indices, `groupCount · outlierCount` entries, ascending within a group.
    public let channelIndices: ChannelIndices

    /// Number of groups n / groupSize.
    public var groupCount: Int { count / groupSize }

    /// The outlier channels of group g, ascending.
    public func outlierChannels(group g: Int) -> [Int] {
        (0..<outlierCount).map { channelIndices.value(g * outlierCount + $0) }
    }

    /// Sketches keys (n×d) with the transform S.
    /// - Throws: ``QJLError/invalidGroupSize(_:)``, ``QJLError/groupSizeDoesNotDivide(tokens:groupSize:)``,
    ///   ``QJLError/tooManyOutliers(outlierCount:channels:)`` (outlierCount > d − 1),
    ///   ``QJLError/invalidOutlierSketchDimension(_:sketchDimension:)`` (m_O ∉ 1...m when outliers
    ///   are requested), non-finite keys and dimension mismatches.
    /// - Complexity: two batch transforms plus O(n·d + (n/g)·d log d).
    public init<T: JLTransform>(
        keys: Matrix<T.Scalar>, transform: T, groupSize: Int, outlierCount: Int,
        outlierSketchDimension: Int, normPrecision: NormPrecision
    ) throws(QJLError) {
        let d = transform.inputDimension, m = transform.sketchDimension
        guard keys.columns == d else { throw .dimensionMismatch(what: "key dimension d", expected: d, actual: keys.columns) }
        guard groupSize >= 1 else { throw .invalidGroupSize(groupSize) }
        guard keys.rows % groupSize == 0 else { throw .groupSizeDoesNotDivide(tokens: keys.rows, groupSize: groupSize) }
        guard outlierCount >= 0, outlierCount <= d - 1 else { throw .tooManyOutliers(outlierCount: outlierCount, channels: d) }
        guard d <= 65536 else { throw .invalidArgument("d = \(d) exceeds 65536, the UInt16 channel-index range") }
        if outlierCount > 0, !(1...m).contains(outlierSketchDimension) {
            throw .invalidOutlierSketchDimension(outlierSketchDimension, sketchDimension: m)
        }
        try validateFinite(keys.elements, what: "keys")
        let channels = try Self.selectOutliers(keys: keys, groupSize: groupSize, outlierCount: outlierCount)
        if outlierCount == 0 {
            // No channel is an outlier: k_I = k, and there is no outlier part.
            self.inliers = try SignSketchBatch(keys: keys, transform: transform, normPrecision: normPrecision)
            self.outliers = nil
            self.outlierSketchDimension = 0
        } else {
            let (inlierKeys, outlierKeys) = try Self.splitChannels(keys, channels: channels, groupSize: groupSize)
            self.inliers = try SignSketchBatch(keys: inlierKeys, transform: transform, normPrecision: normPrecision)
            let projected: Matrix<T.Scalar>
            do { projected = try transform.apply(batch: outlierKeys) } catch { throw .transform(error) }
            let truncated = try Self.leadingColumns(projected, count: outlierSketchDimension)
            self.outliers = try SignSketchBatch(projections: truncated, keyNorms: rowNorms(outlierKeys), inputDimension: d,
                                                normPrecision: normPrecision, normLabel: "norms ‖k_O‖")
            self.outlierSketchDimension = outlierSketchDimension
        }
        let flat = channels.flatMap { $0 }
        self.channelIndices = d <= 256 ? .uint8(flat.map { UInt8($0) }) : .uint16(flat.map { UInt16($0) })
        self.groupSize = groupSize
        self.outlierCount = outlierCount
        self.inputDimension = d
        self.sketchDimension = m
        self.count = keys.rows
    }

    /// The outlier channels of each group: the `outlierCount` channels j with the largest
    /// Σ_{t ∈ group} k_{t,j}² (ties → lower j), returned ascending.
    /// - Complexity: O(n·d + (n/g)·d log d); O(1) per group when `outlierCount == 0`.
    ///   Pre-specialized for Float and Double.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func selectOutliers<Scalar: LinearAlgebraScalar>(
        keys: Matrix<Scalar>, groupSize: Int, outlierCount: Int
    ) throws(QJLError) -> [[Int]] {
        guard groupSize >= 1 else { throw .invalidGroupSize(groupSize) }
        guard keys.rows % groupSize == 0 else { throw .groupSizeDoesNotDivide(tokens: keys.rows, groupSize: groupSize) }
        guard outlierCount >= 0, outlierCount <= keys.columns - 1 else {
            throw .tooManyOutliers(outlierCount: outlierCount, channels: keys.columns)
        }
        let d = keys.columns, groups = keys.rows / groupSize
        guard outlierCount > 0 else { return [[Int]](repeating: [], count: groups) }
        var squaredNorms = [Double](repeating: 0, count: d)
        var ranked = [Int](repeating: 0, count: d)
        return keys.elements.withUnsafeBufferPointer { x in
            (0..<groups).map { g in
                squaredNorms.withUnsafeMutableBufferPointer { norms in
                    for j in 0..<d { norms[j] = 0 }
                    for t in (g * groupSize)..<((g + 1) * groupSize) {
                        for j in 0..<d {
                            let value = Double(x[t * d + j])
                            norms[j] += value * value
                        }
                    }
                }
                for j in 0..<d { ranked[j] = j }
                squaredNorms.withUnsafeBufferPointer { norms in
                    // A strict total order (ties → lower index), so the selection is unique.
                    ranked.sort { a, b in norms[a] != norms[b] ? norms[a] > norms[b] : a < b }
                }
                return Array(ranked.prefix(outlierCount)).sorted()
            }
        }
    }

    /// k_I and k_O for every key: `keys` with the group's outlier channels zeroed (inliers) and
    /// with all other channels zeroed (outliers).
    /// ```
    /// (k_I)_j = j ∉ O_g ? k_j : 0,    (k_O)_j = j ∈ O_g ? k_j : 0,    g = ⌊t / groupSize⌋
    /// ```
    /// - Complexity: O(n·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func splitChannels<Scalar: LinearAlgebraScalar>(
        _ keys: Matrix<Scalar>, channels: [[Int]], groupSize: Int
    ) throws(QJLError) -> (inliers: Matrix<Scalar>, outliers: Matrix<Scalar>) {
        let n = keys.rows, d = keys.columns
        var inliers = keys.elements
        var outliers = [Scalar](repeating: 0, count: n * d)
        var isOutlier = [Bool](repeating: false, count: d)
        keys.elements.withUnsafeBufferPointer { x in
            inliers.withUnsafeMutableBufferPointer { inlierOut in
                outliers.withUnsafeMutableBufferPointer { outlierOut in
                    for (g, group) in channels.enumerated() {
                        for j in 0..<d { isOutlier[j] = false }
                        for j in group { isOutlier[j] = true }
                        for t in (g * groupSize)..<((g + 1) * groupSize) {
                            for j in 0..<d where isOutlier[j] {
                                inlierOut[t * d + j] = 0
                                outlierOut[t * d + j] = x[t * d + j]
                            }
                        }
                    }
                }
            }
        }
        return (try QJLScoring.matrix(n, d, inliers), try QJLScoring.matrix(n, d, outliers))
    }

    /// The first `count` columns of `matrix` (the outlier rows m_O of S·k_O).
    /// - Complexity: O(rows·count).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func leadingColumns<Scalar: LinearAlgebraScalar>(
        _ matrix: Matrix<Scalar>, count: Int
    ) throws(QJLError) -> Matrix<Scalar> {
        let rows = matrix.rows, columns = matrix.columns
        guard count != columns else { return matrix }
        var leading = [Scalar]()
        leading.reserveCapacity(rows * count)
        matrix.elements.withUnsafeBufferPointer { x in
            for i in 0..<rows { leading.append(contentsOf: x[(i * columns)..<(i * columns + count)]) }
        }
        return try QJLScoring.matrix(rows, count, leading)
    }

    /// Scores of h queries (rows, h×d) against all keys: an h×n matrix of
    /// Est(q, k) above. For each group, q_I and q_O are projected exactly (S applied to the
    /// masked query) rather than as S·q − S·q_O.
    /// - Throws: ``QJLError`` on mismatched shapes, non-finite queries or `threads < 1`.
    /// - Complexity: one batch transform of 2·h·(n/g) masked queries plus the scoring of both parts.
    public func scores<T: JLTransform>(
        queries: Matrix<T.Scalar>, transform: T, estimator: AsymmetricQJLEstimator,
        path: ScoringPath = .lookupTable, threads: Int = 1
    ) throws(QJLError) -> Matrix<T.Scalar> {
        guard transform.inputDimension == inputDimension, transform.sketchDimension == sketchDimension else {
            throw .dimensionMismatch(what: "transform shape m·d", expected: sketchDimension * inputDimension,
                                     actual: transform.sketchDimension * transform.inputDimension)
        }
        guard queries.columns == inputDimension else {
            throw .dimensionMismatch(what: "query dimension d", expected: inputDimension, actual: queries.columns)
        }
        guard threads >= 1 else { throw .invalidThreadCount(threads) }
        try validateFinite(queries.elements, what: "queries")
        let heads = queries.rows, d = inputDimension, m = sketchDimension
        var out = [T.Scalar](repeating: 0, count: heads * count)
        guard heads > 0, count > 0 else { return try QJLScoring.matrix(heads, count, out) }
        // Rows: for group g, head h: inlier query at 2(g·heads + h), outlier query at +1.
        var masked = [T.Scalar](repeating: 0, count: 2 * groupCount * heads * d)
        for g in 0..<groupCount {
            let outlierSet = Set(outlierChannels(group: g))
            for h in 0..<heads {
                let base = 2 * (g * heads + h) * d
                for j in 0..<d {
                    masked[base + (outlierSet.contains(j) ? d : 0) + j] = queries.elements[h * d + j]
                }
            }
        }
        let maskedQueries = try QJLScoring.matrix(2 * groupCount * heads, d, masked)
        let projected: Matrix<T.Scalar>
        do { projected = try transform.apply(batch: maskedQueries) } catch { throw .transform(error) }
        for g in 0..<groupCount {
            let range = (g * groupSize)..<((g + 1) * groupSize)
            var inlierQueries = [T.Scalar](), outlierQueries = [T.Scalar]()
            for h in 0..<heads {
                let row = 2 * (g * heads + h)
                inlierQueries.append(contentsOf: projected.elements[(row * m)..<((row + 1) * m)])
                outlierQueries.append(contentsOf: projected.elements[((row + 1) * m)..<((row + 1) * m + outlierSketchDimension)])
            }
            let inlierScores = QJLScoring.scoreRange(
                projectedQueries: try QJLScoring.matrix(heads, m, inlierQueries), keys: inliers,
                constant: estimator.constant, path: path, threads: threads, range: range)
            var outlierScores = [T.Scalar](repeating: 0, count: inlierScores.count)
            if let outliers {
                outlierScores = QJLScoring.scoreRange(
                    projectedQueries: try QJLScoring.matrix(heads, outlierSketchDimension, outlierQueries), keys: outliers,
                    constant: estimator.constant, path: path, threads: threads, range: range)
            }
            for h in 0..<heads {
                for j in 0..<groupSize {
                    out[h * count + range.lowerBound + j] = inlierScores[h * groupSize + j] + outlierScores[h * groupSize + j]
                }
            }
        }
        return try QJLScoring.matrix(heads, count, out)
    }

    /// The sketch of each group on its own, in order: group g holds keys g·G ..< (g+1)·G, its
    /// sign words, stored norms and outlier channels, copied as they are. Each equals the sketch
    /// of that group's keys alone whenever the transform's batch application treats rows
    /// independently (true of the dense transforms on OpenBLAS for G ≥ 5 rows; see
    /// docs/performance.md, exp-runtime).
    /// - Complexity: O(n·(⌈m/64⌉ + ⌈m_O/64⌉ + 2)).
    package func groups() -> [OutlierSplitSketch] {
        (0..<groupCount).map { g in
            let range = (g * groupSize)..<((g + 1) * groupSize)
            let indices: ChannelIndices
            let channelRange = (g * outlierCount)..<((g + 1) * outlierCount)
            switch channelIndices {
            case let .uint8(values): indices = .uint8(Array(values[channelRange]))
            case let .uint16(values): indices = .uint16(Array(values[channelRange]))
            }
            return OutlierSplitSketch(
                groupSize: groupSize, outlierCount: outlierCount, outlierSketchDimension: outlierSketchDimension,
                inputDimension: inputDimension, sketchDimension: sketchDimension, count: groupSize,
                inliers: inliers.keys(in: range), outliers: outliers?.keys(in: range), channelIndices: indices)
        }
    }

    /// Memberwise, for parts already validated.
    private init(
        groupSize: Int, outlierCount: Int, outlierSketchDimension: Int, inputDimension: Int, sketchDimension: Int,
        count: Int, inliers: SignSketchBatch, outliers: SignSketchBatch?, channelIndices: ChannelIndices
    ) {
        self.groupSize = groupSize
        self.outlierCount = outlierCount
        self.outlierSketchDimension = outlierSketchDimension
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
        self.count = count
        self.inliers = inliers
        self.outliers = outliers
        self.channelIndices = channelIndices
    }

    /// Bytes actually allocated: both sign sketches (words + norms) plus the channel indices.
    public var allocatedBytes: Int {
        inliers.allocatedBytes + (outliers?.allocatedBytes ?? 0) + channelIndices.count * channelIndices.bitsPerIndex / 8
    }

    /// The itemized ledger: inlier bits, padding and norms; outlier bits, padding and norms;
    /// outlier channel indices. `totalBits / 8 == allocatedBytes`.
    public var bitLedger: BitLedger {
        var ledger = inliers.ledger(prefix: "inlier ")
        ledger.components[2].name = "inlier norms (\(inliers.normPrecision))"
        if let outliers {
            ledger.components += outliers.ledger(prefix: "outlier ").components
        }
        ledger.components.append(.init(
            name: "outlier channel indices (\(outlierCount) per group of \(groupSize), \(channelIndices.bitsPerIndex)-bit)",
            bits: channelIndices.count * channelIndices.bitsPerIndex))
        return ledger
    }

    /// The exact mean of Est(q, k) for outlier set O: f·⟨q,k⟩ with f = ``AsymmetricQJLEstimator/meanFactor``
    /// (both parts use rows of the same law); nil where f does not exist.
    public static func mean(q: [Double], k: [Double], estimator: AsymmetricQJLEstimator) -> Double? {
        estimator.mean(q: q, k: k)
    }

    /// The exact variance for iid Gaussian S and outlier channels O (theory.md §2.6): the two
    /// parts use disjoint columns, hence are independent:
    /// ```
    /// Var = c²(‖q_I‖²‖k_I‖² − (2/π)⟨q_I,k_I⟩²)/m + c²(‖q_O‖²‖k_O‖² − (2/π)⟨q_O,k_O⟩²)/m_O
    /// ```
    /// Nil for non-Gaussian rows (orthogonal rows make the parts dependent).
    public static func variance(
        q: [Double], k: [Double], outlierChannels: [Int], outlierSketchDimension: Int,
        estimator: AsymmetricQJLEstimator
    ) -> Double? {
        guard case .gaussian = estimator.rowLaw, q.count == k.count else { return nil }
        let outlierSet = Set(outlierChannels)
        let qO = q.indices.map { outlierSet.contains($0) ? q[$0] : 0 }, kO = k.indices.map { outlierSet.contains($0) ? k[$0] : 0 }
        let qI = q.indices.map { outlierSet.contains($0) ? 0 : q[$0] }, kI = k.indices.map { outlierSet.contains($0) ? 0 : k[$0] }
        guard let inlierVariance = estimator.variance(q: qI, k: kI) else { return nil }
        guard !outlierChannels.isEmpty, outlierSketchDimension >= 1,
              let outlierEstimator = try? AsymmetricQJLEstimator(
                  rowLaw: estimator.rowLaw, inputDimension: estimator.inputDimension,
                  sketchDimension: outlierSketchDimension, constant: estimator.constantChoice),
              let outlierVariance = outlierEstimator.variance(q: qO, k: kO)
        else { return inlierVariance }
        return inlierVariance + outlierVariance
    }
}
