import JLLinearAlgebra
import JLRandom
import Testing
@testable import QJL

@Suite("Scoring, outliers and attention")
struct ScoringTests {
    static func randomMatrix<Scalar: LinearAlgebraScalar>(_ rows: Int, _ columns: Int, seed: UInt64) throws -> Matrix<Scalar> {
        try Matrix(rows: rows, columns: columns, elements: RandomStream(seed: seed).child("data").gaussians(rows * columns, as: Scalar.self))
    }

    func pathsAgree<Scalar: LinearAlgebraScalar>(_: Scalar.Type, m: Int, tolerance: Double) throws {
        let d = 16, n = 37, heads = 3
        let s = try TestGaussianTransform<Scalar>(d: d, m: m, seed: 11)
        let keys: Matrix<Scalar> = try Self.randomMatrix(n, d, seed: 1)
        let queries: Matrix<Scalar> = try Self.randomMatrix(heads, d, seed: 2)
        let sketch = try SignSketchBatch(keys: keys, transform: s, normPrecision: .float16)
        let estimator = try AsymmetricQJLEstimator(transform: s)
        let plain = try estimator.scores(queries: queries, keys: sketch, transform: s, path: .plain)
        let table = try estimator.scores(queries: queries, keys: sketch, transform: s, path: .lookupTable)
        let projected = try s.apply(batch: queries)
        for h in 0..<heads {
            let sq = projected.row(h)
            let scale = Double(estimator.constant) / Double(m) * sq.reduce(0.0) { $0 + abs(Double($1)) }
            for i in 0..<n {
                let single = try estimator.estimate(projectedQuery: sq, keys: sketch, index: i)
                #expect(single == plain[h, i])  // same code path
                // Relative to the score's scale (c/m)·‖k‖·Σ|Sq_r|: the paths differ only in summation order.
                #expect(abs(Double(plain[h, i] - table[h, i])) <= tolerance * scale * Double(sketch.keyNorm(i)))
            }
        }
        // Thread-count invariance: bit-identical for 1, 2, 3 and 8 threads, both paths.
        for path in ScoringPath.allCases {
            let reference = try estimator.scores(queries: queries, keys: sketch, transform: s, path: path, threads: 1)
            for threads in [2, 3, 8] {
                let other = try estimator.scores(queries: queries, keys: sketch, transform: s, path: path, threads: threads)
                #expect(other.elements.map { Double($0).bitPattern } == reference.elements.map { Double($0).bitPattern })
            }
        }
    }

    @Test("plain and lookup-table paths agree; results independent of thread count", arguments: [1, 7, 64, 65, 200])
    func scoringPaths(m: Int) throws {
        try pathsAgree(Float.self, m: m, tolerance: 1e-5)
        try pathsAgree(Double.self, m: m, tolerance: 1e-12)
    }

    /// The Float lookup-table path (portable C kernel) adds each key's table entries in the same
    /// order as the Swift table loop (used for Double): bit-identical, for m = 1, 7, 64, 65, 200
    /// (partial bytes and words), n = 37 (a partial block of 4 keys), 3 heads, both norm precisions.
    @Test("C table kernel equals the Swift table loop bit for bit", arguments: [1, 7, 64, 65, 200])
    func tableKernelMatchesSwiftLoop(m: Int) throws {
        let d = 16, n = 37, heads = 3
        let s = try TestGaussianTransform<Float>(d: d, m: m, seed: 12)
        let queries: Matrix<Float> = try Self.randomMatrix(heads, d, seed: 3)
        let projected = try s.apply(batch: queries)
        for precision in [NormPrecision.float16, .float32] {
            let sketch = try SignSketchBatch(keys: try Self.randomMatrix(n, d, seed: 4), transform: s, normPrecision: precision)
            let constant = 1.2533141373155001, scale = Float(constant) / Float(m)
            let kernel = try QJLScoring.scores(projectedQueries: projected, keys: sketch, constant: constant, path: .lookupTable)
            var swiftLoop = [Float](repeating: .nan, count: heads * n)
            swiftLoop.withUnsafeMutableBufferPointer { out in
                LookupTables(projectedQueries: projected).score(keys: sketch, range: 0..<n, offset: 0, scale: scale,
                                                                norms: sketch.keyNorms, output: out, n: n)
            }
            #expect(kernel.elements.map(\.bitPattern) == swiftLoop.map(\.bitPattern), "m = \(m), \(precision)")
        }
    }

