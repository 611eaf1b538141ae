/// Errors from the linear-algebra layer. Every case names what was wrong in one line.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A dimension was ≤ 0 or otherwise invalid.
    case invalidDimension(name: String, value: Int)
    /// Two operands do not have compatible shapes.
    case shapeMismatch(String)
    /// A size does not fit the 32-bit indices of BLAS/LAPACK/FFTW.
    case sizeTooLarge(name: String, value: Int)
    /// The element count does not equal rows × columns.
    case elementCountMismatch(expected: Int, actual: Int)
    /// LAPACK reported a failure (its `info` code).
    case lapackFailure(routine: String, info: Int32)
    /// FFTW could not create a plan.
    case fftwPlanFailure(length: Int)

    public var description: String {
        switch self {
        case let .invalidDimension(name, value): "invalid \(name) \(value): must be ≥ 1"
        case let .shapeMismatch(detail): "shape mismatch: \(detail)"
        case let .sizeTooLarge(name, value): "\(name) \(value) exceeds the 32-bit BLAS/LAPACK limit \(Int32.max)"
        case let .elementCountMismatch(expected, actual): "matrix needs \(expected) elements, got \(actual)"
        case let .lapackFailure(routine, info): "LAPACK \(routine) failed with info = \(info)"
        case let .fftwPlanFailure(length): "FFTW could not plan a transform of length \(length)"
        }
    }
}

@usableFromInline
func blasInt(_ value: Int, _ name: String) throws(LinearAlgebraError) -> Int32 {
    guard let converted = Int32(exactly: value) else { throw .sizeTooLarge(name: name, value: value) }
    return converted
}
