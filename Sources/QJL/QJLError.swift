import JLLinearAlgebra
import JLTransforms

/// Errors from building QJL sketches, estimating inner products and scoring attention.
/// Every case names what was wrong and what to pass instead.
public enum QJLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key, query or value entry is NaN or ±∞ (`what` names the input, `index` the flat position).
    case nonFiniteInput(what: String, index: Int)
    /// Two inputs that must agree in length do not.
    case dimensionMismatch(what: String, expected: Int, actual: Int)
    /// The sketch dimension m is < 1.
    case invalidSketchDimension(Int)
    /// The outlier sketch dimension m_O is not in 1...m.
    case invalidOutlierSketchDimension(Int, sketchDimension: Int)
    /// The group size is < 1.
    case invalidGroupSize(Int)
    /// The number of keys is not a multiple of the group size.
    case groupSizeDoesNotDivide(tokens: Int, groupSize: Int)
    /// More outlier channels were requested than d − 1 (at least one inlier channel must remain).
    case tooManyOutliers(outlierCount: Int, channels: Int)
    /// The thread count is < 1.
    case invalidThreadCount(Int)
    /// A key norm overflows the chosen storage precision (e.g. > 65504 in Float16).
    case normNotRepresentable(key: Int, norm: Double, precision: NormPrecision)
    /// An argument outside its domain (e.g. top-k of 0).
    case invalidArgument(String)
    /// The underlying transform failed.
    case transform(TransformError)

    public var description: String {
        switch self {
        case let .nonFiniteInput(what, index):
            "non-finite input: \(what) has NaN or ±∞ at flat index \(index); clean the input first"
        case let .dimensionMismatch(what, expected, actual):
            "dimension mismatch for \(what): expected \(expected), got \(actual)"
        case let .invalidSketchDimension(m):
            "invalid sketch dimension m = \(m): must be at least 1"
        case let .invalidOutlierSketchDimension(mO, m):
            "invalid outlier sketch dimension m_O = \(mO): must be between 1 and m = \(m)"
        case let .invalidGroupSize(g):
            "invalid group size \(g): must be at least 1"
        case let .groupSizeDoesNotDivide(tokens, groupSize):
            "group size \(groupSize) does not divide the \(tokens) tokens; pass a multiple of the group size"
        case let .tooManyOutliers(count, channels):
            "more outliers than channels allow: \(count) outliers for d = \(channels); use at most d − 1 = \(channels - 1)"
        case let .invalidThreadCount(t):
            "invalid thread count \(t): must be at least 1"
        case let .normNotRepresentable(key, norm, precision):
            "key \(key) has norm \(norm), which overflows \(precision); store norms as .float32 or rescale the keys"
        case let .invalidArgument(detail):
            "invalid argument: \(detail)"
        case let .transform(error):
            "transform failed: \(error.description)"
        }
    }
}

/// Throws ``QJLError/nonFiniteInput(what:index:)`` at the first NaN/±∞ entry.
///
/// Pre-specialized for Float and Double and deliberately not inlinable: callers that are
/// generic over the scalar (most of this module, called unspecialized from other modules)
/// dispatch at run time to the specialized loop instead of running it through witness tables.
/// The scan is `FiniteCheck.firstNonFiniteIndex` (JLLinearAlgebra: a vectorized maximum of
/// the exponent fields); the index is searched only on failure.
/// - Complexity: O(n).
@usableFromInline
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func validateFinite<Scalar: BinaryFloatingPoint>(_ values: [Scalar], what: String) throws(QJLError) {
    let bad: Int? = values.withUnsafeBufferPointer { FiniteCheck.firstNonFiniteIndex($0) }
    if let bad { throw .nonFiniteInput(what: what, index: bad) }
}
