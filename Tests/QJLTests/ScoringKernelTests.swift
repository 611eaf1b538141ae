import CQJLKernels
import JLLinearAlgebra
import JLRandom
import Testing
@testable import QJL

@Suite("Scoring kernels: vectorized exact path, int8 approximate path, packed-word init")
struct ScoringKernelTests {
    /// A real sketch of n Gaussian keys and `heads` projected Gaussian queries.
    struct Fixture<Scalar: LinearAlgebraScalar> {
        let sketch: SignSketchBatch
        let projected: Matrix<Scalar>
        let constant: Double
    }

    static func fixture<Scalar: LinearAlgebraScalar>(
        _: Scalar.Type, m: Int, n: Int, heads: Int = 3, precision: NormPrecision = .float16
    ) throws -> Fixture<Scalar> {
        let d = 16
        let s = try TestGaussianTransform<Scalar>(d: d, m: m, seed: 21)
        let keys: Matrix<Scalar> = try ScoringTests.randomMatrix(n, d, seed: 3)
        let queries: Matrix<Scalar> = try ScoringTests.randomMatrix(heads, d, seed: 4)
        let sketch = try SignSketchBatch(keys: keys, transform: s, normPrecision: precision)
        let estimator = try AsymmetricQJLEstimator(transform: s)
        return Fixture(sketch: sketch, projected: try s.apply(batch: queries), constant: estimator.constant)
    }

    /// (c/m)·‖k_i‖·Σ_r |(Sq_h)_r|: the scale every exact score's rounding error is measured against.
    static func scoreScale<Scalar: LinearAlgebraScalar>(_ f: Fixture<Scalar>, head h: Int, key i: Int) -> Double {
        let m = f.sketch.sketchDimension
        let absoluteSum = f.projected.row(h).reduce(0.0) { $0 + abs(Double($1)) }
        return abs(f.constant) / Double(m) * Double(f.sketch.keyNorm(i)) * absoluteSum
    }

