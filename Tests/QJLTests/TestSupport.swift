import JLLinearAlgebra
import JLRandom
import JLTransforms
@testable import QJL

/// Test-only Gaussian S: S[i, j] = RandomStream(seed).child("test").gaussian(at: i·d + j).
struct TestGaussianTransform<Scalar: LinearAlgebraScalar>: JLTransform {
    let inputDimension: Int
    let sketchDimension: Int
    let seed: UInt64
    let matrix: Matrix<Scalar>
    var rowLaw: RowLaw { .gaussian }
    var squaredNormScale: Double { Double(sketchDimension) }
    var specification: TransformSpecification {
        TransformSpecification(family: "TestGaussian", inputDimension: inputDimension, sketchDimension: sketchDimension,
                               seed: seed, precision: Scalar.precisionName)
    }

    init(d: Int, m: Int, seed: UInt64) throws {
        inputDimension = d
        sketchDimension = m
        self.seed = seed
        let values: [Scalar] = RandomStream(seed: seed).child("test").gaussians(m * d, as: Scalar.self)
        matrix = try Matrix(rows: m, columns: d, elements: values)
    }

    func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        guard x.count == inputDimension else { throw .dimensionMismatch(expected: inputDimension, actual: x.count) }
        do { return try BLAS.multiply(matrix, x) } catch { throw .linearAlgebra(error) }
    }

    func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        guard batch.columns == inputDimension else { throw .dimensionMismatch(expected: inputDimension, actual: batch.columns) }
        do { return try BLAS.multiply(batch, matrix, transposeB: true) } catch { throw .linearAlgebra(error) }
    }

    func materialize() throws(TransformError) -> Matrix<Scalar> { matrix }
}

/// Test-only orthogonal S: blocks of d rows, each a Haar orthogonal matrix (sign-corrected QR
/// of a Gaussian block); rows scaled by √d (`chiLength == false`, the official code) or by an
/// independent χ_d (ORF).
struct TestHaarTransform<Scalar: LinearAlgebraScalar>: JLTransform {
    let inputDimension: Int
    let sketchDimension: Int
    let seed: UInt64
    let chiLength: Bool
    let matrix: Matrix<Scalar>
    var rowLaw: RowLaw { chiLength ? .haarWithChiLength : .haar(length: Double(inputDimension).squareRoot()) }
    var squaredNormScale: Double { Double(sketchDimension) }
    var specification: TransformSpecification {
        TransformSpecification(family: "TestHaar", inputDimension: inputDimension, sketchDimension: sketchDimension,
                               seed: seed, options: ["chi": "\(chiLength)"], precision: Scalar.precisionName)
    }

    init(d: Int, m: Int, seed: UInt64, chiLength: Bool = false) throws {
        inputDimension = d
        sketchDimension = m
        self.seed = seed
        self.chiLength = chiLength
        let stream = RandomStream(seed: seed).child("test")
        var rows = [Scalar]()
        var block = 0
        while rows.count < m * d {
            let g = try Matrix(rows: d, columns: d,
                               elements: stream.child(UInt64(block)).gaussians(d * d, as: Scalar.self))
            let q = try QRFactorization.haarFactor(ofGaussian: g)
            for i in 0..<d where rows.count < m * d {
                let rowIndex = rows.count / d
                let length = chiLength ? Scalar(stream.child("chi").chi(degreesOfFreedom: d, at: UInt64(rowIndex)))
                    : Scalar(Double(d).squareRoot())
                rows.append(contentsOf: q.row(i).map { $0 * length })
            }
            block += 1
        }
        matrix = try Matrix(rows: m, columns: d, elements: rows)
    }

    func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        guard x.count == inputDimension else { throw .dimensionMismatch(expected: inputDimension, actual: x.count) }
        do { return try BLAS.multiply(matrix, x) } catch { throw .linearAlgebra(error) }
    }

    func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        guard batch.columns == inputDimension else { throw .dimensionMismatch(expected: inputDimension, actual: batch.columns) }
        do { return try BLAS.multiply(batch, matrix, transposeB: true) } catch { throw .linearAlgebra(error) }
    }

    func materialize() throws(TransformError) -> Matrix<Scalar> { matrix }
}

/// Sample mean, sample variance and the standard error of the sample variance,
/// √((m̂₄ − s⁴)/T), estimated from the fourth central moment (no normality assumption).
func sampleMoments(_ x: [Double]) -> (mean: Double, variance: Double, varianceStandardError: Double) {
    let t = Double(x.count)
    let mean = x.reduce(0, +) / t
    var m2 = 0.0, m4 = 0.0
    for v in x {
        let c = (v - mean) * (v - mean)
        m2 += c
        m4 += c * c
    }
    let variance = m2 / (t - 1)
    return (mean, variance, (max(0, m4 / t - variance * variance) / t).squareRoot())
}

/// Exact variance of the paper-constant estimator (c = √(π/2)) with √d-scaled Haar rows,
/// m = B·d + r (theory.md §2.3), for unit k and q = α·k̂ + β·e⊥.
func orthogonalVariance(d: Int, m: Int, alpha: Double, beta: Double) -> Double {
    let mu = SpecialFunctions.meanAbsoluteSphereCoordinate(dimension: d)
    let dd = Double(d)
    func a(_ r: Double) -> Double { r / dd + 2 * r * (r - 1) / (Double.pi * dd) - r * r * mu * mu }
    func b(_ r: Double) -> Double { r == 0 ? 0 : (r / dd) * (1 - 2 * (r - 1) / (Double.pi * (dd - 1))) }
    let blocks = Double(m / d), r = Double(m % d)
    let bracket = blocks * (a(dd) * alpha * alpha + b(dd) * beta * beta) + a(r) * alpha * alpha + b(r) * beta * beta
    return (Double.pi / 2) * dd / Double(m * m) * bracket
}
