/// The scan that every module's "no NaN or ±∞ in the input" check runs (QJL projections and
/// norms, KV cache keys and values).
package enum FiniteCheck {
    /// The index of the first NaN or ±∞ in `values`, or nil when all are finite.
    ///
    /// ```
    /// x is finite  ⇔  (bits(x) & exponentMask) ≠ exponentMask      (IEEE 754 binary32/binary64)
    /// ```
    /// For Float and Double the scan is a maximum of the exponent fields (no early exit, so it
    /// vectorizes: about 10× the speed of an `isFinite` loop); the index is searched only when that
    /// maximum is the all-ones exponent. Other types take `isFinite` element by element.
    /// - Complexity: O(n).
    package static func firstNonFiniteIndex<Scalar: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<Scalar>) -> Int? {
        let allFinite: Bool
        if Scalar.self == Float.self {
            allFinite = values.withMemoryRebound(to: UInt32.self) { maximumExponentField(float: $0) } != 0x7F80_0000
        } else if Scalar.self == Double.self {
            allFinite = values.withMemoryRebound(to: UInt64.self) { maximumExponentField(double: $0) }
                != 0x7FF0_0000_0000_0000
        } else {
            allFinite = values.allSatisfy(\.isFinite)
        }
        return allFinite ? nil : values.firstIndex { !$0.isFinite }
    }

    // Concrete (non-generic) loops: a generic one would run through witness tables when the
    // caller is unspecialized, which is how the QJL and cache checks reach this file.

    /// max over the words of `bits & 0x7F80_0000` (binary32 exponent field).
    private static func maximumExponentField(float words: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var largest: UInt32 = 0
        for word in words { largest = Swift.max(largest, word & 0x7F80_0000) }
        return largest
    }

    /// max over the words of `bits & 0x7FF0_0000_0000_0000` (binary64 exponent field).
    private static func maximumExponentField(double words: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var largest: UInt64 = 0
        for word in words { largest = Swift.max(largest, word & 0x7FF0_0000_0000_0000) }
        return largest
    }
}
