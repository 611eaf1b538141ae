import Dispatch
import JLLinearAlgebra

/// How scores are computed from sign bits. Both paths are exact (they differ only in the
/// order of floating-point additions).
public enum ScoringPath: String, Sendable, Hashable, Codable, CaseIterable {
    /// Iterate the m bits of each key: Σ_r (Sq)_r·(2·bit_r − 1).
    case plain
    /// Per-byte lookup tables of partial sums of S·q (the byte-wise form of the official score
    /// kernel's inner loop, theory.md §3.3), several keys in flight. Float runs a portable C
    /// kernel (any CPU), Double the same loop in Swift; both add each key's table entries in
    /// byte order.
    case lookupTable
    /// Exact, vectorized: 16-lane masked sums of S·q selected by the key's bits (AVX-512,
    /// eight keys in flight, a fixed per-key reduction tree), for `Float` on CPUs with
    /// AVX-512 F/BW/VL/DQ. Elsewhere (no AVX-512, or `Double`) it runs ``lookupTable``.
    /// Agrees with ``plain`` up to Float summation order (relative 1e-5 of (c/m)·‖k‖·Σ|Sq|).
    case vectorized
    /// Approximate, never the default: S·q rounded to int8 levels per query
    /// (`step = max|Sq|/127`), integer sums of the levels (AVX-512 VNNI when available, else
    /// portable byte tables; both bit-identical). The error against the exact score is
    /// bounded by ``QJLScoring/approximateErrorBounds(projectedQueries:constant:)``.
    case approximateInt8
}

/// Scoring one or several queries against n sign-sketched keys (Algorithm 1, EstimateScores,
/// arXiv 2406.03482; theory.md §1.5, §3.3).
public enum QJLScoring {
    /// Σ_r (Sq)_r·(2·bit_r − 1) for key `index` (the plain path, shared with the estimator).
    /// - Complexity: O(m).
    @inlinable
    public static func signedSum<Scalar: LinearAlgebraScalar>(
        _ projectedQuery: [Scalar], keys: SignSketchBatch, index: Int
    ) -> Scalar {
        let m = keys.sketchDimension, words = keys.wordsPerKey
        return projectedQuery.withUnsafeBufferPointer { x in
            keys.signBits.withUnsafeBufferPointer { bits in
                var sum: Scalar = 0
                let base = index * words
                for r in 0..<m {
                    let bit = (bits[base + r >> 6] >> UInt64(r & 63)) & 1
                    sum += bit == 1 ? x[r] : -x[r]
                }
                return sum
            }
        }
    }

    /// Scores of h projected queries (rows of `projectedQueries`, h×m) against all n keys:
    ///
    /// ```
    /// score[h, i] = (c/m)·‖k_i‖·Σ_r (S q_h)_r·(2·bit_{i,r} − 1)
    ///            = (c/m)·‖k_i‖·(2·Σ_b T_h[b][byte_b(k_i)] − Σ_r (S q_h)_r),
    /// T_h[b][v]   = Σ_{j: bit j of v set} (S q_h)_{8b+j}                    (lookup-table path)
    /// ```
    /// ``ScoringPath/approximateInt8`` returns an approximation within
    /// ``approximateErrorBounds(projectedQueries:constant:)``; every other path is exact.
    /// Keys are split into `threads` contiguous chunks run with `DispatchQueue.concurrentPerform`.
    /// Each key's score is computed by the same sequence of operations whatever the chunking,
    /// so results are bit-identical for every thread count.
    ///
    /// - Parameters:
    ///   - projectedQueries: the h×m matrix whose rows are S·q_h.
    ///   - keys: the n sign-sketched keys (sign bits and norms).
    ///   - constant: c, e.g. ``AsymmetricQJLEstimator/constant``.
    ///   - path: how the sums over sign bits are computed (default ``ScoringPath/lookupTable``).
    ///   - threads: number of contiguous key chunks scored concurrently (≥ 1, default 1).
    /// - Returns: an h×n matrix.
    /// - Throws: ``QJLError`` if the query width ≠ m, non-finite queries, or `threads < 1`.
    /// - Complexity: plain O(h·n·m); lookup table O(h·(256·m/8) + h·n·m/8); vectorized and
    ///   int8 O(h·n·m/16) vector operations.
    public static func scores<Scalar: LinearAlgebraScalar>(
        projectedQueries: Matrix<Scalar>, keys: SignSketchBatch, constant: Double,
        path: ScoringPath = .lookupTable, threads: Int = 1
    ) throws(QJLError) -> Matrix<Scalar> {
        let m = keys.sketchDimension, n = keys.count, heads = projectedQueries.rows
        guard projectedQueries.columns == m else {
            throw .dimensionMismatch(what: "projected query width m", expected: m, actual: projectedQueries.columns)
        }
        guard threads >= 1 else { throw .invalidThreadCount(threads) }
        try validateFinite(projectedQueries.elements, what: "projected queries S·q")
        if path == .approximateInt8, m > maximumInt8SketchDimension {
            throw .invalidArgument("the int8 path needs m ≤ \(maximumInt8SketchDimension) (int32 sums), got m = \(m); use .vectorized")
        }
        let output = scoreRange(projectedQueries: projectedQueries, keys: keys, constant: constant,
                                path: path, threads: threads, range: 0..<n)
        return try matrix(heads, n, output)
    }

