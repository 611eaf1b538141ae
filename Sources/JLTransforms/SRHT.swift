import JLLinearAlgebra
import JLRandom

/// The subsampled randomized Hadamard transform (Ailon–Chazelle, SICOMP 2009,
/// doi:10.1137/060673096; Tropp 2011, arXiv 1011.1595), in the raw unit-second-moment scaling:
/// ```
/// B = ⌈m/d⌉ independent blocks; block b ∈ 0..<B has r_b = min(d, m − b·d) rows
/// S_b = √d · P_b · M · D_b
/// block stream  β_b = RandomStream(seed).child("SRHT").child(b)
/// D_b = diag(ε), ε_j = β_b.child("signs").rademacher(at: j)
/// P_b picks rows p_0 … p_{r−1}: RandomCursor(β_b.child("rows")).sampleWithoutReplacement(r, from: d)
/// M = H_d/√d (Walsh–Hadamard, power-of-two d) or C (orthonormal DCT-II, any d), see MixingTransform
/// E‖Sx‖² = m‖x‖²  exactly;   within a block S_b S_bᵀ = d·I
/// ```
/// With Hadamard mixing every entry is ±1 and each row is marginally iid Rademacher
/// (``RowLaw/rademacher``); with DCT mixing the rows are ``RowLaw/randomSignCosine``. For QJL no
/// constant makes either unbiased (theory.md §2.5: factor √(π/2) for k = e_1, 0.99805 for the flat
/// key at d = 128). Non-power-of-two d uses the DCT, never padding and truncation.
///
/// The value caches the signs and row choices of every block (B·d + m numbers), not S.
///
/// - Complexity: init O(B·d); `apply` O(B·d log d) per vector; `materialize` O(m·d).
public struct SRHT<Scalar: LinearAlgebraScalar>: JLTransform {
    /// The mixing matrix choice.
    public typealias Mixing = MixingTransform

    /// Input dimension d.
    public let inputDimension: Int
    /// Sketch dimension m.
    public let sketchDimension: Int
    /// Master seed.
    public let seed: UInt64
    /// The mixing in use (resolved: `.hadamard` or `.dct`, never `.automatic`).
    public let mixing: Mixing
    let blocks: [Block]

    struct Block: Sendable {
        let rotation: RandomSignMixing<Scalar>
        /// The sampled rows p_0 … p_{r−1} of M (distinct, in sampling order).
        let rows: [Int]
    }

    /// Builds the SRHT for (d, m, seed, mixing).
    /// - Throws: ``TransformError/invalidInputDimension(_:)``, ``TransformError/invalidSketchDimension(_:reason:)``,
    ///   ``TransformError/invalidOption(_:)`` for `.hadamard` with d not a power of two.
    /// - Complexity: O(⌈m/d⌉·d).
    public init(inputDimension: Int, sketchDimension: Int, seed: UInt64, mixing: Mixing = .automatic) throws(TransformError) {
        let d = inputDimension, m = sketchDimension
        try TransformValidation.dimensions(inputDimension: d, sketchDimension: m)
        let resolved = try mixing.resolved(inputDimension: d)
        let blockCount = (m + d - 1) / d
        try TransformValidation.denseSize(rows: blockCount, columns: d, sketchDimension: m, what: "the block signs")
        let plan = try RandomSignMixing<Scalar>.plan(for: resolved, dimension: d)
        let root = RandomStream(seed: seed).child("SRHT")
        var blocks: [Block] = []
        blocks.reserveCapacity(blockCount)
        for b in 0..<blockCount {
            let stream = root.child(UInt64(b))
            var cursor = RandomCursor(stream: stream.child("rows"))
            let rows = cursor.sampleWithoutReplacement(Swift.min(d, m - b * d), from: d)
            blocks.append(Block(
                rotation: RandomSignMixing(dimension: d, mixing: resolved, signStream: stream.child("signs"), dctPlan: plan),
                rows: rows))
        }
        self.inputDimension = d
        self.sketchDimension = m
        self.seed = seed
        self.mixing = resolved
        self.blocks = blocks
    }

    /// `.rademacher` (Hadamard) or `.randomSignCosine` (DCT).
    public var rowLaw: RowLaw { mixing == .hadamard ? .rademacher : .randomSignCosine }

    /// E‖Sx‖² = m‖x‖².
    public var squaredNormScale: Double { Double(sketchDimension) }

    /// Family "SRHT", option mixing.
    public var specification: TransformSpecification {
        TransformSpecification(family: "SRHT", inputDimension: inputDimension, sketchDimension: sketchDimension,
                               seed: seed, options: ["mixing": mixing.rawValue], precision: Scalar.precisionName)
    }

    /// The raw-scaling factor √d applied to the orthonormal M.
    var rowScale: Double { Double(inputDimension).squareRoot() }

    /// One vector through every block: y[b·d + k] = √d·(M·D_b·x)[p_k].
    /// - Note: pre-specialized for Float and Double; calls through `any JLTransform<Scalar>`
    ///   would otherwise run the unspecialized generic loop.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func applyUnchecked(_ x: UnsafeBufferPointer<Scalar>, into y: UnsafeMutableBufferPointer<Scalar>,
                        workspace: UnsafeMutableBufferPointer<Scalar>, mixed: UnsafeMutableBufferPointer<Scalar>) {
        var offset = 0
        for block in blocks {
            block.rotation.apply(x, into: mixed, workspace: workspace, scale: rowScale)
            for (k, row) in block.rows.enumerated() { y[offset + k] = mixed[row] }
            offset += block.rows.count
        }
    }

    /// `S·x`. - Complexity: O(⌈m/d⌉·d log d).
    public func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar] {
        try TransformValidation.vector(count: x.count, inputDimension: inputDimension)
        let batch: Matrix<Scalar>
        do { batch = try Matrix(rows: 1, columns: inputDimension, elements: x) } catch { throw .linearAlgebra(error) }
        return try apply(batch: batch).elements
    }

    /// `X·Sᵀ`, one row at a time. - Complexity: O(n·⌈m/d⌉·d log d).
    public func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar> {
        let d = inputDimension
        var workspace = [Scalar](repeating: 0, count: d), mixed = [Scalar](repeating: 0, count: d)
        return try workspace.withUnsafeMutableBufferPointer { (work) throws(TransformError) -> Matrix<Scalar> in
            try mixed.withUnsafeMutableBufferPointer { (mix) throws(TransformError) -> Matrix<Scalar> in
                try mapRows(of: batch, inputDimension: d, outputColumns: sketchDimension) { x, y in
                    applyUnchecked(x, into: y, workspace: work, mixed: mix)
                }
            }
        }
    }

    /// S from the closed forms of M (not the fast transform): S[b·d + k, j] = √d·M[p_k, j]·ε_j.
    /// - Complexity: O(m·d).
    public func materialize() throws(TransformError) -> Matrix<Scalar> {
        let d = inputDimension
        var s: Matrix<Scalar>
        do { s = try Matrix(rows: sketchDimension, columns: d) } catch { throw .linearAlgebra(error) }
        var offset = 0
        for block in blocks {
            for (k, row) in block.rows.enumerated() {
                for j in 0..<d {
                    s[offset + k, j] = Scalar(block.rotation.entry(row: row, column: j, scale: rowScale))
                }
            }
            offset += block.rows.count
        }
        return s
    }
}
