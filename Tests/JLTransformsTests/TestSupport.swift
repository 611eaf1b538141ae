import JLLinearAlgebra
import JLRandom
import Testing
@testable import JLTransforms

/// The two scalar types every generic test runs for.
enum Precision: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case float, double
    var testDescription: String { rawValue }
}

/// One transform configuration exercised by the contract tests: a kind with (d, m) chosen to
/// hit the interesting structure (full + partial blocks, non-power-of-two d for the DCT).
struct Configuration: Sendable, CustomTestStringConvertible {
    let kind: TransformKind
    let inputDimension: Int
    let sketchDimension: Int
    var testDescription: String { "\(kind) d=\(inputDimension) m=\(sketchDimension)" }

    func make<Scalar: LinearAlgebraScalar>(seed: UInt64, as type: Scalar.Type) throws -> any JLTransform<Scalar> {
        try kind.make(inputDimension: inputDimension, sketchDimension: sketchDimension, seed: seed, as: type)
    }
}

/// Every family and option, each at dimensions with more than one block where blocks exist.
let allConfigurations: [Configuration] = [
    Configuration(kind: .gaussian, inputDimension: 16, sketchDimension: 24),
    Configuration(kind: .orthogonal(.sqrtD), inputDimension: 16, sketchDimension: 40),
    Configuration(kind: .orthogonal(.chi), inputDimension: 16, sketchDimension: 40),
    Configuration(kind: .orthogonal(.expectedChi), inputDimension: 12, sketchDimension: 30),
    Configuration(kind: .orthogonal(.sqrtD, signCorrection: false), inputDimension: 16, sketchDimension: 24),
    Configuration(kind: .srht(.hadamard), inputDimension: 16, sketchDimension: 40),
    Configuration(kind: .srht(.dct), inputDimension: 12, sketchDimension: 30),
    Configuration(kind: .srht(.dct), inputDimension: 16, sketchDimension: 10),
    Configuration(kind: .gaussianHD(.hadamard), inputDimension: 16, sketchDimension: 20),
    Configuration(kind: .gaussianHD(.dct), inputDimension: 12, sketchDimension: 20),
    Configuration(kind: .sparseSign(1), inputDimension: 16, sketchDimension: 24),
    Configuration(kind: .sparseSign(4), inputDimension: 16, sketchDimension: 24),
]

/// Deterministic test vectors: iid N(0,1) entries from a stream unrelated to any transform's.
func testVector<Scalar: LinearAlgebraScalar>(_ d: Int, index: UInt64, as type: Scalar.Type = Scalar.self) -> [Scalar] {
    RandomStream(seed: 0xC0FFEE).child("test-vectors").child(index).gaussians(d, as: Scalar.self)
}

func squaredNorm<Scalar: LinearAlgebraScalar>(_ x: [Scalar]) -> Double {
    x.reduce(0.0) { $0 + Double($1) * Double($1) }
}

/// Rounding-error bound for a length-d dot product ⟨s, x⟩: |fl − exact| ≤ γ_d·Σ|s_j x_j| ≤
/// γ_d·‖s‖·‖x‖ with γ_d ≈ d·u (Higham, Accuracy and Stability, §3.1); factor 4 for the FWHT/DCT
/// stages and the reference computation itself.
func dotTolerance<Scalar: LinearAlgebraScalar>(_ type: Scalar.Type, d: Int, rowNorm: Double, vectorNorm: Double) -> Double {
    4 * Double(d + 2) * Double(Scalar.ulpOfOne) * rowNorm * vectorNorm
}

/// The largest Euclidean row norm of S.
func maxRowNorm<Scalar: LinearAlgebraScalar>(_ s: Matrix<Scalar>) -> Double {
    (0..<s.rows).map { squaredNorm(s.row($0)).squareRoot() }.max() ?? 0
}

/// S·Sᵀ restricted to rows `a` and `b`, in Double.
func rowInnerProduct<Scalar: LinearAlgebraScalar>(_ s: Matrix<Scalar>, _ a: Int, _ b: Int) -> Double {
    (0..<s.columns).reduce(0.0) { $0 + Double(s[a, $1]) * Double(s[b, $1]) }
}
