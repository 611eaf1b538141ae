import Foundation
import JLLinearAlgebra
import JLNumpy
import JLRandom
import JLTransforms
import QJL
import Testing
@testable import JLKVCache

// MARK: Helpers

/// Keys with two loud channels (3 and 7, ×6) on top of N(0, 1), so per-group outliers matter.
func keysWithOutlierChannels<Scalar: LinearAlgebraScalar>(_ n: Int, _ d: Int, seed: UInt64) throws -> Matrix<Scalar> {
    var keys: Matrix<Scalar> = try gaussianMatrix(n, d, seed: seed)
    for t in 0..<n {
        for j in [3, 7] where j < d { keys[t, j] *= 6 }
    }
    return keys
}

/// The first `rows` rows of a matrix.
func firstRows<Scalar: LinearAlgebraScalar>(_ matrix: Matrix<Scalar>, _ rows: Int) throws -> Matrix<Scalar> {
    try Matrix(rows: rows, columns: matrix.columns, elements: Array(matrix.elements[0..<(rows * matrix.columns)]))
}

/// Σ_j q_j·k_j accumulated left to right in Scalar (the cache's order for buffered keys).
func sequentialDot<Scalar: LinearAlgebraScalar>(_ q: [Scalar], _ k: [Scalar]) -> Scalar {
    var sum: Scalar = 0
    for j in q.indices { sum += q[j] * k[j] }
    return sum
}

// MARK: Streaming = batch sketch

/// d = 16, m = 40 (padded to 64-bit words), m_O = 24, G = 4, B = 8, n = 27: 6 groups quantized,
/// 3 keys buffered. Streaming, prefill and a batch OutlierSplitSketch give identical bits.
func checkStreamingEqualsBatchSketch<T: JLTransform>(_ transform: T, outlierCount: Int) throws {
    typealias Scalar = T.Scalar
    let n = 27, d = transform.inputDimension, quantized = 24
    let keys: Matrix<Scalar> = try keysWithOutlierChannels(n, d, seed: 21)
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 22)
    func make() throws -> StreamingKVCache<QJLKeyQuantizer<T>> {
        try QJLCache.makeCache(transform: transform, outlierCount: outlierCount, outlierSketchDimension: 24,
                               keyGroupSize: 4, bufferSize: 8, valueBits: 2, valueGroupSize: 8)
    }
    var streamed = try make()
    for t in 0..<n { try streamed.append(key: keys.row(t), value: values.row(t)) }
    var prefilled = try make()
    try prefilled.prefill(keys: keys, values: values)
    #expect(prefilled.keyBlocks.count == 6 && prefilled.bufferedKeyCount == 3)
    #expect(streamed.keyBlocks == prefilled.keyBlocks)
    #expect(streamed.keyBuffer == prefilled.keyBuffer)
    #expect(streamed.quantizedValues == prefilled.quantizedValues)
    #expect(try streamed.attend(query: keys.row(0)) == prefilled.attend(query: keys.row(0)))

    let batch = try OutlierSplitSketch(
        keys: try firstRows(keys, quantized), transform: transform, groupSize: 4, outlierCount: outlierCount,
        outlierSketchDimension: outlierCount > 0 ? 24 : transform.sketchDimension, normPrecision: .float16)
    let words = batch.inliers.wordsPerKey
    for (g, block) in prefilled.keyBlocks.enumerated() {
        let sketch = block.sketch
        let tokens = (4 * g)..<(4 * g + 4)
        #expect(sketch.outlierChannels(group: 0) == batch.outlierChannels(group: g))
        #expect(sketch.inliers.signBits[...] == batch.inliers.signBits[(tokens.lowerBound * words)..<(tokens.upperBound * words)])
        #expect(sketch.inliers.keyNorms[...] == batch.inliers.keyNorms[tokens])
        if outlierCount > 0 {
            let outlierWords = try #require(batch.outliers).wordsPerKey
            #expect(try #require(sketch.outliers).signBits[...]
                == #require(batch.outliers).signBits[(tokens.lowerBound * outlierWords)..<(tokens.upperBound * outlierWords)])
            #expect(try #require(sketch.outliers).keyNorms[...] == #require(batch.outliers).keyNorms[tokens])
            // Channels 3 and 7 are ×6: they are always among the outliers.
            #expect(Set([3, 7]).isSubset(of: Set(sketch.outlierChannels(group: 0))))
        } else {
            #expect(sketch.outliers == nil && sketch.channelIndices == .uint8([]))
        }
    }
}

