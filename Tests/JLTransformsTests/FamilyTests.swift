import JLLinearAlgebra
import JLRandom
import Testing
@testable import JLTransforms

@Suite("GaussianJL")
struct GaussianJLTests {
    @Test("every entry regenerates from (seed, i·d + j) alone")
    func entryAddressing() throws {
        let d = 13, m = 7, seed: UInt64 = 0xDEAD_BEEF
        let double = try GaussianJL<Double>(inputDimension: d, sketchDimension: m, seed: seed)
        let float = try GaussianJL<Float>(inputDimension: d, sketchDimension: m, seed: seed)
        let stream = RandomStream(seed: seed).child("GaussianJL")
        for i in 0..<m {
            for j in 0..<d {
                // The documented addressing, written out independently of the implementation.
                let expected = stream.gaussian(at: UInt64(i * d + j))
                #expect(double.sketchMatrix[i, j] == expected)
                #expect(GaussianJL<Double>.entry(row: i, column: j, inputDimension: d, seed: seed) == expected)
                #expect(double.entry(row: i, column: j) == expected)
                #expect(float.entry(row: i, column: j) == Float(expected))
                #expect(float.sketchMatrix[i, j] == Float(expected))
            }
        }
        #expect(double.rowLaw == .gaussian && double.squaredNormScale == Double(m))
    }
}

@Suite("OrthogonalJL")
struct OrthogonalJLTests {
    /// Blocks of d rows (the last one partial): the row ranges.
    func blocks(d: Int, m: Int) -> [Range<Int>] {
        stride(from: 0, to: m, by: d).map { $0..<min($0 + d, m) }
    }

    @Test("within a block SSᵀ = d·I (√d rows), to 1e-12 relative in Double", arguments: [(16, 40), (12, 12), (8, 3)])
    func blocksAreOrthogonal(d: Int, m: Int) throws {
        let s = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: m, seed: 3).materialize()
        var worst = 0.0
        for range in blocks(d: d, m: m) {
            for a in range {
                for b in range {
                    let target = a == b ? Double(d) : 0
                    worst = max(worst, abs(rowInnerProduct(s, a, b) - target) / Double(d))
                }
            }
        }
        // Householder QR in Double: ‖QᵀQ − I‖ = O(d·u) ≈ 1e-14 for d ≤ 16.
        #expect(worst <= 1e-12, "max relative deviation \(worst)")
    }

    @Test("rows of different blocks are not orthogonal")
    func blocksAreIndependent() throws {
        let d = 16
        let s = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: 2 * d, seed: 3).materialize()
        var largest = 0.0
        for a in 0..<d { for b in d..<(2 * d) { largest = max(largest, abs(rowInnerProduct(s, a, b))) } }
        // Independent Haar rows of length √d: ⟨s_a, s_b⟩ has sd ≈ √d = 4; the max of 256 such is
        // far above 1 (an accidental orthogonal 32-row set would give 0).
        #expect(largest > 1, "largest cross-block inner product \(largest)")
    }

    @Test("chi row lengths are the documented independent χ_d draws, distinct per row")
    func chiRowLengths() throws {
        let d = 16, m = 24, seed: UInt64 = 8
        let s = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: m, seed: seed, rowLength: .chi).materialize()
        let lengthStream = RandomStream(seed: seed).child("OrthogonalJL").child("rowLengths")
        let norms = (0..<m).map { squaredNorm(s.row($0)).squareRoot() }
        for i in 0..<m {
            let expected = lengthStream.chi(degreesOfFreedom: d, at: UInt64(i))
            #expect(abs(norms[i] - expected) <= 1e-12 * expected)
        }
        #expect(Set(norms).count == m)
        // Rows within a block remain orthogonal (only their lengths changed).
        for a in 0..<d { for b in 0..<d where a != b { #expect(abs(rowInnerProduct(s, a, b)) <= 1e-12 * Double(d)) } }
    }

    @Test("expectedChi rows have length E[χ_d]; closed forms of E[χ_d] and c_d (theory.md §2.3)")
    func expectedChiLengths() throws {
        #expect(abs(OrthogonalJL<Double>.expectedChi(degreesOfFreedom: 128) - 11.291633) < 5e-7)
        #expect(abs(OrthogonalJL<Double>.sqrtDBias(inputDimension: 128) - 1.0019550) < 5e-8)
        #expect(abs(OrthogonalJL<Double>.sqrtDBias(inputDimension: 64) - 1.0039137) < 5e-8)
        #expect(abs(OrthogonalJL<Double>.sqrtDBias(inputDimension: 256) - 1.0009770) < 5e-8)
        // d = 1: E[χ_1] = √(2/π); d = 2: E[χ_2] = √(π/2).
        #expect(abs(OrthogonalJL<Double>.expectedChi(degreesOfFreedom: 1) - (2 / Double.pi).squareRoot()) < 1e-14)
        #expect(abs(OrthogonalJL<Double>.expectedChi(degreesOfFreedom: 2) - (Double.pi / 2).squareRoot()) < 1e-14)
        let d = 12
        let t = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: 20, seed: 2, rowLength: .expectedChi)
        let length = OrthogonalJL<Double>.expectedChi(degreesOfFreedom: d)
        for i in 0..<20 { #expect(abs(squaredNorm(try t.materialize().row(i)).squareRoot() - length) <= 1e-12 * length) }
        #expect(t.rowLaw == .haar(length: length))
        #expect(abs(t.squaredNormScale - 20 * length * length / Double(d)) < 1e-12)
    }

    @Test("without sign correction the rows differ only by signs")
    func signCorrectionOnlyFlipsRows() throws {
        let d = 8, m = 12
        let corrected = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: m, seed: 4).materialize()
        let raw = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: m, seed: 4, signCorrection: false).materialize()
        var flipped = 0
        for i in 0..<m {
            let same = (0..<d).allSatisfy { corrected[i, $0] == raw[i, $0] }
            let opposite = (0..<d).allSatisfy { corrected[i, $0] == -raw[i, $0] }
            #expect(same || opposite, "row \(i) is not ± the uncorrected row")
            if opposite { flipped += 1 }
        }
        // LAPACK's diag R is negative for some columns of a Gaussian (≈ half): some rows flip.
        #expect(flipped > 0)
    }
}

