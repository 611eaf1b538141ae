import JLLinearAlgebra
import JLStatistics
import JLTransforms
import QJL

/// Errors from building Lloyd–Max codebooks and TurboQuant quantizers (arXiv 2504.19874).
/// Every case names what was wrong and what to pass instead.
public enum TurboQuantError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bit width b is outside the supported range.
    case invalidBits(Int, allowed: ClosedRange<Int>)
    /// The input dimension d is too small (the sphere-coordinate law needs d ≥ 2).
    case invalidDimension(Int, minimum: Int)
    /// The QJL sketch dimension m is < 1.
    case invalidSketchDimension(Int)
    /// A tolerance or iteration cap is not positive.
    case invalidIterationSettings(tolerance: Double, maximumIterations: Int)
    /// Lloyd's iteration did not reach the tolerance within the iteration cap.
    case didNotConverge(bits: Int, iterations: Int, lastChange: Double)
    /// A codebook does not fit the quantizer (wrong law or dimension).
    case codebookMismatch(String)
    /// Two inputs that must agree in length do not.
    case dimensionMismatch(what: String, expected: Int, actual: Int)
    /// An input entry is NaN or ±∞ (`index` is the flat position).
    case nonFiniteInput(what: String, index: Int)
    /// A norm overflows the chosen storage precision (e.g. > 65504 in Float16).
    case normNotRepresentable(vector: Int, norm: Double, precision: NormPrecision)
    /// A vector index is outside the stored range.
    case indexOutOfRange(Int, count: Int)
    /// The linear-algebra layer failed.
    case linearAlgebra(LinearAlgebraError)
    /// A transform failed.
    case transform(TransformError)
    /// The QJL layer failed.
    case qjl(QJLError)
    /// A special function was called outside its domain.
    case statistics(StatisticsError)

    public var description: String {
        switch self {
        case let .invalidBits(b, allowed):
            "invalid bit width b = \(b): must be in \(allowed.lowerBound)...\(allowed.upperBound)"
        case let .invalidDimension(d, minimum):
            "invalid input dimension d = \(d): must be at least \(minimum)"
        case let .invalidSketchDimension(m):
            "invalid QJL sketch dimension m = \(m): must be at least 1"
        case let .invalidIterationSettings(tolerance, maximumIterations):
            "invalid Lloyd settings (tolerance \(tolerance), maximum iterations \(maximumIterations)): both must be positive"
        case let .didNotConverge(bits, iterations, lastChange):
            "Lloyd–Max for b = \(bits) did not converge in \(iterations) iterations (last change \(lastChange)); raise maximumIterations or the tolerance"
        case let .codebookMismatch(detail):
            "codebook does not fit the quantizer: \(detail)"
        case let .dimensionMismatch(what, expected, actual):
            "dimension mismatch for \(what): expected \(expected), got \(actual)"
        case let .nonFiniteInput(what, index):
            "non-finite input: \(what) has NaN or ±∞ at flat index \(index); clean the input first"
        case let .normNotRepresentable(vector, norm, precision):
            "vector \(vector) has norm \(norm), which overflows \(precision); store norms as .float32 or rescale the input"
        case let .indexOutOfRange(index, count):
            "vector index \(index) outside 0..<\(count)"
        case let .linearAlgebra(error): "linear algebra failed: \(error.description)"
        case let .transform(error): "transform failed: \(error.description)"
        case let .qjl(error): "QJL stage failed: \(error.description)"
        case let .statistics(error): "special function failed: \(error.description)"
        }
    }
}

/// Throws ``TurboQuantError/nonFiniteInput(what:index:)`` at the first NaN/±∞ entry.
@inlinable
func validateFinite<Scalar: BinaryFloatingPoint>(_ values: [Scalar], what: String) throws(TurboQuantError) {
    for (index, value) in values.enumerated() where !value.isFinite {
        throw .nonFiniteInput(what: what, index: index)
    }
}