@Test(arguments: [0, 2, 5])
func qjlStreamingEqualsBatchSketch(outlierCount: Int) throws {
    try checkStreamingEqualsBatchSketch(GaussianJL<Float>(inputDimension: 16, sketchDimension: 40, seed: 3),
                                        outlierCount: outlierCount)
    try checkStreamingEqualsBatchSketch(GaussianJL<Double>(inputDimension: 16, sketchDimension: 40, seed: 3),
                                        outlierCount: outlierCount)
    try checkStreamingEqualsBatchSketch(OrthogonalJL<Double>(inputDimension: 16, sketchDimension: 40, seed: 4),
                                        outlierCount: outlierCount)
}

// MARK: Logits = estimator scores (quantized) and q·k (buffered)

/// The cache projects S·q once and forms S·q_I = S·q − S·q_O per group; the reference projects
/// the masked queries directly. Both compute the same Est; they differ only by rounding:
/// each (S·q_I)_r or (S·q_O)_r is off by at most ≈ 2(d + 2)·u·A_r with A_r = Σ_j |S_rj q_j|, and
/// the two m-term sign sums by ≤ 2m·u·max A; so per logit
/// |Δℓ| ≤ c·(‖k_I‖ + ‖k_O‖)·4(d + m)·ulp·max_r A_r.
func checkLogitsMatchEstimator<T: JLTransform>(_ transform: T, outlierCount: Int) throws {
    typealias Scalar = T.Scalar
    let n = 27, d = transform.inputDimension, m = transform.sketchDimension, quantized = 24
    let keys: Matrix<Scalar> = try keysWithOutlierChannels(n, d, seed: 31)
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 32)
    var query: [Scalar] = try gaussianMatrix(1, d, seed: 33).elements
    query[3] *= 4  // a query that also leans on an outlier channel
    var cache = try QJLCache.makeCache(transform: transform, outlierCount: outlierCount, outlierSketchDimension: 24,
                                       keyGroupSize: 4, bufferSize: 8, valueGroupSize: 8, temperature: .none)
    try cache.prefill(keys: keys, values: values)
    let logits = try cache.logits(query: query)
    #expect(logits.count == n)

    let estimator = try AsymmetricQJLEstimator(transform: transform)
    let queryMatrix = try Matrix(rows: 1, columns: d, elements: query)
    let reference: [Scalar]
    if outlierCount > 0 {
        let batch = try OutlierSplitSketch(
            keys: try firstRows(keys, quantized), transform: transform, groupSize: 4, outlierCount: outlierCount,
            outlierSketchDimension: 24, normPrecision: .float16)
        reference = try batch.scores(queries: queryMatrix, transform: transform, estimator: estimator).elements
    } else {
        let batch = try SignSketchBatch(keys: try firstRows(keys, quantized), transform: transform, normPrecision: .float16)
        reference = try estimator.scores(queries: queryMatrix, keys: batch, transform: transform).elements
    }
    let sketch = try transform.materialize()
    var largestA = 0.0
    for r in 0..<m {
        largestA = max(largestA, (0..<d).reduce(0.0) { $0 + abs(Double(sketch[r, $1]) * Double(query[$1])) })
    }
    let ulp = Double(Scalar.ulpOfOne)
    var largestDifference = 0.0
    for t in 0..<quantized {
        let block = cache.keyBlocks[t / 4].sketch
        let norms = Double(block.inliers.keyNorm(t % 4)) + Double(block.outliers?.keyNorm(t % 4) ?? 0)
        let tolerance = estimator.constant * norms * 4 * Double(d + m) * ulp * largestA
        let difference = abs(Double(logits[t]) - Double(reference[t]))
        #expect(difference <= tolerance, "token \(t): \(logits[t]) vs \(reference[t])")
        largestDifference = max(largestDifference, difference)
    }
    // Buffered keys: exactly q·k.
    for t in quantized..<n { #expect(logits[t] == sequentialDot(query, keys.row(t))) }
    // The estimates are not the exact logits (the test compares sketches, not a copy of q·k).
    #expect((0..<quantized).contains { abs(Double(logits[$0]) - Double(sequentialDot(query, keys.row($0)))) > 0.1 })
}

