import RealModule

/// Maps of raw Philox words to distributions. Every map is a pure function of the words, so an
/// entry can be regenerated from its address alone (the CUDA kernels use the same maps).
public enum RandomMaps {
    /// 2⁻³².
    public static let twoToMinus32 = 1.0 / 4_294_967_296.0

    /// A uniform on the open interval (0, 1) from one word: `u = (w + ½)·2⁻³²`.
    /// Never 0 or 1, so `log(u)` is finite. Resolution 2⁻³².
    @inlinable
    public static func openUniform(_ word: UInt32) -> Double {
        (Double(word) + 0.5) * twoToMinus32
    }

    /// A uniform on [0, 1) with 53 random bits from two words: `u = (hi·2²¹ + lo>>11)·2⁻⁵³`.
    @inlinable
    public static func uniform53(high: UInt32, low: UInt32) -> Double {
        let bits = (UInt64(high) << 21) | UInt64(low >> 11)
        return Double(bits) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Two independent N(0, 1) variates from two words by the Box–Muller transform
    /// (Box & Muller 1958, doi:10.1214/aoms/1177706645):
    /// ```
    /// u₁ = (w₀ + ½)·2⁻³²,  u₂ = (w₁ + ½)·2⁻³²,  r = √(−2 ln u₁)
    /// (z₀, z₁) = (r cos 2πu₂, r sin 2πu₂)
    /// ```
    /// With 32-bit uniforms the largest |z| is √(2·ln 2³³) ≈ 6.76; the tail beyond it has
    /// probability 1.4e-11 per variate, far below anything a test here can see.
    ///
    /// **This is the specification every backend follows** (the AVX2 kernel in
    /// `Sources/CJLKernels/kernels.c`, future CUDA kernels): ln, cos and sin are not taken from
    /// libm but computed by ``logOpenUniform(_:)`` and ``turn(_:)`` with a fixed sequence of
    /// IEEE-754 double operations (no fused multiply-add; on CUDA use `__dmul_rn`/`__dadd_rn`),
    /// so the results are the same bits on every machine. Then
    /// ```
    /// r = √(ln u₁ · (−2)),   z₀ = r · cos,   z₁ = r · sin
    /// ```
    /// Accuracy: within 1e-15·r of the exact values (measured against libm Box–Muller and a
    /// Float80 reference over 10⁸ word pairs; see docs/performance.md).
    @inlinable
    public static func boxMuller(_ w0: UInt32, _ w1: UInt32) -> (Double, Double) {
        let radius = (logOpenUniform(w0) * -2.0).squareRoot()
        let (cosine, sine) = turn(w1)
        return (radius * cosine, radius * sine)
    }

    /// `ln u` for `u = (w + ½)·2⁻³²`, to a few ulp, relative error uniform over the range:
    /// ```
    /// u = 2ᵏ·m,  m ∈ [√½, √2]  (m = significand of u, halved with k += 1 when m > √2)
    /// f = m − 1 (exact),  s = f / (2 + f),  z = s·s
    /// q = 1/23;  q = q·z + 1/c  for c = 21, 19, …, 5, 3    (Horner, in that order)
    /// ln m = 2s + 2s·(z·q)        (= 2 atanh s, Taylor series, |s| ≤ 0.1716, z ≤ 0.0295)
    /// ln u = k·LN2 + ln m          (LN2 = 0.6931471805599453, √2 as 1.4142135623730951)
    /// ```
    /// Every constant `1/c` is the correctly rounded double quotient. The truncated series
    /// term z¹¹/25 is below 4e-19 relative.
    /// - Complexity: one division, 14 multiplications, 15 additions.
    @inlinable
    public static func logOpenUniform(_ word: UInt32) -> Double {
        let u = openUniform(word)
        var m = u.significand
        var k = Double(u.exponent)
        if m > 1.4142135623730951 {
            m = m * 0.5
            k = k + 1.0
        }
        let f = m - 1.0
        let s = f / (2.0 + f)
        let z = s * s
        var q = 1.0 / 23.0
        q = q * z + 1.0 / 21.0
        q = q * z + 1.0 / 19.0
        q = q * z + 1.0 / 17.0
        q = q * z + 1.0 / 15.0
        q = q * z + 1.0 / 13.0
        q = q * z + 1.0 / 11.0
        q = q * z + 1.0 / 9.0
        q = q * z + 1.0 / 7.0
        q = q * z + 1.0 / 5.0
        q = q * z + 1.0 / 3.0
        let s2 = s + s
        let lnm = s2 + s2 * (z * q)
        return k * 0.6931471805599453 + lnm
    }

    /// `(cos 2πu, sin 2πu)` for `u = (w + ½)·2⁻³²`, by an exact octant reduction on the word:
    /// ```
    /// o = w >> 29 (octant, 0…7),  b = w & (2²⁹ − 1),  b ← b ⊕ (2²⁹ − 1) when o is odd
    /// x = ((b + ½)·2⁻²⁹)·QUARTER_PI ∈ (0, π/4)         (QUARTER_PI = 0.7853981633974483)
    /// sin x = x + x·(x²·S(x²)),  S = Σ_{k=1…8} (−1)ᵏ x^{2k−2}/(2k+1)!   (Horner from 1/17!)
    /// cos x = 1 + x²·(x²·C(x²) − ½),  C = Σ_{k=2…8} (−1)ᵏ x^{2k−4}/(2k)!   (Horner from 1/16!)
    /// (cos, sin) = (sin x, cos x) swapped for o ∈ {1, 2, 5, 6};
    /// cos negated for o ∈ {2, 3, 4, 5}, sin negated for o ∈ {4, 5, 6, 7}
    /// ```
    /// The reduction is exact (2πu = o·π/4 ± the angle of `b`), so the error is that of
    /// `x` (two roundings) and of the polynomials (truncation below 3e-18): a few ulp,
    /// relative to each of cos and sin even near their zeros.
    /// - Complexity: 18 multiplications, 17 additions.
    @inlinable
    public static func turn(_ word: UInt32) -> (cos: Double, sin: Double) {
        let octant = word >> 29
        let low29: UInt32 = 0x1FFF_FFFF
        let b = (octant & 1 == 1) ? (word & low29) ^ low29 : word & low29
        let x = ((Double(b) + 0.5) * 0x1p-29) * 0.7853981633974483
        let x2 = x * x
        var sp = 1.0 / 355_687_428_096_000.0
        sp = sp * x2 + -1.0 / 1_307_674_368_000.0
        sp = sp * x2 + 1.0 / 6_227_020_800.0
        sp = sp * x2 + -1.0 / 39_916_800.0
        sp = sp * x2 + 1.0 / 362_880.0
        sp = sp * x2 + -1.0 / 5040.0
        sp = sp * x2 + 1.0 / 120.0
        sp = sp * x2 + -1.0 / 6.0
        let sinx = x + x * (x2 * sp)
        var cp = 1.0 / 20_922_789_888_000.0
        cp = cp * x2 + -1.0 / 87_178_291_200.0
        cp = cp * x2 + 1.0 / 479_001_600.0
        cp = cp * x2 + -1.0 / 3_628_800.0
        cp = cp * x2 + 1.0 / 40320.0
        cp = cp * x2 + -1.0 / 720.0
        cp = cp * x2 + 1.0 / 24.0
        let cosx = 1.0 + x2 * (x2 * cp + -0.5)
        let swap = ((octant &+ 1) >> 1) & 1 == 1
        var cosine = swap ? sinx : cosx
        var sine = swap ? cosx : sinx
        if ((octant &+ 2) >> 2) & 1 == 1 { cosine = -cosine }
        if octant >> 2 == 1 { sine = -sine }
        return (cosine, sine)
    }

    /// A Rademacher sign (±1) from one bit: bit set ↦ +1, clear ↦ −1.
    @inlinable
    public static func rademacher(_ word: UInt32, bit: Int) -> Double {
        (word >> UInt32(bit)) & 1 == 1 ? 1 : -1
    }
}

extension RandomStream {
    /// The N(0, 1) variate with index `index` of this stream: block `index / 4`, lanes
    /// (0, 1) and (2, 3) each feed one Box–Muller pair (``RandomMaps/boxMuller(_:_:)``).
    /// Random access: entry `S[i, j]` of a row-major m×d Gaussian matrix is
    /// `gaussian(at: i·d + j)`.
    /// - Complexity: one Philox block.
    @inlinable
    public func gaussian(at index: UInt64) -> Double {
        let words = block(index / 4)
        let lane = Int(index % 4)
        let pair = lane < 2
            ? RandomMaps.boxMuller(words.x, words.y)
            : RandomMaps.boxMuller(words.z, words.w)
        return lane % 2 == 0 ? pair.0 : pair.1
    }