    func vectorizedAgrees<Scalar: LinearAlgebraScalar>(_ type: Scalar.Type, m: Int, n: Int, tolerance: Double,
                                                       precision: NormPrecision) throws {
        let f = try Self.fixture(type, m: m, n: n, precision: precision)
        let plain = try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: f.constant, path: .plain)
        let fast = try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: f.constant, path: .vectorized)
        for h in 0..<f.projected.rows {
            for i in 0..<n {
                // Only the summation order differs (m terms): relative tolerance of the score's scale.
                #expect(abs(Double(plain[h, i] - fast[h, i])) <= tolerance * Self.scoreScale(f, head: h, key: i))
            }
        }
        for threads in [2, 5] {
            let other = try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: f.constant,
                                              path: .vectorized, threads: threads)
            #expect(other.elements.map { Double($0).bitPattern } == fast.elements.map { Double($0).bitPattern })
        }
    }

    @Test("vectorized exact path agrees with plain (m not a multiple of 64, 16 or 8; tails of < 8 keys)",
          arguments: [1, 7, 13, 64, 65, 100, 129, 200, 256, 300])
    func vectorizedMatchesPlain(m: Int) throws {
        try vectorizedAgrees(Float.self, m: m, n: 37, tolerance: 1e-5, precision: .float16)
        try vectorizedAgrees(Float.self, m: m, n: 9, tolerance: 1e-5, precision: .float32)
        try vectorizedAgrees(Double.self, m: m, n: 37, tolerance: 1e-12, precision: .float16)
    }

    @Test("vectorized path over several 4096-key blocks and thread chunks")
    func vectorizedBlocks() throws {
        try vectorizedAgrees(Float.self, m: 256, n: 2 * ScoringKernels.keysPerBlock + 13, tolerance: 1e-5, precision: .float16)
    }

    func approximateWithinBound<Scalar: LinearAlgebraScalar>(_ type: Scalar.Type, m: Int, n: Int) throws {
        let f = try Self.fixture(type, m: m, n: n)
        let plain = try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: f.constant, path: .plain)
        let approximate = try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: f.constant,
                                                path: .approximateInt8)
        let bounds = try QJLScoring.approximateErrorBounds(projectedQueries: f.projected, constant: f.constant)
        let u = Double(Scalar.ulpOfOne) / 2
        var largestRatio = 0.0
        for h in 0..<f.projected.rows {
            let step = f.projected.row(h).reduce(0.0) { max($0, abs(Double($1))) } / 127
            // The bound is at most the worst case (c/m)·m·step/2 (plus its rounding allowance).
            #expect(bounds[h] <= abs(f.constant) / Double(m) * (Double(m) * step / 2) * (1 + 1e-5) + 1e-5 * bounds[h])
            for i in 0..<n {
                let norm = Double(f.sketch.keyNorm(i))
                // Reported bound vs the exact real score, plus the plain path's own Float rounding,
                // at most (m + 3)·u times the score scale (sequential sum of m terms, three products).
                let allowed = bounds[h] * norm + Double(m + 3) * u * Self.scoreScale(f, head: h, key: i)
                let error = abs(Double(plain[h, i] - approximate[h, i]))
                #expect(error <= allowed)
                largestRatio = max(largestRatio, error / (bounds[h] * norm))
            }
        }
        // The approximation is real (not silently exact) and the bound is not vacuous by orders of magnitude.
        #expect(largestRatio > 1e-3)
        for threads in [2, 5] {
            let other = try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: f.constant,
                                              path: .approximateInt8, threads: threads)
            #expect(other.elements.map { Double($0).bitPattern } == approximate.elements.map { Double($0).bitPattern })
        }
    }

    @Test("int8 approximate path stays within its reported bound", arguments: [7, 64, 65, 200, 256])
    func approximateBound(m: Int) throws {
        try approximateWithinBound(Float.self, m: m, n: 37)
        try approximateWithinBound(Double.self, m: m, n: 37)
    }

    @Test("int8 kernel: AVX-512 dispatch and portable branch are bit-identical")
    func int8DispatchIdentical() throws {
        let f = try Self.fixture(Float.self, m: 200, n: 29, heads: 1, precision: .float16)
        let words = f.sketch.wordsPerKey
        let query = Int8Query(f.projected.elements[0..<200], paddedLength: 64 * words)
        var table = [Int32](repeating: 0, count: words * 8 * 256)
        var dispatched = [Float](repeating: 0, count: 29), portable = dispatched
        let scale: Float = 0.37
        guard case let .float16(halfNorms) = f.sketch.storedNorms else { Issue.record("expected Float16 norms"); return }
        f.sketch.signBits.withUnsafeBufferPointer { bits in
            query.levels.withUnsafeBufferPointer { q in
                halfNorms.withUnsafeBytes { norms in
                    cqjl_int8_scores(bits.baseAddress, words, 29, q.baseAddress, query.levelTotal, query.step, scale,
                                     norms.baseAddress, 1, &table, &dispatched)
                    cqjl_int8_scores_portable(bits.baseAddress, words, 29, q.baseAddress, query.levelTotal, query.step,
                                              scale, norms.baseAddress, 1, &table, &portable)
                }
            }
        }
        #expect(dispatched.map(\.bitPattern) == portable.map(\.bitPattern))
        // Closed form for key 0: (scale·‖k‖)·(step·(2·Σ_{bit=1} q_r − Σ q_r)).
        var sum: Int32 = 0
        for r in 0..<200 where f.sketch.bit(key: 0, row: r) { sum += Int32(query.levels[r]) }
        let expected = (scale * f.sketch.keyNorm(0)) * (query.step * Float(2 * sum - query.levelTotal))
        #expect(portable[0] == expected)
    }

    @Test("int8 path rejects m beyond exact int32 sums is documented; thread count validated")
    func int8Validation() throws {
        let f = try Self.fixture(Float.self, m: 8, n: 3, heads: 1)
        #expect(throws: QJLError.invalidThreadCount(0)) {
            try QJLScoring.scores(projectedQueries: f.projected, keys: f.sketch, constant: 1, path: .approximateInt8, threads: 0)
        }
        let zero = try Matrix<Float>(rows: 1, columns: 8)
        let scores = try QJLScoring.scores(projectedQueries: zero, keys: f.sketch, constant: 1, path: .approximateInt8)
        #expect(scores.elements == [0, 0, 0])   // all-zero query: step 0, score 0
        #expect(try QJLScoring.approximateErrorBounds(projectedQueries: zero, constant: 1) == [0])
    }

    @Test("SignSketchBatch(signBits:) reproduces a real sketch and rejects bad words")
    func packedWordsInit() throws {
        let f = try Self.fixture(Double.self, m: 70, n: 5)
        let norms = (0..<5).map { Double(f.sketch.keyNorm($0)) }
        let rebuilt = try SignSketchBatch(signBits: f.sketch.signBits, sketchDimension: 70, inputDimension: 16,
                                          keyNorms: norms, normPrecision: .float16)
        #expect(rebuilt == f.sketch)
        var bad = f.sketch.signBits
        bad[2 * 2 + 1] |= UInt64(1) << 6   // row 64 + 6 = 70 of key 2 is padding
        #expect(throws: QJLError.invalidArgument("key 2 has padding bits r ≥ m = 70 set; clear them")) {
            try SignSketchBatch(signBits: bad, sketchDimension: 70, inputDimension: 16, keyNorms: norms, normPrecision: .float16)
        }
        #expect(throws: QJLError.dimensionMismatch(what: "sign words (n·⌈m/64⌉)", expected: 10, actual: 9)) {
            try SignSketchBatch(signBits: Array(bad.prefix(9)), sketchDimension: 70, inputDimension: 16, keyNorms: norms,
                                normPrecision: .float16)
        }
    }
}
