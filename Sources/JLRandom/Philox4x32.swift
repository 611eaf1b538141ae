/// The Philox4x32-10 counter-based block function (Salmon, Moraes, Dror, Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3", SC 2011, doi:10.1145/2063384.2063405).
///
/// A pure function of a 128-bit counter and a 64-bit key: no state, so any block of any
/// stream can be computed directly, on any thread, in any order.
///
/// One round, with multipliers `M0 = 0xD2511F53` (on word 0) and `M1 = 0xCD9E8D57` (on word 2):
/// ```
/// (hi0, lo0) = M0 · c0,   (hi1, lo1) = M1 · c2          (64-bit products)
/// c' = (hi1 ⊕ c1 ⊕ k0,  lo1,  hi0 ⊕ c3 ⊕ k1,  lo0)
/// k' = (k0 + 0x9E3779B9, k1 + 0xBB67AE85)              (Weyl key schedule, mod 2³²)
/// ```
/// Ten rounds; the key is bumped between rounds. Checked against the Random123 known-answer
/// vectors (Tests/JLRandomTests).
///
/// - Complexity: 10 rounds of two 32×32→64 multiplies; O(1) per 128 random bits.
public enum Philox4x32_10 {
    /// Multiplier applied to counter word 0.
    public static let multiplier0: UInt32 = 0xD251_1F53
    /// Multiplier applied to counter word 2.
    public static let multiplier1: UInt32 = 0xCD9E_8D57
    /// Key increment for word 0 (golden ratio).
    public static let weyl0: UInt32 = 0x9E37_79B9
    /// Key increment for word 1 (√3 − 1).
    public static let weyl1: UInt32 = 0xBB67_AE85
    /// Number of rounds (the "-10" in the name).
    public static let rounds = 10

    /// Computes one 128-bit output block.
    ///
    /// - Parameters:
    ///   - counter: the four 32-bit counter words `(c0, c1, c2, c3)`.
    ///   - key: the two 32-bit key words `(k0, k1)`.
    /// - Returns: four independent-looking 32-bit words.
    @inlinable
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        var k = key
        for round in 0..<rounds {
            if round > 0 {
                k.x &+= weyl0
                k.y &+= weyl1
            }
            let p0 = UInt64(multiplier0) &* UInt64(c.x)
            let p1 = UInt64(multiplier1) &* UInt64(c.z)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c = SIMD4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0)
        }
        return c
    }
}
