import JLLinearAlgebra
import QJL

/// One KIVI key group: per-channel codes over `tokenCount` tokens with a Float16 scale and
/// minimum (zero point) per channel.
///
/// `codes` has one row per channel c (d rows) holding the codes of k_{t,c} for t < tokenCount,
/// so a channel's codes are contiguous, as in KIVI's per-channel key layout.
public struct KIVIKeyBlock: QuantizedKeyBlock, Hashable {
    /// Tokens in the group G.
    public let tokenCount: Int
    /// Codes, row c = channel c, column t = token t.
    public let codes: PackedCodes
    /// Scale per channel.
    public let scales: [Float16]
    /// Minimum (zero point) per channel.
    public let minimums: [Float16]

    /// Bytes in the stored arrays: packed words + 2 bytes per scale and minimum.
    public var allocatedBytes: Int {
        codes.allocatedBytes + (scales.count + minimums.count) * MemoryLayout<Float16>.size
    }
}

/// KIVI's key quantizer (Liu et al., arXiv 2402.02750): per-channel asymmetric min–max
/// quantization over groups of G tokens at b bits, Float16 scale and zero point.
///
/// ```
/// for channel c over tokens t < G:  minimum_c = fp16(min_t k_{t,c}),
///   scale_c = fp16((max_t k_{t,c} − min_t k_{t,c})/(2^b − 1)),
///   code_{c,t} = clamp(round((k_{t,c} − minimum_c)/scale_c), 0, 2^b − 1)
/// k̂_{t,c} = code_{c,t}·scale_c + minimum_c,     logit_t = Σ_c q_c·k̂_{t,c}
/// bits per coordinate = b + 2·16/G  (+ padding when G·b is not a multiple of 32)
/// ```
/// Rounding and error bound as in ``GroupwiseValueQuantizer`` (with G tokens in place of g
/// channels). Paired with per-token value quantization and a full-precision residual of R tokens
/// in ``KIVI/makeCache(headDimension:bits:keyGroupSize:valueGroupSize:residualLength:temperature:scalar:)``.
/// - Complexity: quantize O(G·d); logits O(G·d).
public struct KIVIKeyQuantizer<Scalar: LinearAlgebraScalar>: GroupKeyQuantizer, Hashable {
    public typealias Block = KIVIKeyBlock
    public typealias PreparedQuery = [Scalar]

    /// The head dimension d.
    public let headDimension: Int
    /// Tokens per group G.
    public let groupSize: Int
    /// Bits per code b.
    public let bits: Int

    /// - Throws: `.invalidParameter` if d < 1 or G < 1; `.bitsNotAllowed` unless b ∈ {1, 2, 4, 8}.
    public init(headDimension: Int, groupSize: Int, bits: Int) throws(KVCacheError) {
        guard headDimension >= 1 else {
            throw .invalidParameter(name: "head dimension", value: headDimension, requirement: "≥ 1")
        }
        guard groupSize >= 1 else {
            throw .invalidParameter(name: "key group size", value: groupSize, requirement: "≥ 1")
        }
        guard PackedCodes.allowedBits.contains(bits) else {
            throw .bitsNotAllowed(bits: bits, allowed: PackedCodes.allowedBits)
        }
        self.headDimension = headDimension
        self.groupSize = groupSize
        self.bits = bits
    }

    /// Quantizes a G×d group of keys per channel.
    /// - Throws: `.dimensionMismatch` unless the matrix is G×d; `.nonFiniteInput`;
    ///   `.halfPrecisionOverflow`.
    /// - Complexity: O(G·d).
    public func quantize(keys: Matrix<Scalar>) throws(KVCacheError) -> KIVIKeyBlock {
        guard keys.rows == groupSize else {
            throw .dimensionMismatch(what: "key group rows", expected: groupSize, actual: keys.rows)
        }
        guard keys.columns == headDimension else {
            throw .dimensionMismatch(what: "key group columns", expected: headDimension, actual: keys.columns)
        }
        return try AttentionKernels.quantizeKIVI(keys: keys, bits: bits)
    }

    /// The query itself (KIVI needs no per-query precomputation).
    /// - Throws: `.dimensionMismatch` if `query.count ≠ d`.
    public func prepare(query: [Scalar]) throws(KVCacheError) -> [Scalar] {
        guard query.count == headDimension else {
            throw .dimensionMismatch(what: "query", expected: headDimension, actual: query.count)
        }
        return query
    }

    /// logit_t = Σ_c q_c·k̂_{t,c}, accumulated channel by channel.
    /// - Complexity: O(G·d).
    public func logits(_ query: [Scalar], block: KIVIKeyBlock) -> [Scalar] {
        var logits = [Scalar](repeating: 0, count: block.tokenCount)
        for c in 0..<headDimension {
            let scale = block.scales[c], minimum = block.minimums[c]
            for t in 0..<block.tokenCount {
                let k̂: Scalar = MinMaxRounding.decode(block.codes.code(row: c, column: t), scale: scale, minimum: minimum)
                logits[t] += query[c] * k̂
            }
        }
        return logits
    }

    /// The dequantized keys k̂, one array of d entries per token.
    /// - Complexity: O(G·d).
    public func dequantize(_ block: KIVIKeyBlock) -> [[Scalar]] {
        (0..<block.tokenCount).map { t in
            (0..<headDimension).map { c in
                MinMaxRounding.decode(
                    block.codes.code(row: c, column: t), scale: block.scales[c], minimum: block.minimums[c])
            }
        }
    }

    /// Codes G·d·b + per-channel scales and minimums 2·16·d + padding d·(32·⌈G·b/32⌉ − G·b).
    public func bitLedger(of block: KIVIKeyBlock) -> BitLedger {
        let g = block.tokenCount, d = headDimension, b = bits
        let wordsPerChannel = (g * b + 31) / 32
        return BitLedger(components: [
            .init(name: "key codes (\(b) bits)", bits: g * d * b),
            .init(name: "key channel scales (Float16, G = \(groupSize))", bits: d * float16Bits),
            .init(name: "key channel minimums (Float16, G = \(groupSize))", bits: d * float16Bits),
            .init(name: "key code padding", bits: d * (32 * wordsPerChannel - g * b)),
        ], tokens: g, coordinatesPerToken: d)
    }
}
