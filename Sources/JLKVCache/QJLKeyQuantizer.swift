import JLLinearAlgebra
import JLTransforms
import QJL

/// One QJL key group: the outlier-split sign sketch of `groupSize` consecutive keys, with that
/// group's own outlier channels (theory.md §2.6, §3.2).
///
/// ```
/// inlier bits   sign(S·k_I)            m per key      inlier norms   ‖k_I‖   one per key
/// outlier bits  sign((S·k_O)[0..<m_O]) m_O per key    outlier norms  ‖k_O‖   one per key
/// outlier channel indices O            outlierCount per group (UInt8 when d ≤ 256)
/// ```
/// With no outliers the sketch holds only the sign bits of S·k and ‖k‖ (Algorithm 1 of
/// arXiv 2406.03482) and an empty index list.
public struct QJLKeyBlock: QuantizedKeyBlock, Hashable {
    /// The group's sketch (its `count` is the group size).
    public let sketch: OutlierSplitSketch

    /// Keys in the group.
    public var tokenCount: Int { sketch.count }

    /// Bytes in the sketch's stored arrays: sign words, norms and channel indices.
    public var allocatedBytes: Int { sketch.allocatedBytes }
}

/// The QJL key quantizer as a ``GroupKeyQuantizer`` (Algorithm 1 of arXiv 2406.03482 with the
/// official code's per-group outliers; theory.md §1.5, §2.6, §3.2–3.4).
///
/// Each group of G keys picks its own `outlierCount` channels O (largest L2 norm over the
/// group's tokens, ties → lower index) and stores an `OutlierSplitSketch` (QJL). A query is
/// projected once, S·q (``prepare(query:)``); for each group the outlier part S·q_O is formed
/// from the stored columns of S and the inlier part as S·q − S·q_O, as the official score kernel
/// does (theory.md §3.3):
/// ```
/// S·q_O = Σ_{j ∈ O} q_j·S[:, j],      S·q_I = S·q − S·q_O
/// ℓ_t   = (c/m)·‖k_{t,I}‖·⟨S q_I, sign(S k_{t,I})⟩ + (c/m_O)·‖k_{t,O}‖·⟨(S q_O)[:m_O], sign((S k_{t,O})[:m_O])⟩
/// ```
/// c is `AsymmetricQJLEstimator.constant` (QJL) for the transform's row law (`.derived` by default:
/// unbiased for Gaussian, χ-length and fixed-length Haar rows). The sums use
/// `QJLScoring.scores(projectedQueries:keys:constant:path:threads:)` (QJL).
///
/// Storage per group (``bitLedger(of:)``, theory.md §3.7):
/// ```
/// G·(m + pad_m) + G·(m_O + pad_{m_O}) + 2·G·(16 or 32) + outlierCount·(8 or 16) bits,
/// pad_x = 64·⌈x/64⌉ − x
/// ```
/// - Complexity: quantize: two batch transforms of G keys plus O(G·d + d log d);
///   prepare: one transform of q; logits per group: O(m·outlierCount) for S·q_O plus the scoring
///   (lookup path O(256·(m + m_O)/8 + G·(m + m_O)/8)).
public struct QJLKeyQuantizer<Transform: JLTransform>: GroupKeyQuantizer {
    public typealias Scalar = Transform.Scalar
    public typealias Block = QJLKeyBlock

    /// A projected query: q itself (for its outlier channels) and S·q in `Scalar`.
    public struct PreparedQuery: Sendable, Hashable {
        /// The query q (d entries).
        public let query: [Scalar]
        /// S·q (m entries).
        public let projectedQuery: [Scalar]
    }