    /// Fills `buffer` with the N(0, 1) variates `start, start + 1, …` of this stream, exactly
    /// the values ``gaussian(at:)`` gives one by one, rounded to `Scalar` (indices wrap modulo
    /// 2⁶⁴, as `start &+ i`).
    ///
    /// Float and Double buffers take the AVX2 kernel (eight Philox blocks at a time, four
    /// Box–Muller pairs per vector) when the CPU has it, else the scalar Swift loop; both give
    /// the same bits (``RandomMaps/boxMuller(_:_:)`` is the specification).
    /// - Complexity: O(count), one Philox block per four variates.
    @inlinable
    public func fillGaussian<Scalar: BinaryFloatingPoint>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, startingAt start: UInt64 = 0
    ) {
        let count = buffer.count
        guard count > 0, let base = buffer.baseAddress else { return }
        var index = 0
        // Leading partial block.
        while index < count && (start &+ UInt64(index)) % 4 != 0 {
            buffer[index] = Scalar(gaussian(at: start &+ UInt64(index)))
            index += 1
        }
        // Whole blocks, in at most two runs: indices wrap modulo 2⁶⁴ as in gaussian(at:), so
        // block 2⁶² − 1 is followed by block 0.
        while count - index >= 4 {
            let firstBlock = (start &+ UInt64(index)) / 4
            let blocksBeforeWrap = (UInt64(1) << 62) - firstBlock
            let blockCount = Int(Swift.min(UInt64((count - index) / 4), blocksBeforeWrap))
            let whole = UnsafeMutableBufferPointer(start: base + index, count: 4 * blockCount)
            if Scalar.self == Double.self {
                whole.withMemoryRebound(to: Double.self) { fillGaussianBlocks($0, firstBlock: firstBlock) }
            } else if Scalar.self == Float.self {
                whole.withMemoryRebound(to: Float.self) { fillGaussianBlocks($0, firstBlock: firstBlock) }
            } else {
                fillGaussianBlocksPortable(whole, firstBlock: firstBlock)
            }
            index += 4 * blockCount
        }
        while index < count {
            buffer[index] = Scalar(gaussian(at: start &+ UInt64(index)))
            index += 1
        }
    }