@Test(arguments: [0, 2])
func qjlCacheLogitsMatchEstimatorScores(outlierCount: Int) throws {
    try checkLogitsMatchEstimator(GaussianJL<Float>(inputDimension: 16, sketchDimension: 40, seed: 5), outlierCount: outlierCount)
    try checkLogitsMatchEstimator(GaussianJL<Double>(inputDimension: 16, sketchDimension: 40, seed: 5), outlierCount: outlierCount)
    try checkLogitsMatchEstimator(OrthogonalJL<Float>(inputDimension: 16, sketchDimension: 40, seed: 6), outlierCount: outlierCount)
}

@Test func qjlCacheTemperatureDividesByRootD() throws {
    let transform = try GaussianJL<Double>(inputDimension: 16, sketchDimension: 64, seed: 1)
    let keys: Matrix<Double> = try keysWithOutlierChannels(12, 16, seed: 2)
    let values: Matrix<Double> = try gaussianMatrix(12, 16, seed: 3)
    var raw = try QJLCache.makeCache(transform: transform, outlierCount: 2, keyGroupSize: 4, bufferSize: 8,
                                     valueGroupSize: 8, temperature: .none)
    var scaled = try QJLCache.makeCache(transform: transform, outlierCount: 2, keyGroupSize: 4, bufferSize: 8,
                                        valueGroupSize: 8)
    try raw.prefill(keys: keys, values: values)
    try scaled.prefill(keys: keys, values: values)
    let query: [Double] = try gaussianMatrix(1, 16, seed: 4).elements
    #expect(try scaled.logits(query: query) == raw.logits(query: query).map { $0 / 4 })
}

// MARK: Ledgers

@Test(arguments: [0, 3])
func qjlCacheLedgerEqualsAllocatedBytes(outlierCount: Int) throws {
    // m = 40, m_O = 24: both sign rows are padded to one 64-bit word; Float16 norms; d = 20.
    let transform = try GaussianJL<Float>(inputDimension: 20, sketchDimension: 40, seed: 9)
    for n in [0, 1, 7, 8, 9, 33] {
        var cache = try QJLCache.makeCache(transform: transform, outlierCount: outlierCount, outlierSketchDimension: 24,
                                           keyGroupSize: 4, bufferSize: 8, valueGroupSize: 4)
        if n > 0 { try cache.prefill(keys: try gaussianMatrix(n, 20, seed: 1), values: try gaussianMatrix(n, 20, seed: 2)) }
        #expect(cache.bitLedger.totalBits == 8 * cache.allocatedBytes)
        #expect(cache.keyLedger.tokens == n)
        for block in cache.keyBlocks {
            let ledger = cache.keyQuantizer.bitLedger(of: block)
            #expect(ledger.totalBits == 8 * block.allocatedBytes)
            // Per group of 4: 64-bit words for m (and m_O), 16-bit norms, 8-bit indices.
            let expected = 4 * 64 + 4 * 16 + (outlierCount > 0 ? 4 * 64 + 4 * 16 + outlierCount * 8 : 0)
            #expect(ledger.totalBits == expected)
            #expect(ledger.tokens == 4 && ledger.coordinatesPerToken == 20)
        }
    }
}