    /// The JL transform S (d → m).
    public let transform: Transform
    /// Tokens per group G.
    public let groupSize: Int
    /// Outlier channels per group.
    public let outlierCount: Int
    /// Rows m_O of S used for the outlier part (0 when `outlierCount == 0`).
    public let outlierSketchDimension: Int
    /// Precision of the stored norms ‖k_I‖ and ‖k_O‖.
    public let normPrecision: NormPrecision
    /// The estimator whose constant c scales every logit.
    public let estimator: AsymmetricQJLEstimator
    /// How the sign sums are evaluated.
    public let scoringPath: ScoringPath
    /// Threads the scoring of one query against the whole cache may use (≥ 1); results do not
    /// depend on it (`QJLScoring.scores(projectedQueries:keys:constant:path:threads:)` (QJL)).
    public let scoringThreads: Int
    /// Sᵀ, d×m row-major: entries `j·m ..< (j+1)·m` are column j of S.
    let sketchColumns: [Scalar]

    /// - Parameters:
    ///   - transform: S with d = head dimension and m = sketch dimension.
    ///   - groupSize: G, tokens per quantized group.
    ///   - outlierCount: outlier channels per group (0 = plain QJL).
    ///   - outlierSketchDimension: m_O ∈ 1...m, used only when `outlierCount > 0` (nil = m).
    ///   - normPrecision: `.float16` (the official code's key dtype) or `.float32`.
    ///   - constant: `.derived` (unbiased where possible) or `.paper` (√(π/2)).
    ///   - scoringPath: `.lookupTable` (default), `.vectorized`, `.plain` or `.approximateInt8`.
    ///   - scoringThreads: threads for scoring one query against all stored groups (default 1).
    /// - Throws: `.invalidParameter` if G < 1, outlierCount ∉ 0...d−1, d > 65536 with outliers,
    ///   m_O ∉ 1...m or scoringThreads < 1; `.sketch` if S cannot be materialized.
    /// - Complexity: one materialization of S (O(m·d) plus the transform's own cost).
    public init(
        transform: Transform, groupSize: Int, outlierCount: Int, outlierSketchDimension: Int? = nil,
        normPrecision: NormPrecision = .float16, constant: AsymmetricQJLEstimator.ConstantChoice = .derived,
        scoringPath: ScoringPath = .lookupTable, scoringThreads: Int = 1
    ) throws(KVCacheError) {
        let d = transform.inputDimension, m = transform.sketchDimension
        guard groupSize >= 1 else {
            throw .invalidParameter(name: "key group size", value: groupSize, requirement: "≥ 1")
        }
        guard scoringThreads >= 1 else {
            throw .invalidParameter(name: "scoring thread count", value: scoringThreads, requirement: "≥ 1")
        }
        guard outlierCount >= 0, outlierCount <= d - 1 else {
            throw .invalidParameter(name: "outlier count", value: outlierCount, requirement: "in 0...\(d - 1) (d − 1)")
        }
        let outlierRows = outlierCount > 0 ? (outlierSketchDimension ?? m) : 0
        if outlierCount > 0 {
            guard (1...m).contains(outlierRows) else {
                throw .invalidParameter(name: "outlier sketch dimension m_O", value: outlierRows, requirement: "in 1...\(m) (m)")
            }
            guard d <= 65536 else {
                throw .invalidParameter(name: "head dimension", value: d, requirement: "≤ 65536 with outliers (UInt16 indices)")
            }
        }
        let sketch: Matrix<Scalar>
        do { sketch = try transform.materialize() } catch { throw .sketch(.transform(error)) }
        var columns = [Scalar](repeating: 0, count: d * m)
        for r in 0..<m {
            for j in 0..<d { columns[j * m + r] = sketch.elements[r * d + j] }
        }
        do { self.estimator = try AsymmetricQJLEstimator(transform: transform, constant: constant) } catch {
            throw .sketch(error)
        }
        self.transform = transform
        self.groupSize = groupSize
        self.outlierCount = outlierCount
        self.outlierSketchDimension = outlierRows
        self.normPrecision = normPrecision
        self.scoringPath = scoringPath
        self.scoringThreads = scoringThreads
        self.sketchColumns = columns
    }

    /// The head dimension d.
    public var headDimension: Int { transform.inputDimension }
    /// The sketch dimension m.
    public var sketchDimension: Int { transform.sketchDimension }

