/// Asymmetric min–max rounding to nearest with Float16 parameters, the scalar quantizer shared by
/// the value cache (theory.md §3.5) and the KIVI baseline (arXiv 2402.02750).
///
/// For a group with minimum `lo` and maximum `hi` and L = 2^b − 1:
/// ```
/// minimum = fp16(lo)                          (round to nearest)
/// scale   = fp16((hi − lo) / L)               (round to nearest; 0 when hi == lo)
/// code    = clamp(roundHalfEven((x − minimum) / scale), 0, L)    (0 when scale == 0)
/// x̂       = code · scale + minimum
/// ```
/// The *stored* (Float16-rounded) minimum and scale are the ones used to compute the codes, so
/// decoding from storage reproduces exactly the x̂ the encoder had in mind. Half-to-even rounding
/// matches `torch.round` in the official code.
///
/// Error bound [derived]: let s = (hi − lo)/L (exact), δ_min = minimum − lo, δ_s = scale − s. For
/// every x in [lo, hi],
/// ```
/// |x − x̂| ≤ scale/2 + |δ_min| + L·|δ_s|
/// ```
/// Proof: if t = (x − minimum)/scale ∈ [0, L], rounding moves t by ≤ 1/2, so |x − x̂| ≤ scale/2.
/// If t < 0 (only when minimum > lo), x̂ = minimum and 0 < minimum − x ≤ δ_min. If t > L, x̂ =
/// minimum + L·scale and 0 < x − x̂ ≤ hi − lo − δ_min − L·scale = −δ_min − L·δ_s. When scale
/// underflows to 0, x̂ = minimum and |x − x̂| ≤ |δ_min| + (hi − lo) = |δ_min| + L·|δ_s|. In the
/// normal Float16 range |δ_min| ≤ 2^−11·|lo| and |δ_s| ≤ 2^−11·s. Evaluating in `Scalar` adds a
/// few ulps of max(|x|, |x̂|).
@usableFromInline
enum MinMaxRounding {
    /// The Float16 (scale, minimum) of a group with the given extremes.
    /// - Throws: `.halfPrecisionOverflow` if either does not fit Float16.
    @inlinable
    static func parameters<Scalar: BinaryFloatingPoint>(
        lower: Scalar, upper: Scalar, maximumCode: Int, what: String
    ) throws(KVCacheError) -> (scale: Float16, minimum: Float16) {
        let minimum = Float16(lower)
        guard minimum.isFinite else {
            throw .halfPrecisionOverflow(what: "\(what) minimum", value: Double(lower))
        }
        let exactScale = (upper - lower) / Scalar(maximumCode)
        let scale = Float16(exactScale)
        guard exactScale.isFinite, scale.isFinite else {
            throw .halfPrecisionOverflow(what: "\(what) scale", value: Double(exactScale))
        }
        return (scale, minimum)
    }

    /// The code of x given the stored scale and minimum (converted to `Scalar`).
    ///
    /// Evaluated without library calls or generic integer conversion: t is clamped to
    /// [0, maximumCode] first (the same code as clamping after rounding, since the bounds are
    /// integers), then rounded half-to-even by adding C = 1.5·2^p (p = significand bits), which in
    /// the default rounding mode leaves round(t) in the low significand bits of t + C
    /// (exact for 0 ≤ t ≤ 2^(p−1), far beyond the largest code 2^8 − 1).
    /// ```
    /// t = clamp((x − minimum)/scale, 0, maximumCode)
    /// code = roundHalfEven(t) = lowBits(t + C)      (= clamp(roundHalfEven((x − minimum)/scale), 0, L))
    /// ```
    @inlinable
    static func code<Scalar: BinaryFloatingPoint>(
        _ x: Scalar, scale: Scalar, minimum: Scalar, maximumCode: Scalar
    ) -> UInt32 {
        guard scale > 0 else { return 0 }
        let t = Swift.min(Swift.max((x - minimum) / scale, 0), maximumCode)
        let shifter = Scalar(sign: .plus, exponent: Scalar.Exponent(Scalar.significandBitCount), significand: 1.5)
        let shifted = t + shifter
        let lowBits = UInt64(truncatingIfNeeded: shifted.significandBitPattern)
            & ((UInt64(1) << UInt64(Scalar.significandBitCount - 1)) - 1)
        return UInt32(truncatingIfNeeded: lowBits)
    }

    /// The value of a finite Float16 as Float, without a library call: the 15 magnitude bits
    /// moved into Float position and rescaled by 2^112 (exact for normal and subnormal halves),
    /// then the sign bit. Non-finite halves (never stored: ``parameters(lower:upper:maximumCode:what:)``
    /// rejects them) take the ordinary conversion.
    /// ```
    /// float(h) = ±Float(bitPattern: (h & 0x7FFF) << 13)·2^112 = Float(h)
    /// ```
    @inlinable @inline(__always)
    static func float(_ half: Float16) -> Float {
        let bits = UInt32(half.bitPattern)
        guard bits & 0x7C00 != 0x7C00 else { return Float(half) }
        let magnitude = Float(bitPattern: (bits & 0x7FFF) << 13) * 0x1p112
        return Float(bitPattern: magnitude.bitPattern | ((bits & 0x8000) << 16))
    }

    /// x̂ = code · scale + minimum.
    @inlinable
    static func decode<Scalar: BinaryFloatingPoint>(
        _ code: UInt32, scale: Float16, minimum: Float16
    ) -> Scalar {
        Scalar(code) * Scalar(float(scale)) + Scalar(float(minimum))
    }
}

/// Bits in one stored Float16 (sign + exponent + significand = 16).
let float16Bits = 1 + Float16.exponentBitCount + Float16.significandBitCount
