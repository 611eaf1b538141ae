import Dispatch
import Testing
@testable import JLLinearAlgebra

/// gemm / gemv / dot / nrm2 wrappers against naive loops, and the Matrix value type.
struct BLASTests {
    /// Odd shapes (m, k, n), including 1s and k > m, n.
    static let shapes = [(1, 1, 1), (1, 3, 1), (3, 5, 7), (13, 1, 9), (17, 31, 5), (2, 33, 3)]

    /// Forward error bound for a length-k dot product in precision u: |ĉ − c| ≤ γ_k Σ|a||b|,
    /// γ_k = k·u/(1 − k·u) (Higham, Accuracy and Stability, §3.1). We allow 2γ_{k+1} to cover the
    /// final rounding of the Double reference and the conversion.
    static func bound<Scalar: LinearAlgebraScalar>(_: Scalar.Type, k: Int, magnitude: Double) -> Double {
        let u = Double(Scalar.ulpOfOne) / 2
        let g = Double(k + 1) * u / (1 - Double(k + 1) * u)
        return 2 * g * magnitude + Double(Scalar.leastNormalMagnitude)
    }

    static func checkGEMM<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        var data = TestData(seed: 1)
        for (m, k, n) in shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let a: Matrix<Scalar> = transposeA ? try data.matrix(k, m) : try data.matrix(m, k)
                    let b: Matrix<Scalar> = transposeB ? try data.matrix(n, k) : try data.matrix(k, n)
                    let c = try BLAS.multiply(a, b, transposeA: transposeA, transposeB: transposeB)
                    #expect(c.rows == m && c.columns == n)
                    let reference = Naive.multiply(a, b, transposeA: transposeA, transposeB: transposeB)
                    for i in 0..<m {
                        for j in 0..<n {
                            let tolerance = bound(Scalar.self, k: k, magnitude: reference.magnitude[i][j])
                            #expect(abs(Double(c[i, j]) - reference.value[i][j]) <= tolerance,
                                    "\(Scalar.self) \(m)×\(k)×\(n) tA \(transposeA) tB \(transposeB) at (\(i),\(j))")
                        }
                    }
                }
            }
        }
    }

    @Test func gemmMatchesNaiveDouble() throws { try Self.checkGEMM(Double.self) }
    @Test func gemmMatchesNaiveFloat() throws { try Self.checkGEMM(Float.self) }

    static func checkGEMV<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        var data = TestData(seed: 2)
        for (rows, columns) in [(1, 1), (3, 7), (7, 3), (31, 17)] {
            let a: Matrix<Scalar> = try data.matrix(rows, columns)
            for transpose in [false, true] {
                let x: [Scalar] = data.vector(transpose ? rows : columns)
                let y = try BLAS.multiply(a, x, transpose: transpose)
                let xMatrix = try Matrix(rows: x.count, columns: 1, elements: x)
                let reference = Naive.multiply(a, xMatrix, transposeA: transpose, transposeB: false)
                #expect(y.count == (transpose ? columns : rows))
                for i in 0..<y.count {
                    let tolerance = bound(Scalar.self, k: x.count, magnitude: reference.magnitude[i][0])
                    #expect(abs(Double(y[i]) - reference.value[i][0]) <= tolerance)
                }
            }
        }
    }

    @Test func gemvMatchesNaiveDouble() throws { try Self.checkGEMV(Double.self) }
    @Test func gemvMatchesNaiveFloat() throws { try Self.checkGEMV(Float.self) }

    static func checkDotAndNorm<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        var data = TestData(seed: 3)
        for n in [1, 2, 3, 7, 33, 1001] {
            let x: [Scalar] = data.vector(n), y: [Scalar] = data.vector(n)
            let dot = try BLAS.dot(x, y)
            var reference = 0.0, magnitude = 0.0, squares = 0.0
            for i in 0..<n {
                reference += Double(x[i]) * Double(y[i])
                magnitude += abs(Double(x[i]) * Double(y[i]))
                squares += Double(x[i]) * Double(x[i])
            }
            #expect(abs(Double(dot) - reference) <= bound(Scalar.self, k: n, magnitude: magnitude))
            let norm = try BLAS.norm(x)
            // nrm2 error ≲ (n + 2)·u·‖x‖ (Higham §21); same γ form.
            #expect(abs(Double(norm) - squares.squareRoot()) <= bound(Scalar.self, k: n + 2, magnitude: squares.squareRoot()))
        }
        #expect(try BLAS.dot([Scalar](), []) == 0)
        #expect(try BLAS.norm([Scalar]()) == 0)
        // nrm2 scales, so ‖(h, h)‖ = √2·h even where h² overflows.
        let huge = Scalar.greatestFiniteMagnitude / 4
        let norm = try BLAS.norm([huge, huge])
        #expect(norm.isFinite)
        #expect(abs(Double(norm) / Double(huge) - 2.0.squareRoot()) <= 4 * Double(Scalar.ulpOfOne))
        #expect(throws: LinearAlgebraError.shapeMismatch("dot of lengths 2 and 3")) {
            try BLAS.dot([Scalar(1), 2], [1, 2, 3])
        }
    }

    @Test func dotAndNormMatchNaiveDouble() throws { try Self.checkDotAndNorm(Double.self) }
    @Test func dotAndNormMatchNaiveFloat() throws { try Self.checkDotAndNorm(Float.self) }

    @Test func shapeMismatchThrows() throws {
        let a = try Matrix<Double>(rows: 3, columns: 4), b = try Matrix<Double>(rows: 5, columns: 2)
        #expect(throws: LinearAlgebraError.shapeMismatch("op(A) is 3×4 but op(B) is 5×2")) {
            try BLAS.multiply(a, b)
        }
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, b, transposeA: true) }
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, b, transposeB: true) }
        // 4×3 · 3×… is fine after transposing A? op(A) = 4×3 and B = 5×2: still a mismatch.
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, b, transposeA: true, transposeB: true) }
        #expect(throws: LinearAlgebraError.shapeMismatch("op(A) has 4 columns but x has 3 entries")) {
            try BLAS.multiply(a, [1.0, 2, 3])
        }
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, [1.0, 2, 3, 4], transpose: true) }
        // Matching transposed shapes succeed: Aᵀ (4×3) · A (3×4) is 4×4.
        let gram = try BLAS.multiply(a, a, transposeA: true)
        #expect(gram.rows == 4 && gram.columns == 4)
    }

    @Test func emptyInnerDimensionGivesZeros() throws {
        let a = try Matrix<Float>(rows: 3, columns: 0), b = try Matrix<Float>(rows: 0, columns: 2)
        let c = try BLAS.multiply(a, b)
        #expect(c.rows == 3 && c.columns == 2 && c.elements.allSatisfy { $0 == 0 })
        #expect(try BLAS.multiply(a, [Float]()) == [0, 0, 0])
    }

    @Test func matrixBasics() throws {
        let a = try Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        #expect(a[1, 0] == 4 && a[0, 2] == 3)
        #expect(a.row(1) == [4, 5, 6])
        let t = a.transposed
        #expect(t.rows == 3 && t.columns == 2)
        #expect(t.elements == [1, 4, 2, 5, 3, 6])
        #expect(t.transposed == a)
        #expect(try Matrix<Double>.identity(3).elements == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(try Matrix<Double>(rowVectors: [[1, 2, 3], [4, 5, 6]]) == a)
        #expect(try Matrix<Double>(rows: 2, columns: 3) { i, j in Double(3 * i + j + 1) } == a)
        #expect(a.maxAbsoluteEntry == 6)
        #expect(a.converted(to: Float.self).elements == [1, 2, 3, 4, 5, 6])
        #expect(throws: LinearAlgebraError.elementCountMismatch(expected: 6, actual: 5)) {
            try Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5])
        }
        #expect(throws: LinearAlgebraError.invalidDimension(name: "rows", value: -1)) {
            try Matrix<Double>(rows: -1, columns: 3)
        }
        #expect(throws: LinearAlgebraError.self) { try Matrix<Double>(rowVectors: [[1, 2], [3]]) }
        #expect(throws: LinearAlgebraError.self) { try Matrix<Double>(rows: Int.max, columns: 2) }
        // Transpose of a non-square random matrix, checked entrywise.
        var data = TestData(seed: 4)
        let r: Matrix<Float> = try data.matrix(5, 9)
        for i in 0..<5 { for j in 0..<9 { #expect(r.transposed[j, i] == r[i, j]) } }
    }

    @Test func errorMessagesAreOneLine() {
        let errors: [LinearAlgebraError] = [
            .invalidDimension(name: "rows", value: 0), .shapeMismatch("x"), .sizeTooLarge(name: "n", value: 1 << 40),
            .elementCountMismatch(expected: 1, actual: 2), .lapackFailure(routine: "geqrf", info: -1),
            .fftwPlanFailure(length: 3),
        ]
        for error in errors { #expect(!error.description.isEmpty && !error.description.contains("\n")) }
    }

    /// Float and Double gemm agree to Float precision on the same inputs.
    @Test func floatAndDoubleGEMMAgree() throws {
        var data = TestData(seed: 5)
        let a: Matrix<Double> = try data.matrix(9, 21), b: Matrix<Double> = try data.matrix(21, 11)
        let cd = try BLAS.multiply(a, b)
        let cf = try BLAS.multiply(a.converted(to: Float.self), b.converted(to: Float.self))
        let magnitude = Naive.multiply(a, b, transposeA: false, transposeB: false).magnitude
        for i in 0..<9 {
            for j in 0..<11 {
                // Input rounding (2u per product) plus the Float accumulation bound.
                let tolerance = Self.bound(Float.self, k: 21 + 2, magnitude: magnitude[i][j])
                #expect(abs(Double(cf[i, j]) - cd[i, j]) <= tolerance)
            }
        }
    }
}

/// `Matrix(rows:columns:)` is all +0.0 (bit pattern 0) for both scalar types, including when
/// the memory it reuses was dirty (the fill is a memset, not a skipped initialization), and an
/// empty shape is allowed.
@Test func zeroMatrixIsPositiveZeros() throws {
    for _ in 0..<3 {
        // Dirty the allocator's free lists with non-zero blocks of the same size first.
        var dirty = [Double](repeating: -1.5, count: 4096)
        dirty[7] = .nan
        withExtendedLifetime(dirty) {}
        let double = try Matrix<Double>(rows: 64, columns: 64)
        #expect(double.elements.count == 4096 && double.elements.allSatisfy { $0.bitPattern == 0 })
        let float = try Matrix<Float>(rows: 37, columns: 3)
        #expect(float.elements.count == 111 && float.elements.allSatisfy { $0.bitPattern == 0 })
    }
    #expect(try Matrix<Float>(rows: 0, columns: 5).elements.isEmpty)
    #expect(throws: LinearAlgebraError.invalidDimension(name: "rows", value: -1)) { try Matrix<Float>(rows: -1, columns: 2) }
}

/// `FiniteCheck.firstNonFiniteIndex` finds NaN (quiet and signalling), +∞ and −∞ at the first,
/// a middle and the last index, and accepts the extreme finite values (±greatestFiniteMagnitude,
/// subnormals, −0) and an empty buffer, for Float and Double (bit-pattern scan) and Float16
/// (the `isFinite` fallback).
func checkFiniteScan<Scalar: BinaryFloatingPoint>(_: Scalar.Type) {
    let finite: [Scalar] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
                            -.leastNormalMagnitude, -0.0, 0, 1, -3.5]
    let values = (0..<67).map { finite[$0 % finite.count] }
    values.withUnsafeBufferPointer { #expect(FiniteCheck.firstNonFiniteIndex($0) == nil) }
    [Scalar]().withUnsafeBufferPointer { #expect(FiniteCheck.firstNonFiniteIndex($0) == nil) }
    for bad: Scalar in [.nan, .signalingNaN, -.nan, .infinity, -.infinity] {
        for index in [0, 33, 66] {
            var corrupted = values
            corrupted[index] = bad
            if index < 66 { corrupted[66] = bad }  // the first one must be reported
            corrupted.withUnsafeBufferPointer { #expect(FiniteCheck.firstNonFiniteIndex($0) == index) }
        }
    }
}

@Test func finiteScanFindsTheFirstNonFinite() {
    checkFiniteScan(Float.self)
    checkFiniteScan(Double.self)
    checkFiniteScan(Float16.self)
}

/// `BLASConfiguration.configuration` is the same string from every thread at once. OpenBLAS's
/// `openblas_get_config()` rebuilds its answer in one static buffer on each call (a throwaway C
/// driver calling it from two threads saw 195,092 torn reads in 400,000), so the library reads it
/// once per process. Four workers compare 100,000 reads each with the first one (long enough
/// for the workers to overlap on 2 cores; with the per-call read, this test saw torn strings).
@Test func blasConfigurationIsStableAcrossThreads() {
    let expected = BLASConfiguration.configuration
    #expect(expected.hasPrefix("OpenBLAS") || expected == "unknown")
    let mismatches = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
    mismatches.initialize(repeating: 0)
    defer { mismatches.deallocate() }
    let slots = SendableCounts(mismatches)
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
        for _ in 0..<100_000 where BLASConfiguration.configuration != expected { slots.counts[worker] += 1 }
    }
    #expect(mismatches.reduce(0, +) == 0)
    #expect(BLASConfiguration.coreName == BLASConfiguration.coreName)
}

/// Per-worker counters for `concurrentPerform` (each worker writes only its own slot).
struct SendableCounts: @unchecked Sendable {
    let counts: UnsafeMutableBufferPointer<Int>
    init(_ counts: UnsafeMutableBufferPointer<Int>) { self.counts = counts }
}
