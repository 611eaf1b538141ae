import JLLinearAlgebra
import QJL

/// Per-token value quantization along the head dimension in groups of g channels: asymmetric
/// min–max rounding at b bits with a Float16 scale and minimum per group (theory.md §1.7, §3.5;
/// the rounding rule and its error bound are in the internal `MinMaxRounding`).
///
/// ```
/// for token x ∈ R^d, group γ = {γg, …, γg + g − 1}:
///   minimum_γ = fp16(min x_γ),  scale_γ = fp16((max x_γ − min x_γ)/(2^b − 1))
///   code_i = clamp(round((x_i − minimum_γ)/scale_γ), 0, 2^b − 1),  x̂_i = code_i·scale_γ + minimum_γ
/// bits per coordinate = b + 2·16/g  (+ row padding when d·b is not a multiple of 32)
/// ```
/// The paper's setting is b = 2, g = 32 (3.0 bits per coordinate, theory.md §3.7); b ∈ {2, 4} is
/// what the official kernel accepts, and b ∈ {1, 8} are allowed here as well.
/// - Complexity: O(d) per token to quantize or dequantize.
public struct GroupwiseValueQuantizer: Sendable, Hashable {
    /// The head dimension d.
    public let headDimension: Int
    /// Channels per group g (divides d).
    public let groupSize: Int
    /// Bits per code b.
    public let bits: Int

    /// - Throws: `.invalidParameter` if d < 1 or g < 1; `.groupSizeNotDividing` if g ∤ d;
    ///   `.bitsNotAllowed` unless b ∈ {1, 2, 4, 8}.
    public init(headDimension: Int, groupSize: Int, bits: Int) throws(KVCacheError) {
        guard headDimension >= 1 else {
            throw .invalidParameter(name: "head dimension", value: headDimension, requirement: "≥ 1")
        }
        guard groupSize >= 1 else {
            throw .invalidParameter(name: "value group size", value: groupSize, requirement: "≥ 1")
        }
        guard headDimension % groupSize == 0 else {
            throw .groupSizeNotDividing(what: "value channel", groupSize: groupSize, length: headDimension)
        }
        guard PackedCodes.allowedBits.contains(bits) else {
            throw .bitsNotAllowed(bits: bits, allowed: PackedCodes.allowedBits)
        }
        self.headDimension = headDimension
        self.groupSize = groupSize
        self.bits = bits
    }

    /// Groups per token, d/g.
    public var groupsPerToken: Int { headDimension / groupSize }

    /// One token's codes and per-group parameters, ready to append.
    struct EncodedToken: Sendable {
        var codes: [UInt32]
        var scales: [Float16]
        var minimums: [Float16]
    }

    /// Quantizes one token (validated: length d, finite).
    func encode<Scalar: BinaryFloatingPoint>(
        _ token: some RandomAccessCollection<Scalar>
    ) throws(KVCacheError) -> EncodedToken {
        let maximumCode = (1 << bits) - 1
        var encoded = EncodedToken(
            codes: [UInt32](repeating: 0, count: headDimension), scales: [], minimums: [])
        encoded.scales.reserveCapacity(groupsPerToken)
        encoded.minimums.reserveCapacity(groupsPerToken)
        var base = token.startIndex
        for group in 0..<groupsPerToken {
            let end = token.index(base, offsetBy: groupSize)
            let slice = token[base..<end]
            var lower = slice[base], upper = slice[base]
            for x in slice {
                lower = Swift.min(lower, x)
                upper = Swift.max(upper, x)
            }
            let (scale, minimum) = try MinMaxRounding.parameters(
                lower: lower, upper: upper, maximumCode: maximumCode, what: "value group")
            encoded.scales.append(scale)
            encoded.minimums.append(minimum)
            for (offset, x) in slice.enumerated() {
                encoded.codes[group * groupSize + offset] = MinMaxRounding.code(
                    x, scale: Scalar(scale), minimum: Scalar(minimum), maximumCode: Scalar(maximumCode))
            }
            base = end
        }
        return encoded
    }

    /// Validates one token: length d and finite entries.
    func validate<Scalar: BinaryFloatingPoint>(
        token: some Collection<Scalar>, what: String
    ) throws(KVCacheError) {
        guard token.count == headDimension else {
            throw .dimensionMismatch(what: what, expected: headDimension, actual: token.count)
        }
        try requireFinite(token, what)
    }

    /// An empty store for this configuration.
    public func makeStore() -> QuantizedValueStore {
        QuantizedValueStore(quantizer: self)
    }

    /// Quantizes every row of an n×d matrix (one token per row) into a new store.
    /// - Throws: `.dimensionMismatch` if the matrix has ≠ d columns; `.nonFiniteInput`;
    ///   `.halfPrecisionOverflow`.
    /// - Complexity: O(n·d).
    public func quantize<Scalar: LinearAlgebraScalar>(
        _ values: Matrix<Scalar>
    ) throws(KVCacheError) -> QuantizedValueStore {
        var store = makeStore()
        try store.append(tokens: values)
        return store
    }
}

