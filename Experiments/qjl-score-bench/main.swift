// qjl-score-bench: exact QJL scoring throughput (keys/s) against exact fp32 sgemv over the
// uncompressed keys, and against the memory-bound limit measured in the same run.
//
//   swift run -c release qjl-score-bench [--keys N] [--threads 1,2] [--repeats R] [--scaling]
//
// d = 128, m = 256, one query head. Keys and sign bits are synthetic (timing only; the
// correctness of every path is tested on real sketches in Tests/QJLTests). Each figure is the
// best of R runs. Memory bound = measured streaming-read bandwidth / bytes read per key
// (QJL: 32 bytes of sign bits + 2 bytes of Float16 norm; sgemv: 128·4 bytes).
import Dispatch
import Foundation
import JLLinearAlgebra
import JLRandom
import JLTransforms
import QJL

let inputDimension = 128, sketchDimension = 256

func option(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}
let keyCount = option("--keys").flatMap { Int($0) } ?? 4 << 20
let threadCounts = (option("--threads") ?? "1,2").split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 }
let repeats = max(1, option("--repeats").flatMap { Int($0) } ?? 5)
let maxThreads = threadCounts.max() ?? 1

// OpenBLAS must run single-threaded per call: threading is done here, the same way for every method.
if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "openblas_set_num_threads") {
    typealias SetThreads = @convention(c) (Int32) -> Void
    unsafeBitCast(symbol, to: SetThreads.self)(1)
}

/// Best wall time in seconds of `repeats` runs.
func best(_ body: () throws -> Void) rethrows -> Double {
    var bestTime = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        bestTime = min(bestTime, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    return bestTime
}

/// Items split into `threads` round-robin groups, one per worker.
func parallel(_ threads: Int, _ chunks: Int, _ body: @Sendable (Int) -> Void) {
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        for c in stride(from: t, to: chunks, by: threads) { body(c) }
    }
}

let stream = RandomStream(seed: 2406_03482).child("qjl-score-bench")
let tile: [Float] = stream.child("tile").gaussians(1 << 20, as: Float.self)

// Uncompressed keys for sgemv: maxThreads row chunks (n/T rows each), filled from a tiled Gaussian block.
let rowsPerChunk = (keyCount + maxThreads - 1) / maxThreads
let keyChunks: [Matrix<Float>] = try (0..<maxThreads).map { c in
    let rows = min(rowsPerChunk, keyCount - c * rowsPerChunk)
    let elements = (0..<(rows * inputDimension)).map { tile[($0 &+ c &* 7919) & ((1 << 20) - 1)] }
    return try Matrix(rows: rows, columns: inputDimension, elements: elements)
}
let query: [Float] = stream.child("query").gaussians(inputDimension, as: Float.self)
let projectedQuery = try Matrix(rows: 1, columns: sketchDimension,
                                elements: stream.child("projected").gaussians(sketchDimension, as: Float.self))

// Sign bits: uniform random words (4 per key); norms: |Gaussian| + 0.5, stored as Float16.
let bitStream = stream.child("bits")
var signWords = [UInt64](repeating: 0, count: keyCount * 4)
for b in 0..<(keyCount * 2) {
    let block = bitStream.block(UInt64(b))
    signWords[2 * b] = UInt64(block.x) | UInt64(block.y) << 32
    signWords[2 * b + 1] = UInt64(block.z) | UInt64(block.w) << 32
}
let norms = (0..<keyCount).map { Double(abs(tile[$0 & ((1 << 20) - 1)])) + 0.5 }
let keys = try SignSketchBatch(signBits: signWords, sketchDimension: sketchDimension, inputDimension: inputDimension,
                               keyNorms: norms, normPrecision: .float16)
signWords = []
let constant = (Double.pi / 2).squareRoot()

// Streaming-read buffer ≥ 1 GiB: the sgemv keys when large enough, else a separate buffer.
let sgemvBytes = keyCount * inputDimension * 4
let extraBuffer: [[UInt64]] = sgemvBytes >= 1 << 30 ? [] : (0..<maxThreads).map { _ in
    [UInt64](repeating: 1, count: (1 << 30) / 8 / maxThreads)
}
let streamedBytes = sgemvBytes >= 1 << 30 ? sgemvBytes : (1 << 30) / maxThreads * maxThreads

func streamingSum(threads: Int) -> Double {
    best {
        let sums = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: maxThreads)
        defer { sums.deallocate() }
        let target = SendableSums(sums)
        parallel(threads, maxThreads) { c in
            var sum: UInt64 = 0
            if extraBuffer.isEmpty {
                keyChunks[c].elements.withUnsafeBytes { raw in
                    for word in raw.bindMemory(to: UInt64.self) { sum &+= word }
                }
            } else {
                extraBuffer[c].withUnsafeBufferPointer { for word in $0 { sum &+= word } }
            }
            target.sums[c] = sum
        }
        if sums.reduce(0, &+) == 42 { print("") }  // keep the sums alive
    }
}

struct SendableSums: @unchecked Sendable {
    let sums: UnsafeMutableBufferPointer<UInt64>
    init(_ sums: UnsafeMutableBufferPointer<UInt64>) { self.sums = sums }
}