    /// Scores (h × range.count, row-major) of keys in `range`; inputs already validated.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scoreRange<Scalar: LinearAlgebraScalar>(
        projectedQueries: Matrix<Scalar>, keys: SignSketchBatch, constant: Double,
        path: ScoringPath, threads: Int, range: Range<Int>
    ) -> [Scalar] {
        let heads = projectedQueries.rows, n = range.count, m = keys.sketchDimension
        guard heads > 0, n > 0 else { return [Scalar](repeating: 0, count: heads * n) }
        let scale = Scalar(constant) / Scalar(m)
        var path = path
        switch path {
        case .vectorized:
            if let floatQueries = projectedQueries as? Matrix<Float>,
               let scores = ScoringKernels.exactScores(projectedQueries: floatQueries, keys: keys, scale: Float(scale),
                                                       threads: threads, range: range),
               Scalar.self == Float.self {
                return unsafeBitCast(scores, to: [Scalar].self)  // same type, checked above
            }
            path = .lookupTable
        case .approximateInt8:
            let queries = (0..<heads).map {
                Int8Query(projectedQueries.elements[($0 * m)..<($0 * m + m)], paddedLength: 64 * keys.wordsPerKey)
            }
            return ScoringKernels.int8Scores(queries: queries, keys: keys, scale: scale, threads: threads, range: range)
        case .plain, .lookupTable:
            break
        }
        if path == .lookupTable, Scalar.self == Float.self, let floatQueries = projectedQueries as? Matrix<Float> {
            let scores = ScoringKernels.tableScores(projectedQueries: floatQueries, keys: keys, scale: Float(scale),
                                                    threads: threads, range: range)
            return unsafeBitCast(scores, to: [Scalar].self)  // same type, checked above
        }
        // Allocated only here: the kernel paths above return their own uninitialized-then-filled
        // buffers, so a large n is zero-filled (and page-faulted) once, not twice.
        var output = [Scalar](repeating: 0, count: heads * n)
        let norms = keys.keyNorms.map { Scalar($0) }
        let chunkCount = min(threads, n)
        let chunkSize = (n + chunkCount - 1) / chunkCount
        let offset = range.lowerBound
        switch path {
        case .plain:
            let queries = (0..<heads).map { projectedQueries.row($0) }
            output.withUnsafeMutableBufferPointer { out in
                let target = SendableBuffer(out)
                DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                    for j in (chunk * chunkSize)..<min(n, (chunk + 1) * chunkSize) {
                        let i = offset + j
                        for h in 0..<heads {
                            target.buffer[h * n + j] = scale * norms[i] * signedSum(queries[h], keys: keys, index: i)
                        }
                    }
                }
            }
        case .lookupTable, .vectorized, .approximateInt8:
            let table = LookupTables(projectedQueries: projectedQueries)
            output.withUnsafeMutableBufferPointer { out in
                let target = SendableBuffer(out)
                DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                    let start = chunk * chunkSize, end = min(n, (chunk + 1) * chunkSize)
                    guard start < end else { return }
                    table.score(keys: keys, range: (offset + start)..<(offset + end), offset: offset,
                                scale: scale, norms: norms, output: target.buffer, n: n)
                }
            }
        }
        return output
    }

    /// The largest m the int8 path accepts: 127·m < 2³¹ keeps the integer sums exact.
    public static let maximumInt8SketchDimension = 16_000_000

    /// Per-query error bounds of ``ScoringPath/approximateInt8``: for head h and key i,
    ///
    /// ```
    /// |ŝ[h, i] − s[h, i]| ≤ bound[h]·‖k_i‖,
    /// bound[h] = (|c|/m)·(E_h + 6u·(Σ_r |x_r| + E_h)),   E_h = Σ_r |x_r − step_h·q_r| ≤ m·step_h/2
    /// ```
    /// where s is the exact real-number score (c/m)·‖k_i‖·Σ_r x_r·(2·bit_r − 1) with the stored
    /// norm, x = S·q_h, step_h = max_r |x_r|/127, q_r = round(x_r/step_h), u the unit roundoff.
    /// - Throws: ``QJLError`` for non-finite queries.
    /// - Complexity: O(h·m).
    public static func approximateErrorBounds<Scalar: LinearAlgebraScalar>(
        projectedQueries: Matrix<Scalar>, constant: Double
    ) throws(QJLError) -> [Double] {
        try validateFinite(projectedQueries.elements, what: "projected queries S·q")
        let m = projectedQueries.columns
        guard m >= 1 else { throw .invalidSketchDimension(m) }
        return (0..<projectedQueries.rows).map { h in
            Int8Query(projectedQueries.elements[(h * m)..<(h * m + m)], paddedLength: m)
                .errorBoundPerUnitNorm(constant: constant, sketchDimension: m)
        }
    }

    static func matrix<Scalar: LinearAlgebraScalar>(
        _ rows: Int, _ columns: Int, _ elements: [Scalar]
    ) throws(QJLError) -> Matrix<Scalar> {
        do { return try Matrix(rows: rows, columns: columns, elements: elements) } catch {
            throw .invalidArgument("internal shape error: \(error)")
        }
    }
}