@Test func qjlOfficialConfigurationBitsPerCoordinate() throws {
    // theory.md §3.6–3.7, general layer: d = 128, m = 256, m_O = 256, 8 outliers, G = 32, B = 128,
    // Float16 norms; values 2 bits in groups of 32. 256 tokens: all keys quantized (8 groups).
    let transform = try GaussianJL<Float>(inputDimension: 128, sketchDimension: 256, seed: 42)
    var cache = try QJLCache.makeCache(transform: transform, outlierSketchDimension: 256)
    try cache.prefill(keys: try gaussianMatrix(256, 128, seed: 1), values: try gaussianMatrix(256, 128, seed: 2))
    #expect(cache.keyBlocks.count == 8 && cache.bufferedKeyCount == 0)
    let keys = cache.keyLedger
    print("QJL official general-layer key ledger (d = 128, m = m_O = 256, 8 outliers / 32 tokens, fp16 norms):\n\(keys)")
    // Per token: 256 inlier bits + 256 outlier bits + 2·16 norm bits; per group of 32 tokens:
    // 8 uint8 indices = 64 bits. Per coordinate: (256 + 256 + 32)/128 + 64/(32·128).
    let handComputed = Double(256 + 256 + 32) / 128 + 64.0 / 4096
    #expect(handComputed == 4.265625)
    #expect(keys.bitsPerCoordinate == handComputed)
    let component = Dictionary(uniqueKeysWithValues: keys.components.map { ($0.name, $0.bits) })
    #expect(component["inlier sign bits (m = 256 per key)"] == 256 * 256)
    #expect(component["outlier sign bits (m_O = 256 per key)"] == 256 * 256)
    #expect(component["inlier sign-bit padding (to 64-bit words)"] == 0)
    #expect(component["outlier sign-bit padding (to 64-bit words)"] == 0)
    #expect(component["inlier norms (float16)"] == 256 * 16)
    #expect(component["outlier norms (float16)"] == 256 * 16)
    #expect(component["outlier channel indices (8 per group of 32, 8-bit)"] == 8 * 8 * 8)
    #expect(component["key buffer (Float, 32 bits)"] == 0)
    // Values: the 128 oldest quantized at 2 + 2·16/32 = 3 bits, the 128 newest in Float (32 bits).
    #expect(cache.valueLedger.bitsPerCoordinate == Double(128 * 3 + 128 * 32) / 256)
    print("QJL official values: \(cache.valueLedger.bitsPerCoordinate) bits per coordinate (window included)")
    #expect(cache.bitLedger.totalBits == 8 * cache.allocatedBytes)
}

// MARK: Unbiasedness

/// E_S ℓ_t = ⟨q, k_t⟩ for iid Gaussian S (derived constant √(π/2)), checked over N seeds. Each
/// seed's cache logits are independent draws; their mean has standard deviation √(Var_t/N) with
/// Var_t the outlier-split variance of theory.md §2.6 (outlier channels depend on the keys only,
/// so they are the same for every seed). Tolerance 6σ: false-failure probability ≈ 2·10⁻⁹ per
/// token under the CLT, plus 10⁻⁵·‖q‖‖k‖ for norm storage (Float) and Scalar rounding.
func checkUnbiasedOverSeeds<Scalar: LinearAlgebraScalar>(_: Scalar.Type, seeds: Int) throws {
    let d = 12, m = 16, mO = 8, n = 9, quantized = 8
    // Keys around a common direction (cosine with q ≈ 0.8), two loud channels.
    let direction: [Double] = RandomStream(seed: 70).gaussians(d)
    var keys: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 71, scale: 0.5)
    for t in 0..<n { for j in 0..<d { keys[t, j] += Scalar(direction[j]) } }
    for t in 0..<n { keys[t, 2] *= 4; keys[t, 9] *= 3 }
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 72)
    let query = (0..<d).map { Scalar(direction[$0] + 0.3 * Double($0 % 3) - 0.3) }
    var sums = [Double](repeating: 0, count: n)
    var channels: [[Int]] = []
    for seed in 0..<seeds {
        let transform = try GaussianJL<Scalar>(inputDimension: d, sketchDimension: m, seed: UInt64(seed))
        var cache = try QJLCache.makeCache(transform: transform, outlierCount: 2, outlierSketchDimension: mO,
                                           keyGroupSize: 4, bufferSize: 8, valueGroupSize: 4,
                                           normPrecision: .float32, temperature: .none)
        try cache.prefill(keys: keys, values: values)
        if seed == 0 { channels = cache.keyBlocks.map { $0.sketch.outlierChannels(group: 0) } }
        let logits = try cache.logits(query: query)
        for (t, logit) in logits.enumerated() { sums[t] += Double(logit) }
        // The buffered key is exact for every S.
        #expect(logits[8] == sequentialDot(query, keys.row(8)))
    }
    let estimator = try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: d, sketchDimension: m)
    let q = query.map { Double($0) }
    for t in 0..<quantized {
        let k = keys.row(t).map { Double($0) }
        let exact = zip(q, k).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = try #require(OutlierSplitSketch.variance(
            q: q, k: k, outlierChannels: channels[t / 4], outlierSketchDimension: mO, estimator: estimator))
        let norms = q.reduce(0) { $0 + $1 * $1 }.squareRoot() * k.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let tolerance = 6 * (variance / Double(seeds)).squareRoot() + 1e-5 * norms
        let mean = sums[t] / Double(seeds)
        #expect(abs(mean - exact) <= tolerance, "token \(t): mean \(mean), exact \(exact), tolerance \(tolerance)")
    }
}

