import Foundation
@testable import JLLinearAlgebra

/// Deterministic test inputs. JLLinearAlgebraTests does not depend on JLRandom, so inputs come
/// from SplitMix64 (Steele, Lea, Flood 2014, doi:10.1145/2714064.2660195) — fixed test data,
/// not research randomness.
struct TestData {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func nextWord() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on (0, 1) from 53 bits.
    mutating func nextUniform() -> Double {
        (Double(nextWord() >> 11) + 0.5) * 0x1p-53
    }

    /// Uniform on (−1, 1).
    mutating func nextSigned() -> Double { 2 * nextUniform() - 1 }

    /// N(0, 1) by Box–Muller (one of the pair).
    mutating func nextGaussian() -> Double {
        let r = (-2 * log(nextUniform())).squareRoot()
        return r * cos(2 * Double.pi * nextUniform())
    }

    mutating func matrix<Scalar: LinearAlgebraScalar>(
        _ rows: Int, _ columns: Int, gaussian: Bool = false
    ) throws(LinearAlgebraError) -> Matrix<Scalar> {
        var entries = [Scalar]()
        entries.reserveCapacity(rows * columns)
        for _ in 0..<(rows * columns) { entries.append(Scalar(gaussian ? nextGaussian() : nextSigned())) }
        return try Matrix(rows: rows, columns: columns, elements: entries)
    }

    mutating func vector<Scalar: LinearAlgebraScalar>(_ count: Int) -> [Scalar] {
        (0..<count).map { _ in Scalar(nextSigned()) }
    }
}

enum Naive {
    /// op(A)[i, l] for a row-major A.
    static func entry<Scalar: LinearAlgebraScalar>(_ a: Matrix<Scalar>, _ i: Int, _ l: Int, transposed: Bool) -> Double {
        Double(transposed ? a[l, i] : a[i, l])
    }

    /// C = op(A)·op(B) in Double, and Σ_l |op(A)[i,l]|·|op(B)[l,j]| for the error bound.
    static func multiply<Scalar: LinearAlgebraScalar>(
        _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, transposeA: Bool, transposeB: Bool
    ) -> (value: [[Double]], magnitude: [[Double]]) {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var value = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
        var magnitude = value
        for i in 0..<m {
            for j in 0..<n {
                for l in 0..<k {
                    let p = entry(a, i, l, transposed: transposeA) * entry(b, l, j, transposed: transposeB)
                    value[i][j] += p
                    magnitude[i][j] += abs(p)
                }
            }
        }
        return (value, magnitude)
    }

    /// Sylvester–Hadamard entry: H_n[i, j] = (−1)^{popcount(i & j)}.
    static func hadamard(_ i: Int, _ j: Int) -> Double {
        (i & j).nonzeroBitCount % 2 == 0 ? 1 : -1
    }

    /// Orthonormal DCT-II matrix entry C[k, j] = s_k·cos(π(j + ½)k/n), s_0 = √(1/n), s_k = √(2/n).
    static func dct(_ k: Int, _ j: Int, _ n: Int) -> Double {
        let s = k == 0 ? (1 / Double(n)).squareRoot() : (2 / Double(n)).squareRoot()
        return s * cos(Double.pi * (Double(j) + 0.5) * Double(k) / Double(n))
    }
}