print("qjl-score-bench: n = \(keyCount) keys, d = \(inputDimension), m = \(sketchDimension), 1 head, best of \(repeats)")
print("AVX-512 exact kernel: \(QJLScoring.vectorizedKernelAvailable), VNNI int8 kernel: \(QJLScoring.int8KernelAvailable)")
print("method                       threads        keys/s   × sgemv   bytes/key   fraction of memory bound")
for threads in threadCounts {
    let bandwidth = Double(streamedBytes) / streamingSum(threads: threads)
    let sgemvTime = best {
        let results = UnsafeMutableBufferPointer<Float>.allocate(capacity: maxThreads)
        defer { results.deallocate() }
        let target = SendableFloats(results)
        parallel(threads, maxThreads) { c in
            target.values[c] = (try? BLAS.multiply(keyChunks[c], query))?.first ?? 0
        }
    }
    let sgemvRate = Double(keyCount) / sgemvTime
    func row(_ name: String, _ rate: Double, bytesPerKey: Double) {
        let bound = bandwidth / bytesPerKey
        print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
              + String(format: " %7d  %12.4g  %8.2f  %10.0f  %6.3f", threads, rate, rate / sgemvRate, bytesPerKey, rate / bound))
    }
    print(String(format: "streaming read                %7d  %.2f GB/s over %.2f GB", threads, bandwidth * 1e-9, Double(streamedBytes) * 1e-9))
    row("sgemv fp32 (OpenBLAS)", sgemvRate, bytesPerKey: Double(inputDimension * 4))
    for path in [ScoringPath.lookupTable, .vectorized, .approximateInt8] {
        let time = try best {
            _ = try QJLScoring.scores(projectedQueries: projectedQuery, keys: keys, constant: constant, path: path, threads: threads)
        }
        row("QJL \(path.rawValue)" + (path == .approximateInt8 ? " (approx)" : ""), Double(keyCount) / time, bytesPerKey: 34)
    }
}

// Cost growth (--scaling): time per key against n (m = 256) and against m (n = 2^20) for the
// exact and int8 scoring paths, and the batch sketch (GaussianJL.apply(batch:), one sgemm)
// against d, each next to its expected order. One thread; best of `repeats`.
if CommandLine.arguments.contains("--scaling") {
    func syntheticKeys(_ n: Int, m: Int) throws -> SignSketchBatch {
        let words = (m + 63) / 64, stream = RandomStream(seed: 7).child("scaling").child(UInt64(m))
        var bits = [UInt64](repeating: 0, count: n * words)
        for b in 0..<((n * words + 1) / 2) {
            let block = stream.block(UInt64(b))
            bits[2 * b] = UInt64(block.x) | UInt64(block.y) << 32
            if 2 * b + 1 < bits.count { bits[2 * b + 1] = UInt64(block.z) | UInt64(block.w) << 32 }
        }
        if m % 64 != 0 {
            let keep = ~UInt64(0) >> UInt64(64 - m % 64)
            for i in 0..<n { bits[i * words + words - 1] &= keep }
        }
        return try SignSketchBatch(signBits: bits, sketchDimension: m, inputDimension: inputDimension,
                                   keyNorms: [Double](repeating: 1, count: n), normPrecision: .float16)
    }
    func scoringTimes(n: Int, m: Int) throws -> (exact: Double, int8: Double) {
        let keys = try syntheticKeys(n, m: m)
        let query = try Matrix(rows: 1, columns: m, elements: stream.child("scaling-query").gaussians(m, as: Float.self))
        var times: [Double] = []
        for path in [ScoringPath.vectorized, .approximateInt8] {
            times.append(try best {
                _ = try QJLScoring.scores(projectedQueries: query, keys: keys, constant: constant, path: path, threads: 1)
            })
        }
        return (times[0], times[1])
    }
    print("\ncost growth, 1 thread, best of \(repeats)")
    print("scoring vs n (m = 256): expected O(n), ns/key constant")
    print("       n   exact ns/key   int8 ns/key")
    for shift in stride(from: 14, through: 22, by: 2) {
        let n = 1 << shift, t = try scoringTimes(n: n, m: 256)
        print(String(format: "%8d  %13.3f  %12.3f", n, t.exact / Double(n) * 1e9, t.int8 / Double(n) * 1e9))
    }
    print("scoring vs m (n = 2^20): expected O(n·⌈m/64⌉), ns/key per 64 rows constant")
    print("       m   exact ns/key   per 64 rows   int8 ns/key   per 64 rows")
    for m in [64, 128, 256, 512, 1024] {
        let n = 1 << 20, t = try scoringTimes(n: n, m: m), words = Double((m + 63) / 64)
        let exact = t.exact / Double(n) * 1e9, int8 = t.int8 / Double(n) * 1e9
        print(String(format: "%8d  %13.3f  %12.3f  %12.3f  %12.3f", m, exact, exact / words, int8, int8 / words))
    }
    print("batch sketch GaussianJL.apply(batch:) vs d (n = 16384, m = 256): expected O(n·m·d)")
    print("       d   sketch ms   bare sgemm ms   ratio   GFLOP/s")
    for d in [32, 64, 128, 256, 512] {
        let n = 16384, m = 256
        let transform = try GaussianJL<Float>(inputDimension: d, sketchDimension: m, seed: 11)
        let keys = try Matrix(rows: n, columns: d, elements: (0..<(n * d)).map { tile[$0 & ((1 << 20) - 1)] })
        let sMatrix = try transform.materialize()
        let sketchTime = try best { _ = try transform.apply(batch: keys) }
        let gemmTime = try best { _ = try BLAS.multiply(keys, sMatrix, transposeB: true) }
        print(String(format: "%8d  %10.3f  %14.3f  %6.2f  %8.1f", d, sketchTime * 1e3, gemmTime * 1e3,
                     sketchTime / gemmTime, 2 * Double(n * m * d) / sketchTime * 1e-9))
    }
}
print("Note: figures are best-of-\(repeats); run on an otherwise idle machine.")

struct SendableFloats: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Float>
    init(_ values: UnsafeMutableBufferPointer<Float>) { self.values = values }
}
