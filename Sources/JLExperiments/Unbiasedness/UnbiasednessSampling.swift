import Foundation
import JLLinearAlgebra
import JLRandom
import JLTransforms

/// One draw of S applied to a query/key pair: (S·q, S·k).
struct ProjectedPair<Scalar: LinearAlgebraScalar> {
    var query: [Scalar]
    var key: [Scalar]
}

/// How one trial draws S and projects the pairs.
///
/// **Rotation shortcut** (Gaussian and Haar-orthogonal rows only, exact in law). These laws are
/// invariant under S ↦ S·O for every orthogonal O, so (S·q, S·k) has the same joint law for every
/// unit pair at angle θ as for k = e₁, q = cos θ·e₁ + sin θ·e₂, which needs only the first two
/// columns c₀ = S·e₁, c₁ = S·e₂:
/// ```
/// S·k = c₀,   S·q = cos θ·c₀ + sin θ·c₁
/// gaussian:    c_j[i] = RandomStream(seed).child("GaussianJL").gaussian(at: i·d + j)
///              (= column j of GaussianJL(d, m, seed) exactly, GaussianJL.entry addressing)
/// orthogonal:  block b (rows b·d ..< b·d + r): rows 1–2 of a Haar d×d matrix Q are the
///              Gram–Schmidt of two iid N(0, I_d) vectors g₁, g₂ (Qᵀ is Haar too), so
///              (c₀, c₁)[b·d + i] = L_{b·d+i}·(v₁[i], v₂[i]),  (v₁, v₂) = GS(g₁, g₂),  i < r
///              L = √d | χ_d (independent per row) | E[χ_d]
/// ```
/// Cost O(m) per trial instead of O(m·d) (Gaussian) or O(m·d²) (one QR per block). The
/// orthogonal shortcut draws from its own streams, so it is not bit-equal to `OrthogonalJL(seed)`,
/// only equal in law; run with `--no-rotation-shortcut` to apply the real transforms instead.
/// SRHT, sparse and GaussianHD sketches are always applied to the actual vectors.
enum UnbiasednessSampling {
    /// Whether the rotation shortcut is exact for `kind`.
    static func isRotationInvariant(_ kind: TransformKind) -> Bool {
        switch kind {
        case .gaussian, .orthogonal: true
        case .srht, .gaussianHD, .sparseSign: false
        }
    }

    /// The per-trial seed of transform `spec`: two words of `trialStream.child(spec)`.
    static func transformSeed(trialStream: RandomStream, spec: String) -> UInt64 {
        let block = trialStream.child(spec).block(0)
        return UInt64(block.x) << 32 | UInt64(block.y)
    }

    /// (S·q, S·k) for every pair, one draw of S.
    /// - Complexity: shortcut O(m) per pair plus O(⌈m/d⌉·d) for orthogonal; otherwise the
    ///   transform's build plus two applications per pair.
    static func project<Scalar: LinearAlgebraScalar>(
        kind: TransformKind, inputDimension d: Int, sketchDimension m: Int, seed: UInt64,
        pairs: [UnbiasednessPair], vectors: [(query: [Scalar], key: [Scalar])], shortcut: Bool
    ) throws(TransformError) -> [ProjectedPair<Scalar>] {
        if shortcut, isRotationInvariant(kind) {
            let (c0, c1) = firstTwoColumns(kind: kind, inputDimension: d, sketchDimension: m, seed: seed)
            let first = c0.map { Scalar($0) }, second = c1.map { Scalar($0) }
            return pairs.map { pair in
                let (c, s) = pair.cosineAndSine
                let cosine = Scalar(c), sine = Scalar(s)
                let query = (0..<m).map { cosine * first[$0] + sine * second[$0] }
                return ProjectedPair(query: query, key: first)
            }
        }
        let transform = try kind.make(inputDimension: d, sketchDimension: m, seed: seed, as: Scalar.self)
        var result: [ProjectedPair<Scalar>] = []
        result.reserveCapacity(vectors.count)
        for vector in vectors {
            result.append(ProjectedPair(query: try transform.apply(vector.query), key: try transform.apply(vector.key)))
        }
        return result
    }

