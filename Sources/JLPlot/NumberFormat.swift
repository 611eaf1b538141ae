#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Base-10 logarithm, named so that it does not collide with `AxisScale.log10`.
@inline(__always)
func decimalLog(_ value: Double) -> Double { log10(value) }

/// 10^exponent for an integer exponent.
@inline(__always)
func powerOfTen(_ exponent: Int) -> Double { pow(10.0, Double(exponent)) }

/// Locale-independent, deterministic number formatting (no `String(format:)`, no Foundation).
enum NumberFormat {
    /// `value` rounded half away from zero to `decimals` places, as a decimal string.
    /// With `trimZeros`, trailing fractional zeros (and a dangling point) are removed.
    /// Non-finite input formats as "0" (callers never pass it; this keeps output NaN-free).
    static func fixed(_ value: Double, decimals: Int, trimZeros: Bool = true) -> String {
        guard value.isFinite else { return "0" }
        let places = min(max(decimals, 0), 12)
        let scale = powerOfTen(places)
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e15 else { return scientific(value, mantissaDecimals: 3) }
        let integerScale = UInt64(scale)
        let magnitude = UInt64(scaled)
        let integerPart = magnitude / integerScale
        let fractionPart = magnitude % integerScale
        var text = (value < 0 && magnitude != 0) ? "-" : ""
        text += String(integerPart)
        if places > 0 {
            var fraction = String(fractionPart)
            if fraction.count < places {
                fraction = String(repeating: "0", count: places - fraction.count) + fraction
            }
            if trimZeros {
                while fraction.last == "0" { fraction.removeLast() }
            }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return text
    }

    /// Compact scientific notation `m e k`, e.g. `1e-3`, `2.5e6`, with the mantissa rounded to
    /// `mantissaDecimals` places and trailing zeros trimmed.
    static func scientific(_ value: Double, mantissaDecimals: Int = 2) -> String {
        guard value.isFinite, value != 0 else { return "0" }
        var exponent = Int(decimalLog(abs(value)).rounded(.down))
        let places = min(max(mantissaDecimals, 0), 6)
        var mantissa = value / powerOfTen(exponent)
        let scale = powerOfTen(places)
        mantissa = (mantissa * scale).rounded() / scale
        if abs(mantissa) >= 10 {
            exponent += 1
            mantissa /= 10
        } else if abs(mantissa) < 1 {
            exponent -= 1
            mantissa *= 10
        }
        return fixed(mantissa, decimals: places) + "e" + String(exponent)
    }

    /// Whether |v| is outside the decimal-notation window 0.01 ≤ |v| < 1e5.
    static func needsScientific(_ magnitude: Double) -> Bool {
        magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-2)
    }

    /// Coordinate formatting: two decimals, trimmed.
    static func coordinate(_ value: Double) -> String { fixed(value, decimals: 2) }

    /// A compact tick label for `value` on an axis whose tick spacing is about `step`.
    ///
    /// Decimal notation for 0.01 ≤ |v| < 1e5, scientific otherwise, with just enough digits to
    /// tell neighbouring ticks apart.
    static func tickLabel(_ value: Double, step: Double, scientific forceScientific: Bool = false) -> String {
        guard value.isFinite else { return "0" }
        let safeStep = (step.isFinite && step > 0) ? step : max(abs(value), 1)
        if abs(value) < safeStep * 1e-9 { return "0" }
        let stepExponent = Int(decimalLog(safeStep).rounded(.down))
        let magnitude = abs(value)
        if forceScientific || needsScientific(magnitude) {
            let valueExponent = Int(decimalLog(magnitude).rounded(.down))
            return scientific(value, mantissaDecimals: max(0, min(6, valueExponent - stepExponent)))
        }
        return fixed(value, decimals: max(0, -stepExponent))
    }
}

/// 10^t for real t.
@inline(__always)
func realPow10(_ exponent: Double) -> Double { pow(10.0, exponent) }
