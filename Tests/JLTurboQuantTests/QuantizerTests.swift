import JLLinearAlgebra
import JLRandom
import QJL
import Testing
@testable import JLTurboQuant

@Suite("TurboQuant_mse and TurboQuant_prod")
struct QuantizerTests {
    /// Empirical D_mse = E‖x − x̃‖² over n uniform unit vectors with one rotation. Rotating x
    /// uniformly with Π fixed gives (Πx) the same law as a Haar Π with x fixed, and the vectors are
    /// i.i.d., so the sample mean has standard error √(s²/n) (s² the sample variance of the
    /// per-vector errors; no closed form for it is used). 6σ: false-failure ≈ 2e-9.
    func empiricalMSE<Scalar: LinearAlgebraScalar>(_: Scalar.Type, bits: Int) throws {
        let d = 128, n = 1000
        let quantizer = try TurboQuantMSE<Scalar>(inputDimension: d, bits: bits, seed: 7)
        let stream = RandomStream(seed: 99).child("mse")
        let rows = (0..<n).map { unitVector(d, stream, UInt64($0 * d)) }
        let x = try Matrix<Scalar>(rowVectors: rows.map { $0.map { Scalar($0) } })
        let reconstructed = try quantizer.dequantize(quantizer.quantize(x))
        let errors = (0..<n).map { i in
            (0..<d).reduce(0.0) { sum, j in
                let e = Double(x[i, j]) - Double(reconstructed[i, j])
                return sum + e * e
            }
        }
        let (mean, variance) = moments(errors)
        let expected = Double(d) * quantizer.codebook.distortion  // d·C(f_X, b)
        #expect(abs(mean - expected) <= 6 * (variance / Double(n)).squareRoot(),
                "b = \(bits): D_mse \(mean) vs d·C = \(expected)")
    }

    @Test("TurboQuant_mse: empirical D_mse at d = 128 equals d·C(f_X, b) (Double)", arguments: 1...4)
    func mseDouble(bits: Int) throws { try empiricalMSE(Double.self, bits: bits) }

    @Test("TurboQuant_mse: empirical D_mse at d = 128 equals d·C(f_X, b) (Float)", arguments: 1...4)
    func mseFloat(bits: Int) throws { try empiricalMSE(Float.self, bits: bits) }

    @Test("1-bit TurboQuant_mse: E⟨q, x̃⟩ = d·μ_d²·⟨q, x⟩ (→ 2/π)",
          arguments: [(16, 0.0), (16, Double.pi / 3), (128, Double.pi / 3)])
    func oneBitBias(d: Int, angle: Double) throws {
        let n = 3000
        let quantizer = try TurboQuantMSE<Double>(inputDimension: d, bits: 1, seed: 11)
        let stream = RandomStream(seed: 5).child("bias")
        let pairs = (0..<n).map { rotatedPair(d, angle: angle, stream, $0) }
        let rebuilt = try quantizer.dequantize(quantizer.quantize(Matrix(rowVectors: pairs.map(\.x))))
        let estimates = (0..<n).map { dot(pairs[$0].q, rebuilt.row($0)) }  // = estimateInnerProducts (see consistency)
        let (mean, variance) = moments(estimates)
        let factor = LloydMaxCodebook.oneBitMeanFactor(dimension: d)
        // Sample variance (no closed form used); the pairs are i.i.d. with the law of a Haar Π.
        let sigma = (variance / Double(n)).squareRoot()
        #expect(abs(mean - factor * Double.cos(angle)) <= 6 * sigma, "mean \(mean), exact \(factor * Double.cos(angle))")
        if angle == 0 {  // q = x: the finite-d factor is resolved from the limit 2/π (> 6σ away)
            #expect(abs(factor - 2 / Double.pi) > 6 * sigma)
        }
    }

    @Test("finite-d 1-bit factor d·μ_d² → 2/π, = (2/π)·d/E[χ_d]²")
    func oneBitFactorLimit() {
        #expect(abs(LloydMaxCodebook.oneBitMeanFactor(dimension: 1 << 20) - 2 / Double.pi) < 1e-6)
        #expect(abs(LloydMaxCodebook.oneBitMeanFactor(dimension: 2) - 8 / (Double.pi * Double.pi)) < 1e-14)  // μ_2 = 2/π
        let f128 = LloydMaxCodebook.oneBitMeanFactor(dimension: 128)
        #expect(f128 > 2 / Double.pi && f128 < 2 / Double.pi * (1 + 1 / 128.0))  // ≈ (2/π)(1 + 1/(2d))
    }

    /// Unbiasedness over S with Π fixed: conditional on Π the estimator's mean is ⟨q, x⟩ and its
    /// variance is exactly ((π/2)‖q‖²γ² − ⟨q, r⟩²)/m (theory.md §2.1), so the mean is tested at
    /// 6σ of that exact variance (false-failure ≈ 2e-9) and the sample variance against it at 6
    /// standard errors from the empirical fourth moment.
    @Test("TurboQuant_prod is unbiased over S with the exact variance", arguments: 1...3)
    func prodUnbiased(bits: Int) throws {
        let d = 64, trials = 400, angle = 1.0
        let stream = RandomStream(seed: 3).child("prod")
        let (x, q) = rotatedPair(d, angle: angle, stream, 0)
        let mse = bits >= 2 ? try TurboQuantMSE<Double>(inputDimension: d, bits: bits - 1, seed: 21) : nil
        let xMatrix = try Matrix(rowVectors: [x])
        let residual: [Double]
        if let mse {
            let reconstruction = try mse.dequantize(mse.quantize(xMatrix)).row(0)
            residual = zip(x, reconstruction).map { $0 - $1 }
        } else {
            residual = x
        }
        let gamma = dot(residual, residual).squareRoot()
        let exactVariance = (Double.pi / 2 * dot(q, q) * gamma * gamma - dot(q, residual) * dot(q, residual)) / Double(d)
        var estimates = [Double]()
        for t in 0..<trials {
            let prod = try TurboQuantProd<Double>(inputDimension: d, mse: mse, sketchSeed: UInt64(1000 + t), sketchDimension: d)
            estimates.append(try prod.estimateInnerProducts(query: q, codes: prod.quantize(xMatrix))[0])
        }
        let (mean, variance) = moments(estimates)
        #expect(abs(mean - dot(q, x)) <= 6 * (exactVariance / Double(trials)).squareRoot(), "mean \(mean) vs \(dot(q, x))")
        let fourth = estimates.reduce(0) { $0 + Double.pow($1 - mean, 4) } / Double(trials)
        #expect(abs(variance - exactVariance) <= 6 * ((fourth - variance * variance) / Double(trials)).squareRoot(),
                "variance \(variance) vs exact \(exactVariance)")
    }

    /// D_prod averaged over uniform x (Π fixed, so Πx is uniform) of the exact conditional
    /// variance ((π/2)γ² − ⟨y, r⟩²)/m, against Theorem 2's bound (π/2)·D_mse(b−1)/d for ‖y‖ = 1,
    /// D_mse(b−1) = d·C(f_X, b−1) (D_mse(0) = 1). The bound drops only E⟨y, r⟩²/d ≥ 0, which is a few
    /// percent of it; 6σ from the sample variance over i.i.d. pairs.
    @Test("D_prod ≤ (π/2)·D_mse(b−1)/d and close to it", arguments: 1...4)
    func prodDistortionBound(bits: Int) throws {
        let d = 128, n = 600
        let stream = RandomStream(seed: 17).child("dprod")
        // y ⟂ x (angle π/2): then ⟨y, r⟩ is small and the bound is nearly tight (exact for b = 1).
        let pairs = (0..<n).map { rotatedPair(d, angle: Double.pi / 2, stream, $0) }
        let xMatrix = try Matrix(rowVectors: pairs.map(\.x))
        var meanSquaredResidual = 1.0
        var reconstruction = try Matrix<Double>(rows: n, columns: d)
        if bits >= 2 {
            let mse = try TurboQuantMSE<Double>(inputDimension: d, bits: bits - 1, seed: 23)
            reconstruction = try mse.dequantize(mse.quantize(xMatrix))
            meanSquaredResidual = Double(d) * mse.codebook.distortion
        }
        let conditional = (0..<n).map { i in
            let r = (0..<d).map { pairs[i].x[$0] - reconstruction[i, $0] }
            return (Double.pi / 2 * dot(r, r) - dot(pairs[i].q, r) * dot(pairs[i].q, r)) / Double(d)
        }
        let (mean, variance) = moments(conditional)
        let bound = Double.pi / 2 * meanSquaredResidual / Double(d)
        let sigma = (variance / Double(n)).squareRoot()
        #expect(mean <= bound * (1 + 1e-12) + 6 * sigma,  // 1e-12: rounding when σ = 0 (b = 1)
                "D_prod·d = \(mean * Double(d)), bound·d = \(bound * Double(d))")
        #expect(mean >= 0.9 * bound - 6 * sigma)
        if bits == 1 { #expect(abs(mean - bound) < 1e-12) }  // r = x ⟂ y: exactly (π/2)/d
    }

    @Test("ledgers equal the allocated bytes; components itemized",
          arguments: [(13, 1, NormPrecision.float16), (13, 3, .float32), (128, 4, .float16), (128, 2, .float32)])
    func ledgers(d: Int, bits: Int, precision: NormPrecision) throws {
        let n = 5
        let x = try Matrix<Double>(rows: n, columns: d) { i, j in Double.sin(Double(i * d + j + 1)) }
        let mse = try TurboQuantMSE<Double>(inputDimension: d, bits: bits, seed: 1, normPrecision: precision)
        let mseCodes = try mse.quantize(x)
        #expect(mseCodes.bitLedger.totalBits == 8 * mseCodes.allocatedBytes)
        #expect(mseCodes.bitLedger.components[0].bits == n * d * bits)
        #expect(mseCodes.bitLedger.components[2].bits == n * precision.bitsPerNorm)
        let prod = try TurboQuantProd<Double>(inputDimension: d, bits: bits, seed: 1, normPrecision: precision)
        let codes = try prod.quantize(x)
        let ledger = codes.bitLedger
        #expect(ledger.totalBits == 8 * codes.allocatedBytes)
        #expect(ledger.components.count == (bits == 1 ? 3 : 6))  // [indices, padding, ‖x‖,] signs, padding, γ
        let signBits = ledger.components.first { $0.name.contains("sign bits") }?.bits
        #expect(signBits == n * d)
        #expect((codes.mse == nil) == (bits == 1))
        if bits >= 2 { #expect(ledger.components[0].bits == n * d * (bits - 1)) }
    }

    @Test("packed indices round-trip for every b, straddling words", arguments: 1...8)
    func packing(bits: Int) {
        let d = 23, n = 3
        var packed = PackedIndices(bitsPerIndex: bits, indicesPerVector: d, count: n)
        let value = { (i: Int, j: Int) in (i * 31 + j * 7 + 3) % (1 << bits) }
        for i in 0..<n { for j in 0..<d { packed.setFresh(vector: i, coordinate: j, value: value(i, j)) } }
        for i in 0..<n { #expect(packed.indices(ofVector: i) == (0..<d).map { value(i, $0) }) }
        #expect(packed.paddingBits == n * (64 * ((d * bits + 63) / 64) - d * bits))
    }

    @Test("estimates equal ⟨q, dequantize(x)⟩; Float and Double share the rotation")
    func consistency() throws {
        let d = 32, n = 4
        let x = try Matrix<Double>(rows: n, columns: d) { i, j in Double.cos(Double(3 * i + j)) }
        let q = (0..<d).map { Double.sin(Double($0) / 3) }
        for bits in 1...3 {
            let mse = try TurboQuantMSE<Double>(inputDimension: d, bits: bits, seed: 4)
            let mseCodes = try mse.quantize(x)
            let mseRebuilt = try mse.dequantize(mseCodes)
            let mseEstimates = try mse.estimateInnerProducts(query: q, codes: mseCodes)
            let prod = try TurboQuantProd<Double>(inputDimension: d, bits: bits, seed: 4)
            let codes = try prod.quantize(x)
            let rebuilt = try prod.dequantize(codes)
            let estimates = try prod.estimateInnerProducts(query: q, codes: codes)
            for i in 0..<n {
                #expect(abs(mseEstimates[i] - dot(q, mseRebuilt.row(i))) < 1e-12)
                #expect(abs(estimates[i] - dot(q, rebuilt.row(i))) < 1e-12)
            }
        }
        let single = try TurboQuantMSE<Float>(inputDimension: d, bits: 2, seed: 4)
        let double = try TurboQuantMSE<Double>(inputDimension: d, bits: 2, seed: 4)
        #expect(single.rotation.elements == double.rotation.elements.map { Float($0) })
        // Π is orthogonal.
        let product = try BLAS.multiply(double.rotation, double.rotation, transposeB: true)
        #expect(zip(product.elements, try Matrix<Double>.identity(d).elements).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test("invalid input throws typed errors")
    func errors() throws {
        #expect(throws: TurboQuantError.invalidDimension(1, minimum: 2)) { try TurboQuantMSE<Double>(inputDimension: 1, bits: 2, seed: 0) }
        #expect(throws: TurboQuantError.invalidBits(10, allowed: 1...9)) { try TurboQuantProd<Double>(inputDimension: 8, bits: 10, seed: 0) }
        #expect(throws: TurboQuantError.invalidSketchDimension(0)) {
            try TurboQuantProd<Double>(inputDimension: 8, bits: 2, seed: 0, sketchDimension: 0)
        }
        let mse = try TurboQuantMSE<Double>(inputDimension: 8, bits: 2, seed: 0)
        #expect(throws: TurboQuantError.dimensionMismatch(what: "vector dimension d", expected: 8, actual: 4)) {
            try mse.quantize(Matrix(rows: 1, columns: 4))
        }
        #expect(throws: TurboQuantError.nonFiniteInput(what: "vectors", index: 3)) {
            try mse.quantize(Matrix(rows: 1, columns: 8, elements: [0, 0, 0, .nan, 0, 0, 0, 0]))
        }
        let big = try TurboQuantMSE<Double>(inputDimension: 8, bits: 2, seed: 0, normPrecision: .float16)
        do {
            _ = try big.quantize(Matrix(rows: 1, columns: 8, elements: [1e6, 0, 0, 0, 0, 0, 0, 0]))
            Issue.record("a norm of 1e6 must not fit Float16")
        } catch let error as TurboQuantError {
            guard case .normNotRepresentable(vector: 0, norm: _, precision: .float16) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
        let codebook = try LloydMaxCodebook(law: .sphereCoordinate(dimension: 16), bits: 2)
        #expect(throws: TurboQuantError.self) { try TurboQuantMSE<Double>(inputDimension: 8, codebook: codebook, seed: 0) }
    }
}
