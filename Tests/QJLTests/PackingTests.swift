import JLLinearAlgebra
import JLRandom
import Testing
@testable import QJL

@Suite("Sign sketch packing and ledger")
struct PackingTests {
    @Test("bits round-trip and byte layout is LSB-first", arguments: [1, 7, 63, 64, 65, 256])
    func roundTrip(m: Int) throws {
        let n = 3
        let values: [Double] = RandomStream(seed: 7).child(UInt64(m)).gaussians(n * m)
        var projections = try Matrix(rows: n, columns: m, elements: values)
        projections[0, 0] = 0  // sign(0) → bit 0 (−1)
        let batch = try SignSketchBatch(projections: projections, keyNorms: [1, 2, 3], inputDimension: 4,
                                        normPrecision: .float32)
        #expect(batch.wordsPerKey == (m + 63) / 64)
        #expect(batch.signBits.count == n * batch.wordsPerKey)
        for i in 0..<n {
            let bytes = batch.signBytes(ofKey: i)
            #expect(bytes.count == (m + 7) / 8)
            for r in 0..<m {
                let expected = projections[i, r] > 0
                #expect(batch.bit(key: i, row: r) == expected)
                #expect((bytes[r / 8] >> UInt8(r % 8)) & 1 == (expected ? 1 : 0))
                #expect(batch.signs(ofKey: i)[r] == (expected ? 1 : -1))
            }
            // Padding bits are zero.
            let lastWord = batch.signBits[i * batch.wordsPerKey + batch.wordsPerKey - 1]
            let used = m - 64 * (batch.wordsPerKey - 1)
            if used < 64 { #expect(lastWord >> UInt64(used) == 0) }
        }
        #expect(batch.bit(key: 0, row: 0) == false)
        // Little-endian memory view equals the byte view (official kernel layout).
        let memoryBytes = batch.signBits.withUnsafeBytes { Array($0.prefix((m + 7) / 8)) }
        #expect(memoryBytes == batch.signBytes(ofKey: 0))
    }

    @Test("ledger equals allocated bytes", arguments: [NormPrecision.float16, .float32])
    func ledger(precision: NormPrecision) throws {
        let m = 65, n = 5
        let projections = try Matrix(rows: n, columns: m, elements: RandomStream(seed: 1).gaussians(n * m, as: Double.self))
        let batch = try SignSketchBatch(projections: projections, keyNorms: [1, 2, 3, 4, 5], inputDimension: 16,
                                        normPrecision: precision)
        let ledger = batch.bitLedger
        #expect(ledger.totalBits % 8 == 0)
        #expect(ledger.totalBits / 8 == batch.allocatedBytes)
        #expect(batch.allocatedBytes == n * 2 * 8 + n * precision.bitsPerNorm / 8)
        #expect(ledger.components.contains { $0.name.contains("padding") && $0.bits == n * (128 - 65) })
        #expect(ledger.components.contains { $0.name.hasPrefix("sign bits") && $0.bits == n * m })
    }

    @Test("Float16 norms round to nearest even and reject overflow")
    func float16() throws {
        #if !(os(macOS) && arch(x86_64))
        let stream = RandomStream(seed: 3)
        for i in 0..<2000 {
            let x = Float(Double.exp(40 * stream.uniform(at: UInt64(i)) - 25))
            #expect(HalfPrecision.bits(from: x) == Float16(x).bitPattern)
            #expect(HalfPrecision.float(fromBits: HalfPrecision.bits(from: x)) == Float(Float16(x)))
        }
        #endif
        #expect(NormPrecision.float16.rounded(1.0 + 0x1p-11) == 1.0)  // tie → even
        #expect(throws: QJLError.normNotRepresentable(key: 1, norm: 70000, precision: .float16)) {
            try SignSketchBatch(projections: try Matrix<Double>(rows: 2, columns: 1, elements: [1, 1]),
                                keyNorms: [1, 70000], inputDimension: 1, normPrecision: .float16)
        }
    }

    @Test("invalid inputs give typed errors")
    func validation() throws {
        let transform = try TestGaussianTransform<Double>(d: 4, m: 8, seed: 1)
        let nanKeys = try Matrix<Double>(rows: 1, columns: 4, elements: [1, .nan, 0, 0])
        #expect(throws: QJLError.nonFiniteInput(what: "keys", index: 1)) {
            try SignSketchBatch(keys: nanKeys, transform: transform, normPrecision: .float32)
        }
        let wide = try Matrix<Double>(rows: 1, columns: 5)
        #expect(throws: QJLError.dimensionMismatch(what: "key dimension d", expected: 4, actual: 5)) {
            try SignSketchBatch(keys: wide, transform: transform, normPrecision: .float32)
        }
        #expect(throws: QJLError.invalidSketchDimension(0)) {
            try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: 4, sketchDimension: 0)
        }
        let estimator = try AsymmetricQJLEstimator(transform: transform)
        #expect(throws: QJLError.nonFiniteInput(what: "query", index: 0)) {
            try estimator.estimate(query: [.infinity, 0, 0, 0], key: [1, 0, 0, 0], transform: transform)
        }
    }

    @Test("a zero key estimates exactly 0")
    func zeroKey() throws {
        let transform = try TestGaussianTransform<Float>(d: 8, m: 64, seed: 2)
        let estimator = try AsymmetricQJLEstimator(transform: transform)
        let estimate = try estimator.estimate(query: [1, 2, 3, 4, 5, 6, 7, 8], key: [Float](repeating: 0, count: 8),
                                              transform: transform)
        #expect(estimate == 0)
        let keys = try Matrix<Float>(rows: 2, columns: 8)
        let sketch = try SignSketchBatch(keys: keys, transform: transform, normPrecision: .float16)
        #expect(sketch.signBits.allSatisfy { $0 == 0 })  // S·0 = 0 → sign(0) = −1 → bit 0
        let scores = try estimator.scores(queries: try Matrix(rows: 1, columns: 8, elements: [Float](repeating: 1, count: 8)),
                                          keys: sketch, transform: transform)
        #expect(scores.elements == [0, 0])
    }
}
