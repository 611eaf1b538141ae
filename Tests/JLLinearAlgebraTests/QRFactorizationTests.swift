import Testing
@testable import JLLinearAlgebra

/// Householder QR (LAPACK geqrf/orgqr) and the Haar sign correction.
struct QRFactorizationTests {
    /// max_{i,j} |(QᵀQ − I)_{ij}|, computed in Double.
    static func orthogonalityDefect<Scalar: LinearAlgebraScalar>(_ q: Matrix<Scalar>) -> Double {
        var worst = 0.0
        for i in 0..<q.columns {
            for j in 0..<q.columns {
                var sum = 0.0
                for r in 0..<q.rows { sum += Double(q[r, i]) * Double(q[r, j]) }
                worst = max(worst, abs(sum - (i == j ? 1 : 0)))
            }
        }
        return worst
    }

    @Test(arguments: [(1, 1), (7, 7), (64, 64), (128, 128), (100, 30)])
    func factorIsOrthonormalAndReconstructs(rows: Int, columns: Int) throws {
        var data = TestData(seed: UInt64(rows * 1000 + columns))
        let a: Matrix<Double> = try data.matrix(rows, columns, gaussian: true)
        let (q, rDiagonal) = try QRFactorization.factor(a)
        #expect(q.rows == rows && q.columns == columns && rDiagonal.count == columns)
        // Brief's acceptance bound for Double Householder QR up to n = 128.
        #expect(Self.orthogonalityDefect(q) <= 1e-12)

        // R = QᵀA must be upper triangular with diagonal rDiagonal, and Q·R = A.
        let r = try BLAS.multiply(q, a, transposeA: true)
        let frobenius = a.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
        // Householder QR backward error ‖A − QR‖_F ≤ c·m·n·u·‖A‖_F (Higham, Thm 19.4); c = 1 with
        // u = 2⁻⁵³ is generous for these sizes.
        let tolerance = Double(rows * columns) * 0x1p-53 * frobenius
        var rUpper = r
        for i in 0..<columns {
            for j in 0..<columns where j < i {
                #expect(abs(r[i, j]) <= tolerance, "R[\(i),\(j)] = \(r[i, j]) below the diagonal")
                rUpper[i, j] = 0
            }
            #expect(abs(r[i, i] - rDiagonal[i]) <= tolerance)
        }
        let reconstruction = try BLAS.multiply(q, rUpper)
        for index in a.elements.indices {
            #expect(abs(reconstruction.elements[index] - a.elements[index]) <= tolerance)
        }
    }

    @Test func floatFactorIsOrthonormal() throws {
        var data = TestData(seed: 9)
        for (rows, columns) in [(1, 1), (7, 7), (64, 64), (100, 30)] {
            let a: Matrix<Float> = try data.matrix(rows, columns, gaussian: true)
            let (q, _) = try QRFactorization.factor(a)
            // Float: u = 6e-8, and orthogonality loss of Householder QR is O(m·u) ≲ 1e-5 here.
            #expect(Self.orthogonalityDefect(q) <= 1e-5)
        }
    }

    @Test func invalidShapesThrow() throws {
        #expect(throws: LinearAlgebraError.self) { try QRFactorization.factor(Matrix<Double>(rows: 3, columns: 5)) }
        #expect(throws: LinearAlgebraError.invalidDimension(name: "rows", value: 0)) {
            try QRFactorization.factor(Matrix<Double>(rows: 0, columns: 0))
        }
        #expect(throws: LinearAlgebraError.invalidDimension(name: "columns", value: 0)) {
            try QRFactorization.factor(Matrix<Double>(rows: 3, columns: 0))
        }
    }

    /// LAPACK's Householder reflector sets R_00 = −sign(a_00)·‖a_0‖, so the uncorrected
    /// Q_00 = a_00/R_00 = −|a_00|/‖a_0‖ is never positive: the law is visibly not Haar. With the
    /// correction Q_00 = a_00/‖a_0‖, positive with probability exactly ½ and mean 0.
    @Test func signCorrectionMakesTheLawHaar() throws {
        let n = 4, trials = 4_000
        var data = TestData(seed: 10)
        var positiveRaw = 0, positiveCorrected = 0
        var sumCorrected = 0.0, sumSquaresCorrected = 0.0
        for _ in 0..<trials {
            let g: Matrix<Double> = try data.matrix(n, n, gaussian: true)
            let raw = try QRFactorization.haarFactor(ofGaussian: g, signCorrection: false)
            let haar = try QRFactorization.haarFactor(ofGaussian: g)
            if raw[0, 0] > 0 { positiveRaw += 1 }
            if haar[0, 0] > 0 { positiveCorrected += 1 }
            sumCorrected += haar[0, 0]
            sumSquaresCorrected += haar[0, 0] * haar[0, 0]
            // Corrected: R' = Q_Haarᵀ·G has a non-negative diagonal.
            let r = try BLAS.multiply(haar, g, transposeA: true)
            for i in 0..<n { #expect(r[i, i] > 0) }
        }
        #expect(positiveRaw == 0, "uncorrected Householder Q_00 should always be ≤ 0")
        let fraction = Double(positiveCorrected) / Double(trials)
        // Binomial(trials, ½): sd = √(1/(4·trials)) ≈ 0.0079; 6σ.
        #expect(abs(fraction - 0.5) <= 6 * (0.25 / Double(trials)).squareRoot(), "fraction \(fraction)")
        // Haar: Q_00 is a coordinate of a uniform unit vector: E = 0, E[Q_00²] = 1/n, so
        // sd(mean) = √(1/(n·trials)); 6σ.
        #expect(abs(sumCorrected / Double(trials)) <= 6 * (1 / Double(n * trials)).squareRoot())
        // Var(Q_00²) = E[Q⁴] − 1/n² = 3/(n(n+2)) − 1/n² for a uniform unit vector; 6σ.
        let varianceOfSquare = 3 / Double(n * (n + 2)) - 1 / Double(n * n)
        #expect(abs(sumSquaresCorrected / Double(trials) - 1 / Double(n))
                <= 6 * (varianceOfSquare / Double(trials)).squareRoot())
    }

    @Test func haarFactorIsOrthonormalForTallInput() throws {
        var data = TestData(seed: 11)
        let g: Matrix<Double> = try data.matrix(50, 20, gaussian: true)
        let q = try QRFactorization.haarFactor(ofGaussian: g)
        #expect(Self.orthogonalityDefect(q) <= 1e-12)
        // The correction only flips column signs: |Q_Haar| = |Q_raw| entrywise.
        let raw = try QRFactorization.haarFactor(ofGaussian: g, signCorrection: false)
        #expect(q.elements.map(abs) == raw.elements.map(abs))
    }
}
