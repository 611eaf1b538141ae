import JLLinearAlgebra

/// A random linear map S: R^d → R^m, fully determined by (d, m, seed) and its options, so it
/// never needs to be stored: ``materialize()`` rebuilds the explicit m×d matrix on demand.
///
/// **Scaling convention (all transforms).** `apply` returns the *raw* projection `S·x`, whose
/// entries have unit second moment, E[S_ij²] = 1, so that
/// ```
/// E‖S x‖² = squaredNormScale · ‖x‖²,   squaredNormScale = m   (every transform but expectedChi)
/// ```
/// A JL norm estimate is therefore `‖Sx‖²/m`, and the QJL estimator uses S as is (theory.md §1.1).
/// ``squaredNormScale`` states the exact factor for each transform.
///
/// Batches are matrices with one vector per row: an n×d batch maps to an n×m batch (`X·Sᵀ`).
public protocol JLTransform<Scalar>: Sendable {
    /// The scalar type (Float or Double).
    associatedtype Scalar: LinearAlgebraScalar

    /// Input dimension d.
    var inputDimension: Int { get }
    /// Sketch dimension m (number of rows of S).
    var sketchDimension: Int { get }
    /// The law of one row of S, which fixes the QJL constant (see ``RowLaw``).
    var rowLaw: RowLaw { get }
    /// Everything needed to rebuild the transform, for manifests and golden files.
    var specification: TransformSpecification { get }
    /// The exact factor c in E‖Sx‖² = c·‖x‖².
    var squaredNormScale: Double { get }

    /// `S·x` for one vector x ∈ R^d.
    /// - Throws: ``TransformError/dimensionMismatch(expected:actual:)`` if `x.count ≠ d`.
    func apply(_ x: [Scalar]) throws(TransformError) -> [Scalar]

    /// `X·Sᵀ` for a batch X (n×d, one vector per row), giving an n×m matrix.
    /// - Throws: ``TransformError/dimensionMismatch(expected:actual:)`` if `X.columns ≠ d`.
    func apply(batch: Matrix<Scalar>) throws(TransformError) -> Matrix<Scalar>

    /// The explicit m×d matrix S, regenerated from the specification.
    func materialize() throws(TransformError) -> Matrix<Scalar>
}

/// The marginal law of one row s of S. Estimators derive their constants from it, never from
/// the transform's name (theory.md §2.1, §2.3–2.5).
public enum RowLaw: Sendable, Hashable, Codable, CustomStringConvertible {
    /// s ~ N(0, I_d): iid Gaussian entries, or any orthogonal rotation of them.
    case gaussian
    /// s = L·u with u uniform on the unit sphere S^{d−1} and a fixed length L.
    case haar(length: Double)
    /// s = χ_d·u with χ_d independent of u: marginally exactly N(0, I_d) (ORF, Yu et al. 2016).
    case haarWithChiLength
    /// s has iid Rademacher (±1) entries (SRHT rows, marginally).
    case rademacher
    /// s has iid entries equal to ±√(m/s) with probability s/m each and 0 otherwise (sparse sign).
    case sparseSign(nonzerosPerColumn: Int, sketchDimension: Int)
    /// s_j = √d·ε_j·C[k, j]: row k of the orthonormal DCT-II C, with k uniform in 0..<d and iid
    /// random signs ε (the rows of a DCT-mixed SRHT, ``SRHT`` with `.dct` mixing). Neither these
    /// rows nor Rademacher rows make the QJL estimator unbiased for any constant (theory.md §2.5).
    case randomSignCosine

    public var description: String {
        switch self {
        case .gaussian: "iid Gaussian rows N(0, I_d)"
        case let .haar(length): "Haar rows of length \(length)"
        case .haarWithChiLength: "Haar rows of independent χ_d length (marginally N(0, I_d))"
        case .rademacher: "±1 (Rademacher) rows"
        case let .sparseSign(s, m): "sparse sign rows (\(s) nonzeros per column of \(m))"
        case .randomSignCosine: "random-sign orthonormal DCT-II rows scaled by √d"
        }
    }
}

/// A transform's identity: family, dimensions, seed and options. Two transforms with equal
/// specifications are bit-identical.
public struct TransformSpecification: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Family name, e.g. "GaussianJL", "OrthogonalJL", "SRHT".
    public var family: String
    /// Input dimension d.
    public var inputDimension: Int
    /// Sketch dimension m.
    public var sketchDimension: Int
    /// Master seed.
    public var seed: UInt64
    /// Family-specific options, e.g. ["rowLength": "chi"], sorted by key when printed.
    public var options: [String: String]
    /// "float" or "double".
    public var precision: String

    public init(family: String, inputDimension: Int, sketchDimension: Int, seed: UInt64,
                options: [String: String] = [:], precision: String) {
        self.family = family
        self.inputDimension = inputDimension
        self.sketchDimension = sketchDimension
        self.seed = seed
        self.options = options
        self.precision = precision
    }

    public var description: String {
        let opts = options.keys.sorted().map { "\($0)=\(options[$0] ?? "")" }.joined(separator: ",")
        return "\(family)(d=\(inputDimension), m=\(sketchDimension), seed=\(seed)\(opts.isEmpty ? "" : ", " + opts), \(precision))"
    }
}

/// Errors from constructing or applying a transform.
public enum TransformError: Error, Equatable, Sendable, CustomStringConvertible {
    /// d ≤ 0 or d above ``maximumInputDimension``.
    case invalidInputDimension(Int)
    /// m ≤ 0 or not allowed for this transform.
    case invalidSketchDimension(Int, reason: String)
    /// An option value is not valid (e.g. sparse sign s > m).
    case invalidOption(String)
    /// A vector or batch has the wrong length.
    case dimensionMismatch(expected: Int, actual: Int)
    /// The underlying linear algebra failed.
    case linearAlgebra(LinearAlgebraError)

    public var description: String {
        switch self {
        case let .invalidInputDimension(d):
            "invalid input dimension d = \(d): must be between 1 and \(maximumInputDimension)"
        case let .invalidSketchDimension(m, reason): "invalid sketch dimension m = \(m): \(reason)"
        case let .invalidOption(detail): "invalid transform option: \(detail)"
        case let .dimensionMismatch(expected, actual): "dimension mismatch: transform expects d = \(expected), got \(actual)"
        case let .linearAlgebra(error): error.description
        }
    }
}

/// The largest input dimension any transform accepts (2²⁰ = 1,048,576); larger d is rejected
/// with ``TransformError/invalidInputDimension(_:)`` rather than attempting a huge allocation.
public let maximumInputDimension = 1 << 20

/// The largest sketch dimension any transform accepts (2²⁰).
public let maximumSketchDimension = 1 << 20