@Suite("SRHT")
struct SRHTTests {
    @Test("Hadamard entries are exactly ±1", arguments: Precision.allCases)
    func hadamardEntries(precision: Precision) throws {
        switch precision {
        case .float: try checkSigns(Float.self)
        case .double: try checkSigns(Double.self)
        }
    }

    func checkSigns<Scalar: LinearAlgebraScalar>(_ type: Scalar.Type) throws {
        let d = 32, m = 70
        let transform = try SRHT<Scalar>(inputDimension: d, sketchDimension: m, seed: 6, mixing: .hadamard)
        #expect(transform.rowLaw == .rademacher)
        #expect(try transform.materialize().elements.allSatisfy { $0 == 1 || $0 == -1 })
        // The fast path gives the same ±1 entries exactly (FWHT of ±e_j is exact).
        for j in 0..<d {
            var unit = [Scalar](repeating: 0, count: d)
            unit[j] = 1
            #expect(try transform.apply(unit).allSatisfy { $0 == 1 || $0 == -1 })
        }
    }

    @Test("rows within a block are orthogonal with squared length d", arguments: [
        (MixingTransform.hadamard, 16, 40), (.dct, 12, 30), (.dct, 7, 5), (.dct, 1, 3),
    ])
    func blockOrthogonality(mixing: MixingTransform, d: Int, m: Int) throws {
        let transform = try SRHT<Double>(inputDimension: d, sketchDimension: m, seed: 12, mixing: mixing)
        let s = try transform.materialize()
        var worst = 0.0
        for start in stride(from: 0, to: m, by: d) {
            for a in start..<min(start + d, m) {
                for b in start..<min(start + d, m) {
                    worst = max(worst, abs(rowInnerProduct(s, a, b) - (a == b ? Double(d) : 0)) / Double(d))
                }
            }
        }
        // Hadamard: exact integers; DCT: cosines in Double, error O(d·u).
        #expect(worst <= 1e-12, "max relative deviation \(worst)")
        // Each block samples distinct rows of M.
        for block in transform.blocks { #expect(Set(block.rows).count == block.rows.count) }
    }

    @Test("m = d gives ‖Sx‖² = d‖x‖² exactly (S/√d is orthogonal)", arguments: [MixingTransform.hadamard, .dct])
    func fullBlockIsIsometry(mixing: MixingTransform) throws {
        let d = 16
        let transform = try SRHT<Double>(inputDimension: d, sketchDimension: d, seed: 13, mixing: mixing)
        let x = testVector(d, index: 1, as: Double.self)
        let ratio = squaredNorm(try transform.apply(x)) / (Double(d) * squaredNorm(x))
        #expect(abs(ratio - 1) <= 1e-13)
    }

    @Test("different blocks use different signs and row choices")
    func blocksDiffer() throws {
        let transform = try SRHT<Double>(inputDimension: 16, sketchDimension: 32, seed: 14)
        #expect(transform.blocks.count == 2)
        #expect(transform.blocks[0].rotation.signs != transform.blocks[1].rotation.signs)
        #expect(transform.blocks[0].rows != transform.blocks[1].rows)
    }
}

@Suite("GaussianHD")
struct GaussianHDTests {
    @Test("the random-sign rotation is orthogonal", arguments: [(MixingTransform.hadamard, 16), (.dct, 12)])
    func rotationIsOrthogonal(mixing: MixingTransform, d: Int) throws {
        let transform = try GaussianHD<Double>(inputDimension: d, sketchDimension: 4, seed: 15, mixing: mixing)
        let x = testVector(d, index: 2, as: Double.self)
        let rotated = try transform.rotated(Matrix(rows: 1, columns: d, elements: x)).elements
        #expect(abs(squaredNorm(rotated) / squaredNorm(x) - 1) <= 1e-13)
        // Not the identity: the rotation mixes coordinates.
        #expect(rotated != x)
        #expect(transform.rowLaw == .gaussian)
        // G uses its own stream, not GaussianJL's.
        #expect(transform.gaussianFactor[0, 0] == RandomStream(seed: 15).child("GaussianHD").gaussian(at: 0))
    }
}

@Suite("SparseSignJL")
struct SparseSignJLTests {
    @Test("each column has s nonzeros ±√(m/s) at distinct rows", arguments: [1, 3, 8])
    func columnStructure(s: Int) throws {
        let d = 20, m = 8
        let transform = try SparseSignJL<Double>(inputDimension: d, sketchDimension: m, seed: 16, nonzerosPerColumn: s)
        let matrix = try transform.materialize()
        let magnitude = (Double(m) / Double(s)).squareRoot()
        var signs = Set<Double>()
        for j in 0..<d {
            let column = (0..<m).map { matrix[$0, j] }
            #expect(column.filter { $0 != 0 }.count == s)
            #expect(column.allSatisfy { $0 == 0 || abs(abs($0) - magnitude) <= 1e-15 })
            column.filter { $0 != 0 }.forEach { signs.insert($0.sign == .minus ? -1 : 1) }
        }
        #expect(signs == [-1, 1])
        #expect(transform.rowLaw == .sparseSign(nonzerosPerColumn: s, sketchDimension: m))
    }

    @Test("Floyd's sampling is uniform: each row is hit with probability s/m")
    func rowFrequencies() throws {
        let d = 4000, m = 10, s = 3
        let matrix = try SparseSignJL<Double>(inputDimension: d, sketchDimension: m, seed: 17, nonzerosPerColumn: s).materialize()
        // Count per row ~ Binomial(d, s/m): mean 1200, sd √(d·0.3·0.7) ≈ 29; 6σ ≈ 174.
        for i in 0..<m {
            let count = (0..<d).filter { matrix[i, $0] != 0 }.count
            #expect(abs(Double(count) - 1200) <= 174, "row \(i) hit \(count) times")
        }
    }
}
