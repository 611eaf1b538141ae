import QJL

/// Codebook indices of b bits each, packed contiguously (codes may straddle words) into one
/// `[UInt64]` buffer, each vector starting on a fresh word (arXiv 2504.19874 Algorithm 1 stores
/// b bits per coordinate).
///
/// ```
/// wordsPerVector = ⌈d·b / 64⌉
/// bit position of coordinate j of vector i:  p = 64·wordsPerVector·i + j·b   (LSB-first)
/// index = bits p ..< p + b of the buffer;   padding per vector = 64·wordsPerVector − d·b
/// ```
/// - Complexity: storage n·⌈d·b/64⌉ words.
public struct PackedIndices: Sendable, Hashable {
    /// Bits per index b (1...8).
    public let bitsPerIndex: Int
    /// Indices per vector (the dimension d).
    public let indicesPerVector: Int
    /// 64-bit words per vector, ⌈d·b/64⌉.
    public let wordsPerVector: Int
    /// Number of vectors n.
    public let count: Int
    /// The packed words, n·wordsPerVector.
    public private(set) var words: [UInt64]

    /// n vectors of zeros (validated by the quantizer).
    init(bitsPerIndex: Int, indicesPerVector: Int, count: Int) {
        self.bitsPerIndex = bitsPerIndex
        self.indicesPerVector = indicesPerVector
        self.wordsPerVector = (indicesPerVector * bitsPerIndex + 63) / 64
        self.count = count
        self.words = [UInt64](repeating: 0, count: count * wordsPerVector)
    }

    /// Index j of vector i.
    /// - Complexity: O(1).
    @inlinable
    public func index(vector i: Int, coordinate j: Int) -> Int {
        let bit = j * bitsPerIndex
        let w = i * wordsPerVector + bit >> 6, shift = UInt64(bit & 63)
        let mask = (UInt64(1) << UInt64(bitsPerIndex)) - 1
        var value = words[w] >> shift
        if Int(shift) + bitsPerIndex > 64 { value |= words[w + 1] << (64 - shift) }
        return Int(value & mask)
    }

    /// All d indices of vector i.
    public func indices(ofVector i: Int) -> [Int] {
        (0..<indicesPerVector).map { index(vector: i, coordinate: $0) }
    }

    /// Sets index j of vector i (the slot must still be zero; 0 ≤ value < 2^b).
    mutating func setFresh(vector i: Int, coordinate j: Int, value: Int) {
        assert(value >= 0 && value < 1 << bitsPerIndex)
        let bit = j * bitsPerIndex
        let w = i * wordsPerVector + bit >> 6, shift = UInt64(bit & 63)
        let v = UInt64(value)
        words[w] |= v << shift
        if Int(shift) + bitsPerIndex > 64 { words[w + 1] |= v >> (64 - shift) }
    }

    /// Padding bits (all vectors): n·(64·wordsPerVector − d·b).
    public var paddingBits: Int { count * (64 * wordsPerVector - indicesPerVector * bitsPerIndex) }

    /// Bytes allocated for the words.
    public var allocatedBytes: Int { words.count * MemoryLayout<UInt64>.stride }
}

/// Norms as stored at an explicit ``NormPrecision``.
@usableFromInline
enum NormStorage: Sendable, Hashable {
    case float16([UInt16])
    case float32([Float])

    /// Stores `norms`; throws if one overflows the precision.
    init(_ norms: [Double], precision: NormPrecision) throws(TurboQuantError) {
        switch precision {
        case .float32:
            var stored = [Float]()
            stored.reserveCapacity(norms.count)
            for (i, norm) in norms.enumerated() {
                guard Float(norm).isFinite else { throw .normNotRepresentable(vector: i, norm: norm, precision: precision) }
                stored.append(Float(norm))
            }
            self = .float32(stored)
        case .float16:
            var stored = [UInt16]()
            stored.reserveCapacity(norms.count)
            for (i, norm) in norms.enumerated() {
                let bits = HalfPrecision.bits(from: Float(norm))
                guard bits & 0x7C00 != 0x7C00 else { throw .normNotRepresentable(vector: i, norm: norm, precision: precision) }
                stored.append(bits)
            }
            self = .float16(stored)
        }
    }

    @usableFromInline func value(_ i: Int) -> Float {
        switch self {
        case let .float16(values): HalfPrecision.float(fromBits: values[i])
        case let .float32(values): values[i]
        }
    }

    var decoded: [Float] {
        switch self {
        case let .float16(values): values.map(HalfPrecision.float(fromBits:))
        case let .float32(values): values
        }
    }

    var allocatedBytes: Int {
        switch self {
        case let .float16(values): values.count * MemoryLayout<UInt16>.stride
        case let .float32(values): values.count * MemoryLayout<Float>.stride
        }
    }
}
