#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic, locale-independent number formatting for tables that print theory next to
/// empirical values.
///
/// Uses C `printf` conversions in the `C` locale (Swift programs never call `setlocale`), so the
/// decimal separator is always `.`. Non-finite values print as `nan`, `inf`, `-inf`.
public enum NumberFormat {
    /// `x` with `digits` significant digits, `%.{digits}g` (trailing zeros dropped, exponent form
    /// below 1e-4 or from 10^digits on). `digits` is clamped to 1...17.
    ///
    /// ```
    /// significant(0.158655253931457, digits: 4) == "0.1587"
    /// significant(1234567, digits: 3)           == "1.23e+06"
    /// ```
    /// - Complexity: O(1).
    public static func significant(_ x: Double, digits: Int) -> String {
        if let special = nonFinite(x) { return special }
        return cFormat("%.*g", Int32(min(max(digits, 1), 17)), x)
    }

    /// `x` with `decimals` digits after the point, `%.{decimals}f`. `decimals` is clamped to 0...20.
    ///
    /// ```
    /// fixed(2.0 / 3.0, decimals: 3) == "0.667"
    /// ```
    /// - Complexity: O(number of integer digits of x).
    public static func fixed(_ x: Double, decimals: Int) -> String {
        if let special = nonFinite(x) { return special }
        return cFormat("%.*f", Int32(min(max(decimals, 0), 20)), x)
    }

    /// `x` in exponent form with `digits` significant digits, `%.{digits-1}e`; clamped to 1...17.
    ///
    /// ```
    /// scientific(0.000123456, digits: 3) == "1.23e-04"
    /// ```
    /// - Complexity: O(1).
    public static func scientific(_ x: Double, digits: Int) -> String {
        if let special = nonFinite(x) { return special }
        return cFormat("%.*e", Int32(min(max(digits, 1), 17) - 1), x)
    }

    static func nonFinite(_ x: Double) -> String? {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return nil
    }

    static func cFormat(_ format: String, _ precision: Int32, _ x: Double) -> String {
        // %f of the largest Double has 309 integer digits; 400 bytes hold that plus 20 decimals.
        var buffer = [CChar](repeating: 0, count: 400)
        let written = withVaList([precision, x]) { arguments in
            buffer.withUnsafeMutableBufferPointer { pointer in
                vsnprintf(pointer.baseAddress, pointer.count, format, arguments)
            }
        }
        guard written > 0 else { return "" }
        let length = min(Int(written), buffer.count - 1)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
