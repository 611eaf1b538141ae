/// An immutable, addressable stream of random bits: a Philox4x32-10 key plus a 64-bit stream
/// number. Block `b` of the stream is `Philox(counter: (b_lo, b_hi, s_lo, s_hi), key)`.
///
/// Streams are derived, never advanced: `RandomStream(seed:)` makes the root of a tree, and
/// ``child(_:)-(UInt64)`` / ``child(_:)-(String)`` derive an independent stream for every
/// (experiment, trial, role) path, in the manner of JAX's `fold_in` and numpy's `SeedSequence`.
/// Trial *t* of an experiment therefore never depends on which thread ran it or in what order.
///
/// ```
/// root  = RandomStream(seed: 42)
/// trial = root.child("exp-distortion").child(UInt64(t))
/// key'  = Philox(counter: (ℓ_lo, ℓ_hi, s_lo ⊕ 0x5EED_C0DE, s_hi), key).xy   for label ℓ
/// ```
/// - Complexity: deriving a child costs one Philox block.
public struct RandomStream: Sendable, Hashable, CustomStringConvertible {
    /// The Philox key words.
    public let key: SIMD2<UInt32>
    /// The stream number, counter words 2 and 3.
    public let streamNumber: UInt64

    /// The algorithm name recorded in experiment manifests.
    public static let algorithm = "Philox4x32-10"

    /// A root stream for a master seed: key = (seed_lo, seed_hi), stream number 0.
    @inlinable
    public init(seed: UInt64) {
        self.key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        self.streamNumber = 0
    }

    /// A stream with an explicit key and stream number (for interoperability, e.g. CUDA).
    @inlinable
    public init(key: SIMD2<UInt32>, streamNumber: UInt64) {
        self.key = key
        self.streamNumber = streamNumber
    }

    /// Domain-separation constant mixed into the counter when deriving children, so a derived
    /// key is never the output of an ordinary data block of the parent.
    @usableFromInline static let derivationTag: UInt32 = 0x5EED_C0DE

    /// An independent stream for a numeric label (a trial index, a block index, a head).
    @inlinable
    public func child(_ label: UInt64) -> RandomStream {
        let counter = SIMD4<UInt32>(
            UInt32(truncatingIfNeeded: label), UInt32(truncatingIfNeeded: label >> 32),
            UInt32(truncatingIfNeeded: streamNumber) ^ Self.derivationTag,
            UInt32(truncatingIfNeeded: streamNumber >> 32))
        let out = Philox4x32_10.block(counter: counter, key: key)
        return RandomStream(key: SIMD2(out.x, out.y), streamNumber: 0)
    }

    /// An independent stream for a textual label (an experiment or role name). The label is
    /// hashed with 64-bit FNV-1a over its UTF-8 bytes, which is stable across platforms and
    /// Swift versions (unlike `Hasher`).
    @inlinable
    public func child(_ label: String) -> RandomStream {
        child(Self.fnv1a64(label))
    }

    /// A stream for a path of labels: `child(a).child(b)…`.
    @inlinable
    public func child(path labels: [UInt64]) -> RandomStream {
        labels.reduce(self) { $0.child($1) }
    }

    /// 64-bit FNV-1a hash of the UTF-8 bytes of `text`.
    @inlinable
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Block `index` of this stream: four 32-bit words.
    @inlinable
    public func block(_ index: UInt64) -> SIMD4<UInt32> {
        Philox4x32_10.block(
            counter: SIMD4(
                UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                UInt32(truncatingIfNeeded: streamNumber), UInt32(truncatingIfNeeded: streamNumber >> 32)),
            key: key)
    }

    /// 32-bit word `index` of the stream (word `4b + j` is lane `j` of block `b`).
    @inlinable
    public func word(_ index: UInt64) -> UInt32 {
        block(index / 4)[Int(index % 4)]
    }

    /// `Philox4x32-10(key: 0x<k1><k0>, stream: s)`, each key word as 8 hex digits.
    public var description: String {
        "Philox4x32-10(key: 0x\(Self.hex8(key.y))\(Self.hex8(key.x)), stream: \(streamNumber))"
    }

    /// `word` as exactly 8 lowercase hex digits (zero-padded, so the key text is unambiguous).
    static func hex8(_ word: UInt32) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