    /// Sketches one G×d group: picks the group's outlier channels and stores an
    /// `OutlierSplitSketch` (QJL).
    /// - Throws: `.dimensionMismatch` unless the matrix is G×d; `.nonFiniteInput`;
    ///   `.halfPrecisionOverflow` if a norm exceeds 65504 with `.float16` norms; `.sketch` otherwise.
    /// - Complexity: two batch transforms of G keys plus O(G·d + d log d).
    public func quantize(keys: Matrix<Scalar>) throws(KVCacheError) -> QJLKeyBlock {
        guard keys.rows == groupSize else {
            throw .dimensionMismatch(what: "key group rows", expected: groupSize, actual: keys.rows)
        }
        guard keys.columns == headDimension else {
            throw .dimensionMismatch(what: "key group columns", expected: headDimension, actual: keys.columns)
        }
        try AttentionKernels.requireFinite(keys.elements, "key group")
        do {
            return QJLKeyBlock(sketch: try OutlierSplitSketch(
                keys: keys, transform: transform, groupSize: groupSize, outlierCount: outlierCount,
                outlierSketchDimension: outlierCount > 0 ? outlierSketchDimension : sketchDimension,
                normPrecision: normPrecision))
        } catch {
            if case let .normNotRepresentable(_, norm, .float16) = error {
                throw .halfPrecisionOverflow(what: "key norm", value: norm)
            }
            throw .sketch(error)
        }
    }

    /// The smallest G for which ``quantize(groups:)`` sketches all groups with one batch
    /// transform: OpenBLAS 0.3.21 sgemm takes a different kernel (different rounding) for ≤ 4 rows,
    /// so smaller groups are sketched one by one, exactly as ``quantize(keys:)`` does.
    static var minimumBatchedGroupSize: Int { 8 }

    /// Sketches k consecutive groups (a (k·G)×d matrix) with one batch transform of all keys
    /// (one gemm for a dense S, two with outliers) and the per-group outlier handling after it,
    /// then splits the result into k blocks. Each block equals ``quantize(keys:)`` of its G keys,
    /// bit for bit, when the transform treats rows independently (checked for OpenBLAS 0.3.21
    /// sgemm with 5 to 131072 rows at K = 128, N = 256; see `minimumBatchedGroupSize`). On any error it redoes the work
    /// group by group, so it throws exactly what the first failing ``quantize(keys:)`` throws.
    /// ```
    /// blocks[g] = quantize(keys: K[gG ..< (g+1)G])
    /// ```
    /// - Complexity: one batch transform of k·G keys plus O(k·G·(d + m)).
    func quantize(groups keys: Matrix<Scalar>) throws(KVCacheError) -> [QJLKeyBlock] {
        let g = groupSize
        guard keys.rows > g, g >= Self.minimumBatchedGroupSize, keys.rows % g == 0, keys.columns == headDimension
        else { return try quantizeOneByOne(keys) }
        do {
            let sketch = try OutlierSplitSketch(
                keys: keys, transform: transform, groupSize: g, outlierCount: outlierCount,
                outlierSketchDimension: outlierCount > 0 ? outlierSketchDimension : sketchDimension,
                normPrecision: normPrecision)
            return sketch.groups().map { QJLKeyBlock(sketch: $0) }
        } catch {
            return try quantizeOneByOne(keys)
        }
    }

    /// ``quantize(keys:)`` for each group of G rows, in order.
    private func quantizeOneByOne(_ keys: Matrix<Scalar>) throws(KVCacheError) -> [QJLKeyBlock] {
        let g = groupSize, d = keys.columns
        guard keys.rows % g == 0 else {
            throw .dimensionMismatch(what: "key group rows", expected: g, actual: keys.rows)
        }
        var blocks: [QJLKeyBlock] = []
        blocks.reserveCapacity(keys.rows / g)
        for group in 0..<(keys.rows / g) {
            let rows: Matrix<Scalar>
            do {
                rows = try Matrix(rows: g, columns: d, elements: Array(keys.elements[(group * g * d)..<((group + 1) * g * d)]))
            } catch {
                throw .dimensionMismatch(what: "key group elements", expected: g * d, actual: keys.elements.count)
            }
            blocks.append(try quantize(keys: rows))
        }
        return blocks
    }