/// A buffer pointer handed to `concurrentPerform` workers, which write disjoint indices.
/// Invariant: every worker writes only the entries of its own key range.
struct SendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

/// The per-byte partial-sum tables of h projected queries: `T[h][b][v]`, 256 entries per byte.
struct LookupTables<Scalar: LinearAlgebraScalar>: Sendable {
    let heads: Int
    let bytesPerKey: Int
    /// heads × bytesPerKey × 256, contiguous.
    let entries: [Scalar]
    /// Σ_r (S q_h)_r per head.
    let totals: [Scalar]

    init(projectedQueries: Matrix<Scalar>) {
        let heads = projectedQueries.rows, m = projectedQueries.columns
        let bytes = (m + 7) / 8
        var entries = [Scalar](repeating: 0, count: heads * bytes * 256)
        var totals = [Scalar](repeating: 0, count: heads)
        for h in 0..<heads {
            var total: Scalar = 0
            for r in 0..<m { total += projectedQueries.elements[h * m + r] }
            totals[h] = total
            for b in 0..<bytes {
                let base = (h * bytes + b) * 256
                for v in 1..<256 {
                    let low = v.trailingZeroBitCount
                    let row = 8 * b + low
                    let x = row < m ? projectedQueries.elements[h * m + row] : 0
                    entries[base + v] = entries[base + (v & (v - 1))] + x
                }
            }
        }
        self.heads = heads
        self.bytesPerKey = bytes
        self.entries = entries
        self.totals = totals
    }

    /// Keys processed four at a time; each key accumulates its bytes in order b = 0, 1, …,
    /// so the result does not depend on which keys share a block.
    func score(keys: SignSketchBatch, range: Range<Int>, offset: Int, scale: Scalar, norms: [Scalar],
               output: UnsafeMutableBufferPointer<Scalar>, n: Int) {
        let inFlight = 4
        let words = keys.wordsPerKey, bytes = bytesPerKey, heads = self.heads
        var accumulators = [Scalar](repeating: 0, count: inFlight * heads)
        entries.withUnsafeBufferPointer { table in
            keys.signBits.withUnsafeBufferPointer { bits in
                accumulators.withUnsafeMutableBufferPointer { acc in
                    var first = range.lowerBound
                    while first < range.upperBound {
                        let width = min(inFlight, range.upperBound - first)
                        for slot in 0..<(width * heads) { acc[slot] = 0 }
                        for b in 0..<bytes {
                            let wordOffset = b >> 3, shift = UInt64(8 * (b & 7))
                            for kk in 0..<width {
                                let byte = Int((bits[(first + kk) * words + wordOffset] >> shift) & 0xFF)
                                for h in 0..<heads {
                                    acc[kk * heads + h] += table[(h * bytes + b) * 256 + byte]
                                }
                            }
                        }
                        for kk in 0..<width {
                            let i = first + kk
                            for h in 0..<heads {
                                output[h * n + i - offset] = scale * norms[i] * (2 * acc[kk * heads + h] - totals[h])
                            }
                        }
                        first += width
                    }
                }
            }
        }
    }
}

extension QJLScoring {
    /// Whether ``ScoringPath/vectorized`` runs its AVX-512 kernel on this CPU (otherwise it
    /// runs the lookup-table path).
    public static var vectorizedKernelAvailable: Bool { ScoringKernels.exactKernelAvailable }

    /// Whether ``ScoringPath/approximateInt8`` runs its AVX-512 VNNI kernel on this CPU
    /// (otherwise portable C with bit-identical results).
    public static var int8KernelAvailable: Bool { ScoringKernels.int8KernelAvailable }
}