    /// Whole blocks `firstBlock ..< firstBlock + buffer.count / 4` by the scalar Swift map:
    /// the reference path, and the fallback on CPUs without AVX2.
    @inlinable
    func fillGaussianBlocksPortable<Scalar: BinaryFloatingPoint>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, firstBlock: UInt64
    ) {
        var index = 0
        var blockIndex = firstBlock
        while index + 4 <= buffer.count {
            let words = block(blockIndex)
            let a = RandomMaps.boxMuller(words.x, words.y)
            let b = RandomMaps.boxMuller(words.z, words.w)
            buffer[index] = Scalar(a.0)
            buffer[index + 1] = Scalar(a.1)
            buffer[index + 2] = Scalar(b.0)
            buffer[index + 3] = Scalar(b.1)
            index += 4
            blockIndex &+= 1
        }
    }

    /// `count` N(0, 1) variates starting at `start`, as an array.
    @inlinable
    public func gaussians<Scalar: BinaryFloatingPoint>(
        _ count: Int, startingAt start: UInt64 = 0, as type: Scalar.Type = Double.self
    ) -> [Scalar] {
        guard count > 0 else { return [] }
        return [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
            fillGaussian(buffer, startingAt: start)
            initialized = count
        }
    }

    /// The uniform (0, 1) variate with index `index` (word `index`, ``RandomMaps/openUniform(_:)``).
    @inlinable
    public func uniform(at index: UInt64) -> Double {
        RandomMaps.openUniform(word(index))
    }

    /// The Rademacher (±1) variate with index `index`: bit `index mod 32` of word `index / 32`.
    @inlinable
    public func rademacher(at index: UInt64) -> Double {
        RandomMaps.rademacher(word(index / 32), bit: Int(index % 32))
    }

    /// A χ_d variate, the length of a standard Gaussian vector in R^d:
    /// `χ = √(Σ_{i<d} z_i²)` with z_i = ``gaussian(at:)`` for indices `d·index ..< d·(index+1)`.
    /// Exact in law (not an approximation); used for ORF-style row lengths
    /// (Yu et al., NeurIPS 2016, arXiv 1610.09072).
    /// - Complexity: O(d).
    @inlinable
    public func chi(degreesOfFreedom d: Int, at index: UInt64) -> Double {
        guard d > 0 else { return 0 }
        var sum = 0.0
        let base = UInt64(d) &* index
        for i in 0..<d {
            let z = gaussian(at: base &+ UInt64(i))
            sum += z * z
        }
        return sum.squareRoot()
    }
}

