// QJL scoring of one query against n sign-sketched keys (QJLScoring.scores, one thread, each
// ScoringPath), next to fp32 sgemv over the same n uncompressed keys (K·q, OpenBLAS).
// Keys are synthetic (uniform sign words from JLRandom, |N(0,1)| + 0.5 norms as Float16), as in
// Experiments/qjl-score-bench: these benchmarks time the scoring, the paths' correctness is
// tested in Tests/QJLTests.
import Benchmark
import JLLinearAlgebra
import JLRandom
import QJL

let scoringKeyCount = 1 << 20
let scoringInputDimension = 128
let scoringSketchDimension = 256

/// n synthetic sign-sketched keys (d = 128, m = 256) and one projected query S·q.
struct ScoringInputs {
    let keys: SignSketchBatch
    let projectedQuery: Matrix<Float>

    init() throws {
        let n = scoringKeyCount, m = scoringSketchDimension, words = (m + 63) / 64
        let stream = RandomStream(seed: 2406_03482).child("scoring benchmark")
        let bitStream = stream.child("bits")
        // m = 256 fills every word, so no padding bit has to be cleared.
        var signWords = [UInt64](repeating: 0, count: n * words)
        signWords.withUnsafeMutableBufferPointer { words in
            for b in 0..<(words.count / 2) {
                let block = bitStream.block(UInt64(b))
                words[2 * b] = UInt64(block.x) | UInt64(block.y) << 32
                words[2 * b + 1] = UInt64(block.z) | UInt64(block.w) << 32
            }
        }
        let norms = stream.child("norms").gaussians(n, as: Double.self).map { abs($0) + 0.5 }
        keys = try SignSketchBatch(signBits: signWords, sketchDimension: m, inputDimension: scoringInputDimension,
                                   keyNorms: norms, normPrecision: .float16)
        projectedQuery = try Matrix(rows: 1, columns: m,
                                    elements: stream.child("projected query").gaussians(m, as: Float.self))
    }
}

/// n uncompressed fp32 keys (n×d) and one query q.
struct UncompressedKeys {
    let keys: Matrix<Float>
    let query: [Float]

    init() throws {
        let stream = RandomStream(seed: 2406_03482).child("scoring benchmark")
        keys = try Matrix(rows: scoringKeyCount, columns: scoringInputDimension,
                          elements: stream.child("keys").gaussians(scoringKeyCount * scoringInputDimension, as: Float.self))
        query = stream.child("query").gaussians(scoringInputDimension, as: Float.self)
    }
}

func scoringBenchmarks() {
    let n = scoringKeyCount, d = scoringInputDimension, m = scoringSketchDimension
    let constant = (Double.pi / 2).squareRoot()
    for path in [ScoringPath.lookupTable, .vectorized, .approximateInt8] {
        Benchmark("Scoring QJL \(path.rawValue) n=\(n) d=\(d) m=\(m) threads=1 (\(n) per iteration)",
                  configuration: configuration(maxSeconds: 3),
                  closure: { benchmark, inputs in
                      var scores: Matrix<Float>?
                      try measured(benchmark) {
                          scores = try QJLScoring.scores(projectedQueries: inputs.projectedQuery, keys: inputs.keys,
                                                          constant: constant, path: path, threads: 1)
                      }
                      blackHole(scores)
                  },
                  setup: { try ScoringInputs() })
    }
    Benchmark("Scoring bare sgemv K·q fp32 n=\(n) d=\(d) threads=\(openBLASThreadsLabel()) (\(n) per iteration)",
              configuration: configuration(maxSeconds: 3),
              closure: { benchmark, inputs in
                  var scores: [Float]?
                  try measured(benchmark) { scores = try BLAS.multiply(inputs.keys, inputs.query) }
                  blackHole(scores)
              },
              setup: { try UncompressedKeys() })
}