    /// Projects the query once: S·q.
    /// - Throws: `.dimensionMismatch` if `query.count ≠ d`; `.nonFiniteInput`; `.sketch` if the
    ///   transform fails.
    /// - Complexity: one transform application (2md flops for a dense S).
    public func prepare(query: [Scalar]) throws(KVCacheError) -> PreparedQuery {
        guard query.count == headDimension else {
            throw .dimensionMismatch(what: "query", expected: headDimension, actual: query.count)
        }
        try AttentionKernels.requireFinite(query, "query")
        do {
            return PreparedQuery(query: query, projectedQuery: try transform.apply(query))
        } catch {
            throw .sketch(.transform(error))
        }
    }

    /// S·q_O = Σ_{j ∈ O} q_j·S[:, j] over all m rows, for the channels O of one group.
    /// - Complexity: O(m·|O|).
    func outlierProjection(query: [Scalar], channels: [Int]) -> [Scalar] {
        let m = sketchDimension
        var projection = [Scalar](repeating: 0, count: m)
        sketchColumns.withUnsafeBufferPointer { columns in
            projection.withUnsafeMutableBufferPointer { out in
                for j in channels {
                    let weight = query[j], base = j * m
                    for r in 0..<m { out[r] += weight * columns[base + r] }
                }
            }
        }
        return projection
    }

    /// The estimated raw logits of the block's keys (see the type's formula).
    ///
    /// If S·q or S·q_I overflows to ±∞ (only possible for queries near the Scalar range), the
    /// scoring cannot run and every logit of the block is NaN, which the softmax then exposes.
    /// - Complexity: O(m·outlierCount) plus the scoring of G keys against m and m_O rows.
    public func logits(_ query: PreparedQuery, block: QJLKeyBlock) -> [Scalar] {
        let sketch = block.sketch, n = sketch.count, m = sketchDimension
        let failed = [Scalar](repeating: .nan, count: n)
        guard let outliers = sketch.outliers, sketch.outlierCount > 0 else {
            return (try? score(query.projectedQuery, rows: m, keys: sketch.inliers)) ?? failed
        }
        let outlierPart = outlierProjection(query: query.query, channels: sketch.outlierChannels(group: 0))
        var inlierPart = query.projectedQuery
        for r in 0..<m { inlierPart[r] -= outlierPart[r] }
        let mO = sketch.outlierSketchDimension
        guard let inlierScores = try? score(inlierPart, rows: m, keys: sketch.inliers),
              let outlierScores = try? score(Array(outlierPart[0..<mO]), rows: mO, keys: outliers)
        else { return failed }
        return (0..<n).map { inlierScores[$0] + outlierScores[$0] }
    }

    /// The estimated raw logits of every key of `blocks`, in order: the same values as
    /// ``logits(_:block:)`` block by block, computed faster. Consecutive groups without outliers
    /// all score against the same S·q, so their sign words and norms are appended into one
    /// ``SignSketchBatch`` (a ``QJLKeyArena``) and scored in one call (one lookup table or one
    /// vectorized pass, split over ``scoringThreads``) instead of one call, and one table build,
    /// per group of G keys. Each key's score is computed by the same operations either way, so
    /// the results are bit-identical to the block-by-block ones. (`StreamingKVCache` keeps the
    /// arena between decode steps instead of rebuilding it here.)
    /// ```
    /// run of groups without outliers:  ℓ = (c/m)·‖k_t‖·⟨S q, sign(S k_t)⟩ for all t in the run
    /// group with outliers:             ``logits(_:block:)``
    /// ```
    /// - Complexity: O(n·m/64) words copied plus the scoring of n keys (lookup path
    ///   O(256·m/8 + n·m/8) per run; vectorized O(n·m/16) vector operations), plus
    ///   ``logits(_:block:)`` for each group with outliers.
    func logits(_ query: PreparedQuery, blocks: [QJLKeyBlock]) -> [Scalar] {
        var arena = makeArena()
        append(blocks, to: &arena)
        return logits(query, arena: arena, blocks: blocks)
    }

