/// The precision in which a sketch stores its scalar norms (key norms, outlier norms).
///
/// The choice is explicit because it changes the ledger: `.float16` takes 16 bits per norm
/// (the official QJL code stores norms in the key dtype, fp16/bf16; theory.md §3.2),
/// `.float32` takes 32. Rounding is IEEE round-to-nearest-even; a Float16 norm has relative
/// error ≤ 2⁻¹¹, and norms above 65504 are rejected rather than stored as ∞.
public enum NormPrecision: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// IEEE 754 binary16, stored as its 16-bit pattern.
    case float16
    /// IEEE 754 binary32.
    case float32

    /// Bits per stored norm: 16 or 32.
    public var bitsPerNorm: Int { self == .float16 ? 16 : 32 }

    public var description: String { rawValue }

    /// The value `norm` reads back as after storage at this precision.
    public func rounded(_ norm: Double) -> Float {
        switch self {
        case .float32: Float(norm)
        case .float16: HalfPrecision.float(fromBits: HalfPrecision.bits(from: Float(norm)))
        }
    }
}

/// Portable IEEE binary16 conversion (Swift's `Float16` is unavailable on macOS x86_64), so the
/// stored layout is the same 16-bit pattern on every platform.
public enum HalfPrecision {
    /// The binary16 pattern nearest to `value` (round to nearest, ties to even; overflow → ±∞).
    /// - Complexity: O(1).
    @inlinable
    public static func bits(from value: Float) -> UInt16 {
        let pattern = value.bitPattern
        let sign = UInt16((pattern >> 16) & 0x8000)
        let exponent = Int((pattern >> 23) & 0xFF)
        var mantissa = pattern & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 31 { return sign | 0x7C00 }
        if halfExponent <= 0 {
            if halfExponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = mantissa >> shift
            let remainder = mantissa & ((UInt32(1) << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = (UInt32(halfExponent) << 10) | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// The Float value of a binary16 pattern (exact).
    /// - Complexity: O(1).
    @inlinable
    public static func float(fromBits bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 { return sign * Float(mantissa) * 0x1p-24 }
        if exponent == 31 {
            return Float(bitPattern: (bits & 0x8000 != 0 ? 0x8000_0000 : 0) | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: (bits & 0x8000 != 0 ? 0x8000_0000 : 0)
            | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
    }
}

/// Norms as stored: one contiguous array in the chosen precision.
@usableFromInline
enum StoredNorms: Sendable, Hashable {
    case float16([UInt16])
    case float32([Float])

    @usableFromInline
    init(_ norms: [Double], precision: NormPrecision) throws(QJLError) {
        switch precision {
        case .float32:
            var stored = [Float]()
            stored.reserveCapacity(norms.count)
            for (index, norm) in norms.enumerated() {
                let value = Float(norm)
                guard value.isFinite else { throw .normNotRepresentable(key: index, norm: norm, precision: precision) }
                stored.append(value)
            }
            self = .float32(stored)
        case .float16:
            var stored = [UInt16]()
            stored.reserveCapacity(norms.count)
            for (index, norm) in norms.enumerated() {
                let bits = HalfPrecision.bits(from: Float(norm))
                guard bits & 0x7C00 != 0x7C00 else { throw .normNotRepresentable(key: index, norm: norm, precision: precision) }
                stored.append(bits)
            }
            self = .float16(stored)
        }
    }

    @usableFromInline var count: Int {
        switch self {
        case let .float16(values): values.count
        case let .float32(values): values.count
        }
    }

    @usableFromInline var allocatedBytes: Int {
        switch self {
        case let .float16(values): values.count * MemoryLayout<UInt16>.stride
        case let .float32(values): values.count * MemoryLayout<Float>.stride
        }
    }

    @usableFromInline func value(_ index: Int) -> Float {
        switch self {
        case let .float16(values): HalfPrecision.float(fromBits: values[index])
        case let .float32(values): values[index]
        }
    }

    @usableFromInline var decoded: [Float] {
        switch self {
        case let .float16(values): values.map(HalfPrecision.float(fromBits:))
        case let .float32(values): values
        }
    }
}