/// A sequential reader over a ``RandomStream``: a value holding (stream, next word index).
/// `mutating` methods return a draw and advance the local copy only, so two copies never
/// interfere and the stream itself stays immutable.
public struct RandomCursor: Sendable {
    /// The stream being read.
    public let stream: RandomStream
    /// Index of the next unread 32-bit word.
    public var position: UInt64

    /// A cursor at word `position` of `stream`.
    public init(stream: RandomStream, position: UInt64 = 0) {
        self.stream = stream
        self.position = position
    }

    /// The next 32-bit word.
    @inlinable
    public mutating func nextWord() -> UInt32 {
        defer { position &+= 1 }
        return stream.word(position)
    }

    /// A uniform integer in `0 ..< bound` by Lemire's multiply-and-reject method
    /// (Lemire 2019, doi:10.1145/3230636): unbiased for every bound ≥ 1. Returns 0 for bound ≤ 1.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        if bound <= Int(UInt32.max) {
            let s = UInt32(bound)
            let threshold = (0 &- s) % s
            while true {
                let product = UInt64(nextWord()) &* UInt64(s)
                if UInt32(truncatingIfNeeded: product) >= threshold {
                    return Int(product >> 32)
                }
            }
        }
        // Very large bounds: 64-bit rejection sampling on the smallest covering power of two.
        let s = UInt64(bound)
        let mask = UInt64.max >> UInt64((s - 1).leadingZeroBitCount)
        while true {
            let value = (UInt64(nextWord()) << 32 | UInt64(nextWord())) & mask
            if value < s { return Int(value) }
        }
    }

    /// The first `count` entries of a uniformly random permutation of `0 ..< population`
    /// (a sample without replacement, in random order), by a partial Fisher–Yates shuffle.
    /// Returns `[]` when `count ≤ 0`; `count` is clamped to `population`.
    /// - Complexity: O(population) memory and time.
    public mutating func sampleWithoutReplacement(_ count: Int, from population: Int) -> [Int] {
        guard count > 0, population > 0 else { return [] }
        let take = Swift.min(count, population)
        var items = Array(0..<population)
        for i in 0..<take {
            let j = i + nextInt(below: population - i)
            items.swapAt(i, j)
        }
        return Array(items[0..<take])
    }
}
