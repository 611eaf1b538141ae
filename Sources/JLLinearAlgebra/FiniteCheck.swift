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
            allFinite = maximumExponentField(values, as: UInt32.self, mask: 0x7F80_0000) != 0x7F80_0000
        } else if Scalar.self == Double.self {
            allFinite = maximumExponentField(values, as: UInt64.self, mask: 0x7FF0_0000_0000_0000) != 0x7FF0_0000_0000_0000
        } else {
            allFinite = values.allSatisfy(\.isFinite)
        }
        return allFinite ? nil : values.firstIndex { !$0.isFinite }
    }

    /// The largest `bits & mask` over the buffer reinterpreted as `Word`s (same size as Scalar).
    private static func maximumExponentField<Scalar, Word: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<Scalar>, as _: Word.Type, mask: Word
    ) -> Word {
        assert(MemoryLayout<Scalar>.size == MemoryLayout<Word>.size)
        guard let base = values.baseAddress else { return 0 }
        let words = UnsafeRawPointer(base).assumingMemoryBound(to: Word.self)
        var largest: Word = 0
        for i in 0..<values.count { largest = Swift.max(largest, words[i] & mask) }
        return largest
    }
}
