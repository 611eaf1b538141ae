import QJL

/// Errors from the quantized KV cache layer. Every case names what was wrong in one line.
public enum KVCacheError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A group size does not divide the length it partitions (head dimension or buffer size).
    case groupSizeNotDividing(what: String, groupSize: Int, length: Int)
    /// A bit width outside the supported set.
    case bitsNotAllowed(bits: Int, allowed: [Int])
    /// A vector or matrix has the wrong length or shape.
    case dimensionMismatch(what: String, expected: Int, actual: Int)
    /// An input entry is NaN or ±∞.
    case nonFiniteInput(what: String, index: Int)
    /// An input that must hold at least one token or entry is empty.
    case emptyInput(what: String)
    /// A size parameter is out of its allowed range (e.g. a head dimension ≤ 0).
    case invalidParameter(name: String, value: Int, requirement: String)
    /// A group's minimum or scale does not fit Float16 (|value| > 65504).
    case halfPrecisionOverflow(what: String, value: Double)
    /// A QJL sketch or transform operation failed (``QJLKeyQuantizer``); the wrapped error says why.
    case sketch(QJLError)

    public var description: String {
        switch self {
        case let .groupSizeNotDividing(what, groupSize, length):
            "\(what) group size \(groupSize) does not divide \(length); choose a divisor of \(length)"
        case let .bitsNotAllowed(bits, allowed):
            "\(bits) bits per code is not supported; use one of \(allowed)"
        case let .dimensionMismatch(what, expected, actual):
            "\(what) has length \(actual), expected \(expected)"
        case let .nonFiniteInput(what, index):
            "\(what) has a NaN or infinite entry at index \(index); quantize finite values only"
        case let .emptyInput(what):
            "\(what) is empty; pass at least one token"
        case let .invalidParameter(name, value, requirement):
            "invalid \(name) \(value): must be \(requirement)"
        case let .halfPrecisionOverflow(what, value):
            "\(what) \(value) exceeds the Float16 range ±65504; rescale the input"
        case let .sketch(error):
            "QJL key sketch failed: \(error.description)"
        }
    }
}

/// Checks that every entry of `values` is finite.
@usableFromInline
func requireFinite<Scalar: BinaryFloatingPoint>(
    _ values: some Collection<Scalar>, _ what: String
) throws(KVCacheError) {
    for (index, value) in values.enumerated() where !value.isFinite {
        throw .nonFiniteInput(what: what, index: index)
    }
}