    /// Columns 0 and 1 of S (in law for orthogonal; exactly for Gaussian), in Double.
    static func firstTwoColumns(kind: TransformKind, inputDimension d: Int, sketchDimension m: Int,
                                seed: UInt64) -> ([Double], [Double]) {
        var c0 = [Double](repeating: 0, count: m), c1 = [Double](repeating: 0, count: m)
        switch kind {
        case let .orthogonal(rowLength, _):
            let root = RandomStream(seed: seed).child("UnbiasednessHaarRows")
            let lengths = root.child("rowLengths")
            let constantLength = rowLength == .expectedChi
                ? OrthogonalJL<Double>.expectedChi(degreesOfFreedom: d) : Double(d).squareRoot()
            var start = 0, block: UInt64 = 0
            while start < m {
                let r = min(d, m - start)
                let stream = root.child(block)
                let (v1, v2) = UnbiasednessPairs.gramSchmidt(
                    stream.gaussians(d, startingAt: 0, as: Double.self),
                    stream.gaussians(d, startingAt: UInt64(d), as: Double.self))
                for i in 0..<r {
                    let row = start + i
                    let length = rowLength == .chi ? lengths.chi(degreesOfFreedom: d, at: UInt64(row)) : constantLength
                    c0[row] = length * v1[i]
                    c1[row] = length * v2[i]
                }
                start += r
                block += 1
            }
        default:
            let stream = RandomStream(seed: seed).child(GaussianJL<Double>.streamLabel)
            for i in 0..<m {
                c0[i] = stream.gaussian(at: UInt64(i * d))
                c1[i] = stream.gaussian(at: UInt64(i * d + 1))
            }
        }
        return (c0, c1)
    }
}

/// The estimators exp-unbiasedness and exp-seed-variance evaluate.
public enum UnbiasednessEstimator: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// Asymmetric QJL with the constant derived from the row law (unbiased where one exists).
    case qjlDerived = "qjl-derived"
    /// Asymmetric QJL with the paper's √(π/2).
    case qjlPaper = "qjl-paper"
    /// Symmetric SimHash, ‖q‖‖k‖·cos(πH/m).
    case simhash
    /// Unquantized JL, ⟨Sq, Sk⟩/(m·σ²).
    case jl

    public var description: String { rawValue }

    /// The estimate from one projected pair (‖q‖ = ‖k‖ = 1). `qjlConstant` is the c of
    /// `(c/m)·‖k‖·⟨Sq, sign(Sk)⟩`; sign(0) = −1 (the QJL module's bit convention, bit = 1 ⇔ > 0).
    /// - Complexity: O(m).
    static func estimate<Scalar: LinearAlgebraScalar>(
        _ estimator: UnbiasednessEstimator, query: [Scalar], key: [Scalar], qjlConstant: Double,
        entrySecondMoment: Double, queryNorm: Double = 1, keyNorm: Double = 1
    ) -> Double {
        let m = key.count
        switch estimator {
        case .qjlDerived, .qjlPaper:
            var sum: Scalar = 0
            query.withUnsafeBufferPointer { q in
                key.withUnsafeBufferPointer { k in
                    for i in 0..<m { sum += k[i] > 0 ? q[i] : -q[i] }
                }
            }
            return qjlConstant / Double(m) * keyNorm * Double(sum)
        case .simhash:
            var hamming = 0
            for i in 0..<m where (query[i] > 0) != (key[i] > 0) { hamming += 1 }
            return queryNorm * keyNorm * cos(Double.pi * Double(hamming) / Double(m))
        case .jl:
            var sum: Scalar = 0
            for i in 0..<m { sum += query[i] * key[i] }
            return Double(sum) / (Double(m) * entrySecondMoment)
        }
    }
}
