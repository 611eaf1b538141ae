#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic, locale-independent number formatting for notebook prose and tables
/// (no `String(format:)`, no Foundation formatters), so the same run gives the same bytes.
///
/// ```
/// fixed(x, n)        x rounded half away from zero to n decimals      fixed(3.14159, 3) = "3.142"
/// significant(x, n)  n significant digits, decimal for 1e-4 ≤ |x| < 1e6, else scientific
///                    significant(0.0023356, 4) = "0.002336",  significant(1.5e-7, 3) = "1.5e-7"
/// scientific(x, n)   mantissa with n decimals (trailing zeros trimmed) and an integer exponent
/// ```
/// Non-finite values format as "nan", "inf" or "-inf".
/// - Complexity: O(number of digits).
/// - Source: —
public enum NumberFormatting {
    /// `value` with exactly `decimals` places (0…15), rounded half away from zero.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        if let special = nonFinite(value) { return special }
        let places = min(max(decimals, 0), 15)
        let scale = pow(10.0, Double(places))
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15 else { return scientific(value, mantissaDecimals: 3) }
        let magnitude = UInt64(scaled)
        let integerScale = UInt64(scale)
        var text = (value < 0 && magnitude != 0) ? "-" : ""
        text += String(magnitude / integerScale)
        if places > 0 {
            let fraction = String(magnitude % integerScale)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return text
    }

    /// `value` with `digits` (1…15) significant digits; scientific outside 1e-4 ≤ |x| < 1e6.
    public static func significant(_ value: Double, digits: Int) -> String {
        if let special = nonFinite(value) { return special }
        if value == 0 { return "0" }
        let places = min(max(digits, 1), 15)
        let magnitude = abs(value)
        var exponent = Int(log10(magnitude).rounded(.down))
        // Rounding can carry into the next decade (9.9996 → 10.00): recompute the exponent.
        let rounded = (magnitude / pow(10.0, Double(exponent - places + 1))).rounded(.toNearestOrAwayFromZero)
        if rounded >= pow(10.0, Double(places)) { exponent += 1 }
        if magnitude < 1e-4 || magnitude >= 1e6 { return scientific(value, mantissaDecimals: places - 1) }
        return fixed(value, decimals: max(0, places - 1 - exponent))
    }

    /// Scientific notation `m e k` with `mantissaDecimals` places, trailing zeros trimmed.
    public static func scientific(_ value: Double, mantissaDecimals: Int) -> String {
        if let special = nonFinite(value) { return special }
        if value == 0 { return "0" }
        let places = min(max(mantissaDecimals, 0), 15)
        var exponent = Int(log10(abs(value)).rounded(.down))
        var mantissa = value / pow(10.0, Double(exponent))
        let scale = pow(10.0, Double(places))
        mantissa = (mantissa * scale).rounded(.toNearestOrAwayFromZero) / scale
        if abs(mantissa) >= 10 {
            mantissa /= 10
            exponent += 1
        }
        var text = fixed(mantissa, decimals: places)
        if text.contains(".") {
            while text.last == "0" { text.removeLast() }
            if text.last == "." { text.removeLast() }
        }
        return text + "e" + String(exponent)
    }

    private static func nonFinite(_ value: Double) -> String? {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return nil
    }
}

extension BinaryFloatingPoint {
    /// This value with exactly `decimals` places (``NumberFormatting/fixed(_:decimals:)``).
    ///
    /// ```
    /// (0.5314186).fixed(4) == "0.5314"
    /// ```
    /// - Complexity: O(digits).
    /// - Source: —
    public func fixed(_ decimals: Int) -> String {
        NumberFormatting.fixed(Double(self), decimals: decimals)
    }

    /// This value with `digits` significant digits (``NumberFormatting/significant(_:digits:)``).
    ///
    /// ```
    /// (0.0233561).significant(4) == "0.02336"
    /// ```
    /// - Complexity: O(digits).
    /// - Source: —
    public func significant(_ digits: Int) -> String {
        NumberFormatting.significant(Double(self), digits: digits)
    }

    /// This value in scientific notation (``NumberFormatting/scientific(_:mantissaDecimals:)``).
    ///
    /// ```
    /// (0.00012345).scientific(2) == "1.23e-4"
    /// ```
    /// - Complexity: O(digits).
    /// - Source: —
    public func scientific(_ mantissaDecimals: Int) -> String {
        NumberFormatting.scientific(Double(self), mantissaDecimals: mantissaDecimals)
    }
}
