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
    @inlinable
    public static func boxMuller(_ w0: UInt32, _ w1: UInt32) -> (Double, Double) {
        let radius = (-2 * Double.log(openUniform(w0))).squareRoot()
        let angle = 2 * Double.pi * openUniform(w1)
        return (radius * Double.cos(angle), radius * Double.sin(angle))
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
    /// the values ``gaussian(at:)`` gives one by one, rounded to `Scalar`.
    /// - Complexity: O(count), one Philox block per four variates.
    @inlinable
    public func fillGaussian<Scalar: BinaryFloatingPoint>(
        _ buffer: UnsafeMutableBufferPointer<Scalar>, startingAt start: UInt64 = 0
    ) {
        let count = buffer.count
        guard count > 0 else { return }
        var index = 0
        // Leading partial block.
        while index < count && (start + UInt64(index)) % 4 != 0 {
            buffer[index] = Scalar(gaussian(at: start + UInt64(index)))
            index += 1
        }
        while index + 4 <= count {
            let words = block((start + UInt64(index)) / 4)
            let a = RandomMaps.boxMuller(words.x, words.y)
            let b = RandomMaps.boxMuller(words.z, words.w)
            buffer[index] = Scalar(a.0)
            buffer[index + 1] = Scalar(a.1)
            buffer[index + 2] = Scalar(b.0)
            buffer[index + 3] = Scalar(b.1)
            index += 4
        }
        while index < count {
            buffer[index] = Scalar(gaussian(at: start + UInt64(index)))
            index += 1
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
