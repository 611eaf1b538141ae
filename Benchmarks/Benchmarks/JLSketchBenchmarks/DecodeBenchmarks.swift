// Attention decode of one query over a prefilled one-head cache of n tokens: the QJL cache and
// the KIVI cache of JLKVCache (StreamingKVCache.attend(query:)), built as exp-runtime builds them
// (Sources/JLExperiments/Runtime/RuntimeStudy.swift), next to exact fp32 attention over the same
// keys and values (ExactAttention below, the same computation as exp-runtime's
// ExactAttentionCache). Tokens and queries are N(0, 1) from JLRandom.
import Benchmark
import JLKVCache
import JLLinearAlgebra
import JLRandom
import JLTransforms
import QJL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let decodeTokenCount = 16_384
let decodeHeadDimension = 128
let decodeSketchDimension = 256
/// Distinct queries decoded per iteration (one decode is well under a millisecond for the
/// quantized caches).
let decodesPerIteration = 16

/// The prompt (n×d keys and values) and `decodesPerIteration` queries.
struct DecodeTokens {
    let keys: Matrix<Float>
    let values: Matrix<Float>
    let queries: [[Float]]

    init() throws {
        let n = decodeTokenCount, d = decodeHeadDimension
        let stream = RandomStream(seed: 2406_03482).child("decode benchmark")
        keys = try Matrix(rows: n, columns: d, elements: stream.child("keys").gaussians(n * d, as: Float.self))
        values = try Matrix(rows: n, columns: d, elements: stream.child("values").gaussians(n * d, as: Float.self))
        let pool = stream.child("queries").gaussians(decodesPerIteration * d, as: Float.self)
        queries = (0..<decodesPerIteration).map { Array(pool[($0 * d)..<(($0 + 1) * d)]) }
    }
}

/// Exact attention over fp32 keys and values (the baseline of arXiv 2406.03482 Fig. 3):
/// ```
/// ℓ = K q / √d        (sgemv, K ∈ R^{n×d} row-major)
/// w = softmax(ℓ)      (max subtracted, sum in token order)
/// o = Vᵀ w            (sgemv, V ∈ R^{n×d} row-major)
/// ```
/// - Complexity: O(n·d) per query; reads 2·n·d·4 bytes.
struct ExactAttention {
    let keys: Matrix<Float>
    let values: Matrix<Float>

    func attend(query: [Float]) -> [Float] {
        let n = keys.rows, d = keys.columns
        guard let rows = Int32(exactly: n), let columns = Int32(exactly: d), query.count == d else { return [] }
        var logits = [Float](repeating: 0, count: n)
        var output = [Float](repeating: 0, count: d)
        keys.elements.withUnsafeBufferPointer { k in
            query.withUnsafeBufferPointer { q in
                logits.withUnsafeMutableBufferPointer { l in
                    guard let kBase = k.baseAddress, let qBase = q.baseAddress, let lBase = l.baseAddress else { return }
                    Float.blasGEMV(transpose: false, m: rows, n: columns, alpha: 1 / Float(d).squareRoot(),
                                   a: kBase, lda: columns, x: qBase, incx: 1, beta: 0, y: lBase, incy: 1)
                }
            }
        }
        logits.withUnsafeMutableBufferPointer { w in
            var largest = -Float.infinity
            for v in w { largest = max(largest, v) }
            var total: Float = 0
            for t in w.indices {
                w[t] = expf(w[t] - largest)
                total += w[t]
            }
            let inverse = 1 / total
            for t in w.indices { w[t] *= inverse }
        }
        values.elements.withUnsafeBufferPointer { v in
            logits.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { o in
                    guard let vBase = v.baseAddress, let wBase = w.baseAddress, let oBase = o.baseAddress else { return }
                    Float.blasGEMV(transpose: true, m: rows, n: columns, alpha: 1, a: vBase, lda: columns,
                                   x: wBase, incx: 1, beta: 0, y: oBase, incy: 1)
                }
            }
        }
        return output
    }
}

/// A cache prefilled with the prompt, and the queries.
struct PrefilledCache<Quantizer: GroupKeyQuantizer> where Quantizer.Scalar == Float {
    let cache: StreamingKVCache<Quantizer>
    let queries: [[Float]]

    init(_ empty: StreamingKVCache<Quantizer>) throws {
        let tokens = try DecodeTokens()
        var cache = empty
        try cache.prefill(keys: tokens.keys, values: tokens.values)
        self.cache = cache
        self.queries = tokens.queries
    }
}

func decodeBenchmarks() {
    let n = decodeTokenCount, d = decodeHeadDimension, m = decodeSketchDimension
    let shape = "n=\(n) d=\(d)"
    let per = "(\(decodesPerIteration) per iteration)"
    func attendAll<Q: GroupKeyQuantizer>(_ benchmark: Benchmark, _ state: PrefilledCache<Q>) throws where Q.Scalar == Float {
        try measured(benchmark) {
            for query in state.queries { blackHole(try state.cache.attend(query: query)) }
        }
    }
    // exp-runtime's QJL setting: official S (OrthogonalJL, √d rows), no outliers, G = 32,
    // B = 128, 2-bit values in groups of 32, Float16 norms, the exact AVX-512 scoring path.
    Benchmark("Decode QJL-OrthogonalJL-m\(m)-2bit-values attend(query:) vectorized \(shape) \(per)",
              configuration: configuration(maxSeconds: 3),
              closure: { benchmark, state in try attendAll(benchmark, state) },
              setup: {
                  try PrefilledCache(QJLCache.makeCache(
                      transform: OrthogonalJL<Float>(inputDimension: d, sketchDimension: m, seed: 42),
                      outlierCount: 0, keyGroupSize: 32, bufferSize: 128, valueBits: 2, valueGroupSize: 32,
                      scoringPath: .vectorized, scoringThreads: 1))
              })
    Benchmark("Decode KIVI-2bit attend(query:) \(shape) \(per)",
              configuration: configuration(maxSeconds: 3),
              closure: { benchmark, state in try attendAll(benchmark, state) },
              setup: {
                  try PrefilledCache(KIVI.makeCache(headDimension: d, bits: 2, keyGroupSize: 32, valueGroupSize: 32,
                                                    residualLength: 128, scalar: Float.self))
              })
    Benchmark("Decode exact fp32 attention sgemv-softmax-sgemv \(shape) threads=\(openBLASThreadsLabel()) \(per)",
              configuration: configuration(maxSeconds: 3),
              closure: { (benchmark, tokens: DecodeTokens) in
                  let attention = ExactAttention(keys: tokens.keys, values: tokens.values)
                  measured(benchmark) {
                      for query in tokens.queries { blackHole(attention.attend(query: query)) }
                  }
              },
              setup: { try DecodeTokens() })
}