/// Per-token quantized values: packed codes (one row of d codes per token) plus a Float16 scale
/// and minimum per (token, group). Produced by ``GroupwiseValueQuantizer``.
///
/// ```
/// ledger: codes n·d·b  +  scales n·(d/g)·16  +  minimums n·(d/g)·16  +  padding n·(32·⌈d·b/32⌉ − d·b)
/// ```
/// - Complexity: storage O(n·d·b/32) words plus 2·n·d/g halves.
public struct QuantizedValueStore: Sendable, Hashable {
    /// The configuration.
    public let quantizer: GroupwiseValueQuantizer
    /// Codes, one row per token.
    public private(set) var codes: PackedCodes
    /// Scale per (token, group), row-major: index t·(d/g) + γ.
    public private(set) var scales: [Float16]
    /// Minimum per (token, group), row-major: index t·(d/g) + γ.
    public private(set) var minimums: [Float16]

    init(quantizer: GroupwiseValueQuantizer) {
        self.quantizer = quantizer
        self.codes = PackedCodes(validatedBitsPerCode: quantizer.bits, codesPerRow: quantizer.headDimension)
        self.scales = []
        self.minimums = []
    }

    /// Number of quantized tokens n.
    public var tokenCount: Int { codes.rowCount }

    /// Quantizes and appends one token.
    /// - Throws: `.dimensionMismatch`, `.nonFiniteInput`, `.halfPrecisionOverflow`; the store is
    ///   unchanged when it throws.
    /// - Complexity: O(d).
    public mutating func append<Scalar: BinaryFloatingPoint>(token: [Scalar]) throws(KVCacheError) {
        try quantizer.validate(token: token, what: "value")
        append(encoded: try quantizer.encode(token))
    }

    /// Quantizes and appends every row of an n×d matrix, in order.
    /// - Throws: as ``append(token:)``; the store is unchanged when it throws.
    /// - Complexity: O(n·d).
    public mutating func append<Scalar: LinearAlgebraScalar>(tokens: Matrix<Scalar>) throws(KVCacheError) {
        guard tokens.columns == quantizer.headDimension else {
            throw .dimensionMismatch(what: "value matrix columns", expected: quantizer.headDimension,
                                     actual: tokens.columns)
        }
        try requireFinite(tokens.elements, "value matrix")
        var next = self
        let d = quantizer.headDimension
        for t in 0..<tokens.rows {
            next.append(encoded: try quantizer.encode(tokens.elements[(t * d)..<((t + 1) * d)]))
        }
        self = next
    }

    /// Appends `count` tokens already packed (`count · wordsPerRow` words, row after row) with
    /// their `count · d/g` scales and minimums.
    mutating func append(packedRows words: [UInt32], count: Int, scales: [Float16], minimums: [Float16]) {
        assert(scales.count == count * quantizer.groupsPerToken && minimums.count == scales.count)
        codes.appendValidatedRows(words, count: count)
        self.scales.append(contentsOf: scales)
        self.minimums.append(contentsOf: minimums)
    }

    mutating func append(encoded: GroupwiseValueQuantizer.EncodedToken) {
        codes.appendValidatedRow(encoded.codes)
        scales.append(contentsOf: encoded.scales)
        minimums.append(contentsOf: encoded.minimums)
    }

    /// The dequantized token t, x̂_i = code_i·scale_γ + minimum_γ.
    /// - Complexity: O(d).
    public func dequantizedToken<Scalar: BinaryFloatingPoint>(
        _ t: Int, as type: Scalar.Type = Scalar.self
    ) -> [Scalar] {
        let g = quantizer.groupSize, groups = quantizer.groupsPerToken
        return (0..<quantizer.headDimension).map { i in
            MinMaxRounding.decode(codes.code(row: t, column: i),
                                  scale: scales[t * groups + i / g], minimum: minimums[t * groups + i / g])
        }
    }

    /// Adds Σ_t weights[t]·x̂_t to `output` (length d), the value half of attention.
    /// `weights.count` must equal ``tokenCount`` (checked by the caller).
    /// - Complexity: O(n·d).
    func accumulate<Scalar: BinaryFloatingPoint>(weights: ArraySlice<Scalar>, into output: inout [Scalar]) {
        assert(weights.count == tokenCount && output.count == quantizer.headDimension)
        let g = quantizer.groupSize, groups = quantizer.groupsPerToken
        for (t, weight) in zip(0..<tokenCount, weights) {
            for i in 0..<quantizer.headDimension {
                let x̂: Scalar = MinMaxRounding.decode(
                    codes.code(row: t, column: i),
                    scale: scales[t * groups + i / g], minimum: minimums[t * groups + i / g])
                output[i] += weight * x̂
            }
        }
    }

    /// The itemized storage (theory.md §3.7), computed from the configuration and n alone.
    public var bitLedger: BitLedger {
        let n = tokenCount, d = quantizer.headDimension, b = quantizer.bits
        let wordsPerRow = (d * b + 31) / 32
        let groupBits = n * quantizer.groupsPerToken * float16Bits
        return BitLedger(components: [
            .init(name: "value codes (\(b) bits)", bits: n * d * b),
            .init(name: "value group scales (Float16, g = \(quantizer.groupSize))", bits: groupBits),
            .init(name: "value group minimums (Float16, g = \(quantizer.groupSize))", bits: groupBits),
            .init(name: "value code padding", bits: n * (32 * wordsPerRow - d * b)),
        ], tokens: n, coordinatesPerToken: d)
    }

    /// Bytes in the stored arrays (element counts × element sizes, not capacities).
    public var allocatedBytes: Int {
        codes.allocatedBytes + (scales.count + minimums.count) * MemoryLayout<Float16>.size
    }
}