    @Test("thread count < 1 is rejected")
    func threadValidation() throws {
        let s = try TestGaussianTransform<Double>(d: 4, m: 8, seed: 1)
        let sketch = try SignSketchBatch(keys: try Self.randomMatrix(2, 4, seed: 1), transform: s, normPrecision: .float32)
        #expect(throws: QJLError.invalidThreadCount(0)) {
            try QJLScoring.scores(projectedQueries: try Matrix<Double>(rows: 1, columns: 8), keys: sketch, constant: 1, threads: 0)
        }
    }

    @Test("outlier selection picks the planted large channels (ties → lower index)")
    func outlierSelection() throws {
        var keys: Matrix<Double> = try Self.randomMatrix(8, 16, seed: 5)
        for t in 0..<4 { keys[t, 3] = 40; keys[t, 11] = -30 }  // group 0
        for t in 4..<8 { keys[t, 7] = 25; keys[t, 0] = 50 }   // group 1
        let channels = try OutlierSplitSketch.selectOutliers(keys: keys, groupSize: 4, outlierCount: 2)
        #expect(channels == [[3, 11], [0, 7]])
        let ties = try Matrix<Double>(rows: 2, columns: 4, elements: [1, 1, 1, 1, 1, 1, 1, 1])
        #expect(try OutlierSplitSketch.selectOutliers(keys: ties, groupSize: 2, outlierCount: 2) == [[0, 1]])
        let s = try TestGaussianTransform<Double>(d: 16, m: 32, seed: 3)
        #expect(throws: QJLError.groupSizeDoesNotDivide(tokens: 8, groupSize: 3)) {
            try OutlierSplitSketch(keys: keys, transform: s, groupSize: 3, outlierCount: 2, outlierSketchDimension: 8, normPrecision: .float16)
        }
        #expect(throws: QJLError.tooManyOutliers(outlierCount: 16, channels: 16)) {
            try OutlierSplitSketch(keys: keys, transform: s, groupSize: 4, outlierCount: 16, outlierSketchDimension: 8, normPrecision: .float16)
        }
        #expect(throws: QJLError.invalidOutlierSketchDimension(0, sketchDimension: 32)) {
            try OutlierSplitSketch(keys: keys, transform: s, groupSize: 4, outlierCount: 2, outlierSketchDimension: 0, normPrecision: .float16)
        }
        let sketch = try OutlierSplitSketch(keys: keys, transform: s, groupSize: 4, outlierCount: 2,
                                            outlierSketchDimension: 8, normPrecision: .float16)
        #expect(sketch.outlierChannels(group: 1) == [0, 7])
        #expect(sketch.bitLedger.totalBits / 8 == sketch.allocatedBytes)
        // 8 keys: inlier 1 word + 16-bit norm, outlier 1 word + 16-bit norm; 2 groups × 2 UInt8 indices.
        #expect(sketch.allocatedBytes == 8 * (8 + 2) + 8 * (8 + 2) + 4)
        #expect(sketch.bitLedger.components.count == 7)
    }

    @Test("outlier-split estimator: unbiased with the §2.6 variance (Gaussian S)")
    func outlierUnbiased() throws {
        let d = 6, m = 32, mO = 8, trials = 3000
        let k: [Double] = [3, 0.5, -0.2, 0.4, 0.1, 0.3]   // channel 0 is the outlier
        let q: [Double] = [0.5, 1, 0.3, -0.4, 0.8, 0.2]
        let keys = try Matrix(rows: 1, columns: d, elements: k)
        let queries = try Matrix(rows: 1, columns: d, elements: q)
        var samples = [Double]()
        var estimator: AsymmetricQJLEstimator?
        for t in 0..<trials {
            let s = try TestGaussianTransform<Double>(d: d, m: m, seed: UInt64(t) + 300_000)
            let e = try AsymmetricQJLEstimator(transform: s)
            let sketch = try OutlierSplitSketch(keys: keys, transform: s, groupSize: 1, outlierCount: 1,
                                                outlierSketchDimension: mO, normPrecision: .float32)
            #expect(sketch.outlierChannels(group: 0) == [0])
            samples.append(try sketch.scores(queries: queries, transform: s, estimator: e).elements[0])
            estimator = e
        }
        let e = try #require(estimator)
        let mean = try #require(OutlierSplitSketch.mean(q: q, k: k, estimator: e))
        let variance = try #require(OutlierSplitSketch.variance(q: q, k: k, outlierChannels: [0], outlierSketchDimension: mO, estimator: e))
        let moments = sampleMoments(samples)
        #expect(abs(moments.mean - mean) <= 6 * (variance / Double(trials)).squareRoot())  // 6σ
        #expect(abs(moments.variance - variance) <= 6 * moments.varianceStandardError)
    }

    @Test("softmax is stable and metrics match hand values")
    func attention() throws {
        let p = try Attention.softmax([1000.0, 1000.0 + Double.log(3)])
        #expect(abs(p[0] - 0.25) < 1e-12 && abs(p[1] - 0.75) < 1e-12)
        let scaled = try Attention.softmax([0.0, 2 * Double.log(3)], temperature: .inverseSquareRootDimension(4))
        #expect(abs(scaled[1] - 0.75) < 1e-12)
        let exact = [0.0, Double.log(3)]          // p = (1/4, 3/4)
        let estimated = [0.0, 0.0]                // p̂ = (1/2, 1/2)
        let values = try Matrix<Double>(rows: 2, columns: 1, elements: [0, 4])
        let metrics = try AttentionErrorMetrics(exactLogits: exact, estimatedLogits: estimated, topK: 1, values: values)
        #expect(abs(metrics.maxRelativeScoreError - 1) < 1e-12)            // |1/2 − 1/4|/(1/4)
        #expect(abs(metrics.totalVariation - 0.25) < 1e-12)
        #expect(abs(metrics.klDivergence - (0.25 * Double.log(0.5) + 0.75 * Double.log(1.5))) < 1e-12)
        #expect(metrics.topKRecall == 0)                                    // top-1: 1 vs 0 (tie → 0)
        #expect(abs((metrics.outputRelativeError ?? 0) - 1.0 / 3.0) < 1e-12) // o = 3, ô = 2
        #expect(throws: QJLError.nonFiniteInput(what: "logits", index: 0)) { try Attention.softmax([Double.nan]) }
        let logits = try Attention.exactLogits(query: [1.0, 2], keys: try Matrix(rows: 2, columns: 2, elements: [1, 0, 0, 1]))
        #expect(logits == [1, 2])
    }
}