    /// Logits from a ``QJLKeyArena``: each run of groups without outliers is already one batch,
    /// scored in one call; groups with outliers go through ``logits(_:block:)``. Bit-identical to
    /// ``logits(_:blocks:)`` (the arena's batches equal the gathered ones word for word).
    /// - Complexity: the scoring of n keys, plus ``logits(_:block:)`` for each group with outliers.
    func logits(_ query: PreparedQuery, arena: QJLKeyArena, blocks: [QJLKeyBlock]) -> [Scalar] {
        func runLogits(_ run: QJLKeyArena.Run) -> [Scalar] {
            switch run {
            case let .inliers(batch):
                return (try? score(query.projectedQuery, rows: sketchDimension, keys: batch))
                    ?? [Scalar](repeating: .nan, count: batch.count)
            case let .outlierGroup(index):
                return self.logits(query, block: blocks[index])
            }
        }
        if arena.runs.count == 1 { return runLogits(arena.runs[0]) }
        var logits: [Scalar] = []
        logits.reserveCapacity(blocks.reduce(0) { $0 + $1.tokenCount })
        for run in arena.runs { logits.append(contentsOf: runLogits(run)) }
        return logits
    }

    /// (c/rows)·‖k_t‖·⟨x, sign(S k_t)⟩ for every key of `keys`.
    private func score(_ projected: [Scalar], rows: Int, keys: SignSketchBatch) throws(QJLError) -> [Scalar] {
        let matrix: Matrix<Scalar>
        do { matrix = try Matrix(rows: 1, columns: rows, elements: projected) } catch {
            throw .invalidArgument("projected query shape: \(error)")
        }
        return try QJLScoring.scores(projectedQueries: matrix, keys: keys, constant: estimator.constant,
                                     path: scoringPath, threads: scoringThreads).elements
    }

    /// The block's itemized storage: sign bits, padding and norms of the inlier and outlier
    /// sketches, and the outlier channel indices (just sign bits, padding and key norms when
    /// `outlierCount == 0`). `totalBits == 8·block.allocatedBytes`.
    /// ```
    /// per key:   m sign bits + (64·⌈m/64⌉ − m) padding + one norm (16 or 32 bits)
    ///            [+ m_O outlier sign bits + (64·⌈m_O/64⌉ − m_O) padding + one outlier norm]
    /// per group: [outlierCount channel indices, 8 bits each (16 when d > 256)]
    /// ```
    public func bitLedger(of block: QJLKeyBlock) -> BitLedger {
        let sketch = block.sketch, n = sketch.count
        guard let outliers = sketch.outliers, sketch.outlierCount > 0 else { return sketch.inliers.bitLedger }
        func part(_ batch: SignSketchBatch, _ label: String, _ rows: String) -> [BitLedger.Component] {
            [.init(name: "\(label) sign bits (\(rows) = \(batch.sketchDimension) per key)", bits: n * batch.sketchDimension),
             .init(name: "\(label) sign-bit padding (to 64-bit words)",
                   bits: n * (64 * batch.wordsPerKey - batch.sketchDimension)),
             .init(name: "\(label) norms (\(batch.normPrecision))", bits: n * batch.normPrecision.bitsPerNorm)]
        }
        let indexBits: Int
        switch sketch.channelIndices {
        case let .uint8(indices): indexBits = indices.count * 8
        case let .uint16(indices): indexBits = indices.count * 16
        }
        return BitLedger(
            components: part(sketch.inliers, "inlier", "m") + part(outliers, "outlier", "m_O") + [
                .init(name: "outlier channel indices (\(sketch.outlierCount) per group of \(n), "
                    + "\(indexBits / max(1, sketch.outlierCount))-bit)", bits: indexBits),
            ],
            tokens: n, coordinatesPerToken: headDimension)
    }
}

