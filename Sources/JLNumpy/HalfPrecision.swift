// JLNumpy: IEEE 754 binary16 ↔ binary64 conversion on bit patterns, portable to platforms
// without `Float16` (macOS on x86_64), so `<f2` files read and write everywhere.

/// Conversions between IEEE binary16 bit patterns and `Double`.
///
/// ```
/// h = s·1 | e·5 | f·10 bits
/// e = 0:        (−1)^s · f · 2^−24                 (subnormal, zero)
/// 1 ≤ e ≤ 30:   (−1)^s · (1024 + f) · 2^(e−25)     (normal)
/// e = 31:       ±∞ if f = 0, NaN otherwise
/// ```
///
/// Encoding rounds to nearest, ties to even, straight from binary64 (one rounding), and maps
/// |x| ≥ 65520 to ±∞, exactly like NumPy's `npy_double_to_half`.
///
/// - Complexity: O(1) per value.
/// - Source: IEEE 754-2019 §3.6 (binary16), §4.3.1 (roundTiesToEven).
public enum HalfPrecision {
    /// The exact `Double` value of a binary16 bit pattern (every binary16 value is a binary64 value).
    ///
    /// ```
    /// double(h) = (−1)^s · (e == 0 ? f·2^−24 : (1024+f)·2^(e−25)),  NaN payload kept in the top bits
    /// ```
    ///
    /// - Complexity: O(1).
    /// - Source: IEEE 754-2019 §3.4.
    @inlinable
    public static func double(fromBits bits: UInt16) -> Double {
        let sign = UInt64(bits >> 15) << 63
        let exponent = UInt64((bits >> 10) & 0x1F)
        let fraction = UInt64(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Double(fraction) * 0x1p-24  // exact: fraction < 2^10
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Double(bitPattern: sign | (0x7FF << 52) | (fraction << 42))
        default:
            return Double(bitPattern: sign | ((exponent + 1008) << 52) | (fraction << 42))
        }
    }

    /// The binary16 bit pattern nearest to `value` (ties to even; overflow to ±∞; NaN stays NaN).
    ///
    /// ```
    /// |x| < 2^−14:   bits = round_even(|x| · 2^24)                (subnormal; 1024 ↦ smallest normal)
    /// |x| < 65520:   m = round_even(|x| / 2^E · 2^10), E = ⌊log₂|x|⌋; m = 2048 ⇒ E += 1, m = 1024
    ///                bits = (E + 15) << 10 | (m − 1024)
    /// otherwise:     ±∞;   NaN: 0x7C00 | (payload >> 42), forced non-zero
    /// ```
    ///
    /// - Complexity: O(1).
    /// - Source: IEEE 754-2019 §4.3.1; NumPy `npy_double_to_half` (same results, own code).
    @inlinable
    public static func bits(from value: Double) -> UInt16 {
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        if value.isNaN {
            let payload = UInt16(truncatingIfNeeded: (value.bitPattern & 0x000F_FFFF_FFFF_FFFF) >> 42)
            return sign | 0x7C00 | (payload == 0 ? 1 : payload)
        }
        let magnitude = value.magnitude
        if magnitude >= 65520 { return sign | 0x7C00 }  // includes +∞; 65520 ties to even → 2^16
        if magnitude < 0x1p-14 {
            // Scaling by 2^24 is exact; the result is at most 1024 (then it is the smallest normal).
            let scaled = (magnitude * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(truncatingIfNeeded: Int(scaled))
        }
        var exponent = Int(magnitude.exponent)  // −14 … 15
        var mantissa = (magnitude.significand * 1024).rounded(.toNearestOrEven)  // 1024 … 2048, exact scaling
        if mantissa == 2048 {
            exponent += 1
            mantissa = 1024
        }
        if exponent > 15 { return sign | 0x7C00 }
        let biased = UInt16(truncatingIfNeeded: exponent + 15) << 10
        return sign | biased | UInt16(truncatingIfNeeded: Int(mantissa) - 1024)
    }
}
