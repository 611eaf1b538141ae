import JLRandom
import JLTransforms

/// Columns 0 and 1 of a sketch S ∈ R^{m×d}: all that Prod_QJL(q, k) needs when q, k ∈ span(e₀, e₁).
///
/// ```
/// q = e₀, k = cos θ·e₀ + sin θ·e₁   ⇒   Sq = S[:, 0],   Sk = cos θ·S[:, 0] + sin θ·S[:, 1]
/// ```
/// Why this is exact, not an approximation: for Gaussian rows and for Haar-orthogonal blocks the
/// law of S is invariant under S ↦ S·R for every rotation R, so the law of Prod(q, k) depends on
/// (‖q‖, ‖k‖, θ) only and the pair may be put in span(e₀, e₁) (theory.md §2.1, §2.3, §2.5).
/// Every m uses the first m rows of one S (prefix), so one draw per trial serves the whole sweep.
public struct PlaneSketch: Sendable, Equatable {
    /// S[i, 0] for i < m_max.
    public var firstColumn: [Double]
    /// S[i, 1] for i < m_max.
    public var secondColumn: [Double]

    /// Columns 0 and 1 of `GaussianJL(inputDimension: d, sketchDimension: rows, seed: seed)`,
    /// regenerated entry by entry: the same numbers as that matrix, without its other d − 2 columns.
    ///
    /// ```
    /// S[i, j] = RandomStream(seed).child("GaussianJL").gaussian(at: i·d + j),   j ∈ {0, 1}
    /// ```
    /// (`GaussianJL.entry(row:column:inputDimension:seed:)`; when i·d is even both entries are
    /// the two outputs of one Box–Muller pair, so one Philox block serves both.)
    /// Since the first m rows of GaussianJL(d, m_max, seed) are GaussianJL(d, m, seed), the
    /// prefix of length m is exactly the m-row transform.
    /// - Complexity: O(rows) Philox blocks.
    public static func gaussian(rows: Int, inputDimension d: Int, seed: UInt64) -> PlaneSketch {
        let stream = RandomStream(seed: seed).child(GaussianJL<Double>.streamLabel)
        var first = [Double](repeating: 0, count: rows), second = first
        for i in 0..<rows {
            let index = UInt64(i) &* UInt64(d)
            if index % 2 == 0 {
                let words = stream.block(index / 4)
                let pair = index % 4 == 0
                    ? RandomMaps.boxMuller(words.x, words.y) : RandomMaps.boxMuller(words.z, words.w)
                first[i] = pair.0
                second[i] = pair.1
            } else {
                first[i] = stream.gaussian(at: index)
                second[i] = stream.gaussian(at: index + 1)
            }
        }
        return PlaneSketch(firstColumn: first, secondColumn: second)
    }

    /// Columns 0 and 1 of an `OrthogonalJL`-distributed S with `rows` rows, drawn directly:
    /// exact in law, not the same realization as `OrthogonalJL(d, rows, seed)`.
    ///
    /// ```
    /// block b (rows b·d ..< b·d + r_b):  (u_b, v_b) = Haar 2-frame in R^d from stream.child(b)
    /// S[b·d + k, 0] = L_{b·d+k}·u_b[k],   S[b·d + k, 1] = L_{b·d+k}·v_b[k],   k < r_b
    /// L_i = √d | χ_d (stream.child("rowLengths").chi(d, at: i)) | E[χ_d]
    /// ```
    /// Why: the rows of an OrthogonalJL block are L·(columns of a Haar Q_b)ᵀ, so column j of S
    /// restricted to block b is L·(row j of Q_b). Rows 0 and 1 of a Haar Q are columns 0 and 1 of
    /// the Haar Qᵀ: a Haar orthonormal 2-frame, which Gram–Schmidt of two Gaussian vectors gives
    /// exactly (``SyntheticInputs/orthonormalFrame(dimension:stream:)``). A partial last block
    /// keeps the first r_b entries, as OrthogonalJL keeps the first r_b columns of a full block.
    /// Row signs (sign correction) do not change Prod_QJL (theory.md §2.3), so `-nosigncorrection`
    /// specs have the same law. Prefix property: the first m rows of the m_max sketch have the law
    /// of the m-row transform.
    /// - Complexity: O(rows + d·⌈rows/d⌉) (O(rows·d) with χ_d row lengths), instead of one
    ///   d×d QR (O(d³)) per block.
    public static func orthogonal(rows: Int, inputDimension d: Int, rowLength: OrthogonalRowLength,
                                  stream: RandomStream) -> PlaneSketch {
        var first = [Double](repeating: 0, count: rows), second = first
        let lengthStream = stream.child("rowLengths")
        let constantLength = rowLength == .expectedChi
            ? OrthogonalJL<Double>.expectedChi(degreesOfFreedom: d) : Double(d).squareRoot()
        var blockStart = 0, block: UInt64 = 0
        while blockStart < rows {
            let (u, v) = SyntheticInputs.orthonormalFrame(dimension: d, stream: stream.child(block))
            for k in 0..<Swift.min(d, rows - blockStart) {
                let row = blockStart + k
                let length = rowLength == .chi ? lengthStream.chi(degreesOfFreedom: d, at: UInt64(row)) : constantLength
                first[row] = length * u[k]
                second[row] = length * v[k]
            }
            blockStart += d
            block += 1
        }
        return PlaneSketch(firstColumn: first, secondColumn: second)
    }

    /// Prod_QJL(q, k) − ⟨q, k⟩ for q = e₀, k = cos θ·e₀ + sin θ·e₁ at every m in `checkpoints`
    /// (increasing, each ≤ the number of rows), computed in `Scalar`.
    ///
    /// ```
    /// Prod_m = (√(π/2)/m)·‖k‖·Σ_{i<m} (Sq)_i·sign((Sk)_i),   sign(0) = −1 (official code: bit = x > 0)
    /// ```
    /// - Complexity: O(m_max).
    /// - Source: QJL Definition 3.1, arXiv 2406.03482 (theory.md §1.1).
    @inlinable
    public func estimationErrors<Scalar: BinaryFloatingPoint>(
        cosine c: Double, sine s: Double, checkpoints: [Int], as type: Scalar.Type
    ) -> [Double] {
        var errors = [Double](repeating: 0, count: checkpoints.count)
        let constant = Scalar((Double.pi / 2).squareRoot())
        let cq = Scalar(c), sq = Scalar(s)
        let keyNorm = Scalar((c * c + s * s).squareRoot())
        var sum: Scalar = 0
        var row = 0
        firstColumn.withUnsafeBufferPointer { first in
            secondColumn.withUnsafeBufferPointer { second in
                for (position, m) in checkpoints.enumerated() {
                    while row < m {
                        let projectedQuery = Scalar(first[row])
                        let projectedKey = cq * projectedQuery + sq * Scalar(second[row])
                        sum += projectedKey > 0 ? projectedQuery : -projectedQuery
                        row += 1
                    }
                    errors[position] = Double(constant / Scalar(m) * keyNorm * sum) - c
                }
            }
        }
        return errors
    }
}
