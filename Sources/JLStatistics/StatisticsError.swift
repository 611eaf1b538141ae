/// Errors thrown by JLStatistics when an argument is outside the domain of a function.
///
/// Every case carries the offending value so the message says what to change.
public enum StatisticsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A probability-like argument was not strictly inside (0, 1).
    case probabilityOutOfRange(name: String, value: Double)
    /// A real argument was NaN, infinite, or outside its documented domain.
    case invalidArgument(name: String, value: Double, requirement: String)
    /// An integer argument was outside its documented domain.
    case invalidCount(name: String, value: Int, requirement: String)
    /// A sample or a CDF value was not usable (empty input, NaN, CDF outside [0, 1]).
    case invalidSample(reason: String)

    public var description: String {
        switch self {
        case let .probabilityOutOfRange(name, value):
            return "\(name) = \(value) must lie strictly between 0 and 1."
        case let .invalidArgument(name, value, requirement):
            return "\(name) = \(value) is invalid: it must be \(requirement)."
        case let .invalidCount(name, value, requirement):
            return "\(name) = \(value) is invalid: it must be \(requirement)."
        case let .invalidSample(reason):
            return "Invalid sample: \(reason)."
        }
    }
}

@usableFromInline
func requireOpenUnitInterval(_ value: Double, _ name: String) throws(StatisticsError) {
    guard value > 0, value < 1 else { throw .probabilityOutOfRange(name: name, value: value) }
}

@usableFromInline
func requirePositiveFinite(_ value: Double, _ name: String) throws(StatisticsError) {
    guard value.isFinite, value > 0 else {
        throw .invalidArgument(name: name, value: value, requirement: "finite and > 0")
    }
}