@Test func qjlCacheLogitsAreUnbiasedOverSeeds() throws {
    try checkUnbiasedOverSeeds(Double.self, seeds: 500)
    try checkUnbiasedOverSeeds(Float.self, seeds: 300)
}

// MARK: Real keys (all-MiniLM-L6-v2)

let miniLMDirectory = "/work/shared/data/minilm"

/// Layer-0 head-0 keys and queries of all-MiniLM-L6-v2 (d = 32, 512 tokens) through a QJL cache
/// with m = 64, m_O = 64, 8 outliers, G = 32, B = 128 (all 512 keys quantized), 2-bit values.
/// Values: the layer-3 head-0 keys (real vectors, independent of the sketched ones).
/// Sanity bound: on average over 64 of the 512 queries the cache's attention output must be closer to
/// exact attention than uniform attention (the mean value) is; a cache that lost the key
/// information entirely would do no better than uniform weights.
@Test(.enabled(if: FileManager.default.fileExists(atPath: miniLMDirectory + "/keys_layer0.npy")))
func qjlCacheOnMiniLMKeys() throws {
    let n = 512, d = 32
    let keyArray = try NpyArray(contentsOfFile: miniLMDirectory + "/keys_layer0.npy")
    let queryArray = try NpyArray(contentsOfFile: miniLMDirectory + "/queries_layer0.npy")
    let valueArray = try NpyArray(contentsOfFile: miniLMDirectory + "/keys_layer3.npy")
    #expect(keyArray.shape == [12, 512, 32] && queryArray.shape == [12, 512, 32])
    let keys = try Matrix(rows: n, columns: d, elements: Array(keyArray.floats()[0..<(n * d)]))
    let queries = try Matrix(rows: n, columns: d, elements: Array(queryArray.floats()[0..<(n * d)]))
    let values = try Matrix(rows: n, columns: d, elements: Array(valueArray.floats()[0..<(n * d)]))
    let transform = try OrthogonalJL<Float>(inputDimension: d, sketchDimension: 64, seed: 42)
    var cache = try QJLCache.makeCache(transform: transform)
    try cache.prefill(keys: keys, values: values)
    #expect(cache.keyBlocks.count == 16 && cache.bufferedKeyCount == 0)

    let valuesDouble = values.converted(to: Double.self)
    let meanValue = (0..<d).map { i in (0..<n).reduce(0.0) { $0 + valuesDouble[$1, i] } / Double(n) }
    // Every 8th query (64 of 512) keeps the debug-build test fast.
    let sampled = Array(stride(from: 0, to: n, by: 8))
    let keysDouble = keys.converted(to: Double.self)
    var cacheError = 0.0, uniformError = 0.0
    for h in sampled {
        let query = queries.row(h)
        let exactLogits = try Attention.exactLogits(query: query.map { Double($0) }, keys: keysDouble)
        let weights = try Attention.softmax(exactLogits, temperature: .inverseSquareRootDimension(d))
        let exact = try Attention.output(weights: weights, values: valuesDouble)
        let estimated = try cache.attend(query: query).map { Double($0) }
        let reference = exact.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let error = zip(exact, estimated).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() / reference
        let uniform = zip(exact, meanValue).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() / reference
        #expect(error.isFinite)
        cacheError += error / Double(sampled.count)
        uniformError += uniform / Double(sampled.count)
    }
    print("MiniLM layer 0 head 0, QJL m = 64, 8 outliers, 2-bit values: mean attention-output relative error "
        + "\(cacheError) (uniform attention: \(uniformError)); key bits/coordinate \(cache.keyLedger.bitsPerCoordinate)")
    #expect(cacheError.isFinite && cacheError < uniformError)
}

// MARK: Errors