/// The QJL key cache (arXiv 2406.03482, Algorithm 1 with the official code's outliers, groups
/// and buffer; theory.md §3.4–3.6) as a ``StreamingKVCache``.
public enum QJLCache {
    /// A QJL cache: keys sketched in groups of G tokens with per-group outliers, values quantized
    /// per token in groups of g channels at b bits, and the most recent B keys and values in
    /// full precision (keys are quantized B at a time).
    /// ```
    /// StreamingKVCache(keyQuantizer: QJLKeyQuantizer(S, G, outlierCount, m_O, normPrecision, constant),
    ///                  valueQuantizer: GroupwiseValueQuantizer(d, g, b),
    ///                  bufferSize: B, valueBufferSize: B)
    /// ```
    /// The defaults are the official LongBench setting for a general layer (theory.md §3.6):
    /// 8 outliers, m_O = m (256 with m = 256), G = 32, B = 128, 2-bit values in groups of 32,
    /// Float16 norms. The official S is `OrthogonalJL` (JLTransforms) with √d rows (`.sqrtD`).
    /// `scoringPath` and `scoringThreads` choose how a query is scored (exact paths agree up to
    /// Float summation order; the thread count never changes results).
    /// - Throws: the initializers' errors (group sizes, bits, outliers, m_O, B, threads).
    /// - Complexity: one materialization of S.
    public static func makeCache<Transform: JLTransform>(
        transform: Transform, outlierCount: Int = 8, outlierSketchDimension: Int? = nil,
        keyGroupSize: Int = 32, bufferSize: Int = 128, valueBits: Int = 2, valueGroupSize: Int = 32,
        normPrecision: NormPrecision = .float16, constant: AsymmetricQJLEstimator.ConstantChoice = .derived,
        temperature: StreamingKVCache<QJLKeyQuantizer<Transform>>.Temperature = .inverseSquareRootDimension,
        scoringPath: ScoringPath = .lookupTable, scoringThreads: Int = 1
    ) throws(KVCacheError) -> StreamingKVCache<QJLKeyQuantizer<Transform>> {
        try StreamingKVCache(
            keyQuantizer: QJLKeyQuantizer(
                transform: transform, groupSize: keyGroupSize, outlierCount: outlierCount,
                outlierSketchDimension: outlierSketchDimension, normPrecision: normPrecision, constant: constant,
                scoringPath: scoringPath, scoringThreads: scoringThreads),
            valueQuantizer: GroupwiseValueQuantizer(
                headDimension: transform.inputDimension, groupSize: valueGroupSize, bits: valueBits),
            bufferSize: bufferSize, valueBufferSize: bufferSize, temperature: temperature)
    }
}

/// The QJL cache's keys in scoring layout: consecutive groups without outliers share one
/// ``SignSketchBatch`` (sign words and stored norms appended as they are), and each group with
/// outliers is referred to by its block index. Built by appending blocks, never by gathering.
struct QJLKeyArena: Sendable {
    enum Run: Sendable {
        /// The inlier sketches of consecutive groups without outliers, as one batch.
        case inliers(SignSketchBatch)
        /// One group with outliers (scored with ``QJLKeyQuantizer/logits(_:block:)``).
        case outlierGroup(index: Int)
    }

    var runs: [Run] = []
    var blockCount = 0
}

extension QJLKeyQuantizer: KeyArenaLogits {
    func makeArena() -> QJLKeyArena { QJLKeyArena() }

    /// - Complexity: amortized O(G·(⌈m/64⌉ + 1)) per group without outliers (in place), O(1) otherwise.
    func append(_ blocks: [QJLKeyBlock], to arena: inout QJLKeyArena) {
        for block in blocks {
            defer { arena.blockCount += 1 }
            guard block.sketch.outlierCount == 0 else {
                arena.runs.append(.outlierGroup(index: arena.blockCount))
                continue
            }
            if let last = arena.runs.indices.last, case var .inliers(batch) = arena.runs[last] {
                arena.runs[last] = .outlierGroup(index: -1)  // release the run's reference: append in place
                let appended = batch.append(block.sketch.inliers)
                arena.runs[last] = .inliers(batch)
                if appended { continue }
            }
            arena.runs.append(.inliers(block.sketch.inliers))
        }
    }
}