@Test func qjlQuantizerTypedErrors() throws {
    let transform = try GaussianJL<Float>(inputDimension: 8, sketchDimension: 16, seed: 1)
    #expect(throws: KVCacheError.invalidParameter(name: "outlier count", value: 8, requirement: "in 0...7 (d − 1)")) {
        try QJLKeyQuantizer(transform: transform, groupSize: 4, outlierCount: 8)
    }
    #expect(throws: KVCacheError.invalidParameter(name: "outlier sketch dimension m_O", value: 17, requirement: "in 1...16 (m)")) {
        try QJLKeyQuantizer(transform: transform, groupSize: 4, outlierCount: 2, outlierSketchDimension: 17)
    }
    #expect(throws: KVCacheError.invalidParameter(name: "key group size", value: 0, requirement: "≥ 1")) {
        try QJLKeyQuantizer(transform: transform, groupSize: 0, outlierCount: 2)
    }
    let quantizer = try QJLKeyQuantizer(transform: transform, groupSize: 4, outlierCount: 2)
    #expect(quantizer.outlierSketchDimension == 16)
    #expect(throws: KVCacheError.dimensionMismatch(what: "key group rows", expected: 4, actual: 3)) {
        try quantizer.quantize(keys: try gaussianMatrix(3, 8, seed: 1))
    }
    var big: Matrix<Float> = try gaussianMatrix(4, 8, seed: 1)
    big[0, 0] = 70_000
    let overflow = #expect(throws: KVCacheError.self) { try quantizer.quantize(keys: big) }
    if case let .halfPrecisionOverflow(what, value)? = overflow {
        #expect(what == "key norm" && value > 65504)
    } else {
        Issue.record("expected .halfPrecisionOverflow for a key norm above 65504, got \(String(describing: overflow))")
    }
    #expect(throws: KVCacheError.dimensionMismatch(what: "query", expected: 8, actual: 7)) {
        try quantizer.prepare(query: [Float](repeating: 1, count: 7))
    }
    #expect(!KVCacheError.sketch(.invalidSketchDimension(0)).description.contains("\n"))
}

// MARK: Key arena = gathered blocks

/// The cache scores from its append-only key arena; the result equals, bit for bit, gathering
/// the blocks (`logits(_:blocks:)`) and scoring block by block (`logits(_:block:)`), for a cache
/// filled by a prefill, then token appends across two buffer flushes, then a second prefill —
/// with and without outlier groups, on every scoring path.
@Test(arguments: [0, 2])
func qjlArenaLogitsEqualBlockByBlock(outlierCount: Int) throws {
    let d = 16, n = 75
    let transform = try GaussianJL<Float>(inputDimension: d, sketchDimension: 40, seed: 41)
    let keys: Matrix<Float> = try keysWithOutlierChannels(n, d, seed: 42)
    let values: Matrix<Float> = try gaussianMatrix(n, d, seed: 43)
    let query: [Float] = try gaussianMatrix(1, d, seed: 44).elements
    for path in ScoringPath.allCases {
        var cache = try QJLCache.makeCache(transform: transform, outlierCount: outlierCount, outlierSketchDimension: 24,
                                           keyGroupSize: 4, bufferSize: 8, valueBits: 2, valueGroupSize: 8,
                                           scoringPath: path)
        try cache.prefill(keys: try firstRows(keys, 21), values: try firstRows(values, 21))
        for t in 21..<40 { try cache.append(key: keys.row(t), value: values.row(t)) }
        let rest = try Matrix(rows: n - 40, columns: d, elements: Array(keys.elements[(40 * d)...]))
        let restValues = try Matrix(rows: n - 40, columns: d, elements: Array(values.elements[(40 * d)...]))
        try cache.prefill(keys: rest, values: restValues)
        #expect(cache.keyBlocks.count == 18 && cache.bufferedKeyCount == 3)

        let quantizer = cache.keyQuantizer, prepared = try quantizer.prepare(query: query)
        let gathered = quantizer.logits(prepared, blocks: cache.keyBlocks)
        let blockByBlock = cache.keyBlocks.flatMap { quantizer.logits(prepared, block: $0) }
        let cached = try cache.logits(query: query)
        // The cache divides by √d and appends the buffered keys' exact logits.
        let expected = (gathered + (72..<n).map { sequentialDot(query, keys.row($0)) }).map { $0 / Float(d).squareRoot() }
        #expect(gathered == blockByBlock, "\(path)")
        #expect(cached == expected, "\(path)")
    }
}
