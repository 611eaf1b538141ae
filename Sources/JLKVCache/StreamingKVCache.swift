internal import CKVCacheKernels
import JLLinearAlgebra
import QJL

/// A streaming quantized KV cache for one attention head: keys in quantized groups plus a
/// full-precision buffer, values quantized per token behind a full-precision sliding window
/// (the paper's Algorithm 1 with the official code's buffer; theory.md §1.5, §3.4, §3.5).
///
/// ```
/// keys:   n = B·⌊n/B⌋ + r.  The first B·⌊n/B⌋ keys are quantized in groups of G (B/G groups per
///         buffer flush); the last r = n mod B stay in full precision (`Scalar`) in `keyBuffer`.
/// values: the last min(n, R_v) stay in full precision in `valueWindow`; older ones are quantized
///         per token (``GroupwiseValueQuantizer``), the oldest leaving the window first.
/// attend(q): ℓ_t = q̃K(t) for quantized keys, ⟨q, k_t⟩ for buffered keys;  ℓ ← ℓ/√d (optional);
///            w = softmax(ℓ);  output = Σ_t w_t·v̂_t
/// ```
/// Streaming (``append(key:value:)`` one token at a time) and ``prefill(keys:values:)`` produce
/// bit-identical state: both quantize the same B-token chunks and the same value tokens.
/// Storage precision: buffered keys and windowed values are kept in `Scalar` (32 bits for Float,
/// 64 for Double) and counted at that width in the ledger; the official code keeps them in the
/// model dtype (fp16/bf16).
/// - Complexity: append O(d) amortized, plus one quantization of B keys every B tokens;
///   attend O(n·d) plus the key quantizer's logit cost; storage as the ledger says.
public struct StreamingKVCache<KeyQuantizer: GroupKeyQuantizer>: Sendable {
    /// The key and value scalar type.
    public typealias Scalar = KeyQuantizer.Scalar

    /// Whether logits are divided by √d before the softmax.
    public enum Temperature: Sendable, Hashable {
        /// ℓ/√d, as the official score kernel and standard attention do (theory.md §3.3).
        case inverseSquareRootDimension
        /// Raw logits, as in the paper's Eq. (2) and Theorem 3.6 (theory.md §1.6).
        case none
    }

    /// The key quantizer (group size G).
    public let keyQuantizer: KeyQuantizer
    /// The value quantizer (group size g along d, b bits).
    public let valueQuantizer: GroupwiseValueQuantizer
    /// Key buffer size B: keys are quantized B at a time (a multiple of G).
    public let bufferSize: Int
    /// Values kept in full precision, R_v (0 allowed: every value quantized at once).
    public let valueBufferSize: Int
    /// Logit temperature.
    public let temperature: Temperature

    /// Quantized key groups, oldest first, G tokens each.
    public private(set) var keyBlocks: [KeyQuantizer.Block]
    /// Full-precision keys not yet quantized, row-major (r × d), r < B.
    public private(set) var keyBuffer: [Scalar]
    /// Quantized values, oldest first.
    public private(set) var quantizedValues: QuantizedValueStore
    /// Full-precision recent values, row-major, at most R_v rows.
    public private(set) var valueWindow: [Scalar]
    /// `keyBlocks` again in the key quantizer's scoring layout (``KeyArenaLogits``; a
    /// `KeyQuantizer.KeyArena`), appended in step with `keyBlocks`; nil for quantizers without one.
    /// A second copy of the quantized keys in process memory (QJL: ⌈m/64⌉·8 + 2 bytes per token
    /// without outliers), traded for decode speed; the bit ledger counts the stored
    /// representation once, as a deployment would hold it.
    private var keyArena: (any Sendable)?

    /// - Throws: `.dimensionMismatch` if key and value head dimensions differ;
    ///   `.invalidParameter` if B < 1 or R_v < 0; `.groupSizeNotDividing` if G ∤ B.
    public init(
        keyQuantizer: KeyQuantizer, valueQuantizer: GroupwiseValueQuantizer,
        bufferSize: Int, valueBufferSize: Int, temperature: Temperature = .inverseSquareRootDimension
    ) throws(KVCacheError) {
        guard valueQuantizer.headDimension == keyQuantizer.headDimension else {
            throw .dimensionMismatch(what: "value quantizer head dimension",
                                     expected: keyQuantizer.headDimension, actual: valueQuantizer.headDimension)
        }
        guard keyQuantizer.groupSize >= 1 else {
            throw .invalidParameter(name: "key group size", value: keyQuantizer.groupSize, requirement: "≥ 1")
        }
        guard bufferSize >= 1 else {
            throw .invalidParameter(name: "key buffer size", value: bufferSize, requirement: "≥ 1")
        }
        guard bufferSize % keyQuantizer.groupSize == 0 else {
            throw .groupSizeNotDividing(what: "key token", groupSize: keyQuantizer.groupSize, length: bufferSize)
        }
        guard valueBufferSize >= 0 else {
            throw .invalidParameter(name: "value buffer size", value: valueBufferSize, requirement: "≥ 0")
        }
        self.keyQuantizer = keyQuantizer
        self.valueQuantizer = valueQuantizer
        self.bufferSize = bufferSize
        self.valueBufferSize = valueBufferSize
        self.temperature = temperature
        self.keyBlocks = []
        self.keyBuffer = []
        self.quantizedValues = valueQuantizer.makeStore()
        self.valueWindow = []
        self.keyArena = (keyQuantizer as? any KeyArenaLogits).map { Self.emptyArena($0) }
    }

    private static func emptyArena<Q: KeyArenaLogits>(_ quantizer: Q) -> any Sendable { quantizer.makeArena() }

    /// Appends quantized blocks to `keyBlocks` and to the arena.
    /// - Complexity: amortized O(size of the blocks).
    private mutating func appendKeyBlocks(_ blocks: [KeyQuantizer.Block]) {
        keyBlocks.append(contentsOf: blocks)
        if let quantizer = keyQuantizer as? any KeyArenaLogits { appendToArena(quantizer, blocks) }
    }

    private mutating func appendToArena<Q: KeyArenaLogits>(_ quantizer: Q, _ blocks: [KeyQuantizer.Block]) {
        guard Q.self == KeyQuantizer.self, var arena = keyArena as? Q.KeyArena else { return }
        keyArena = nil  // `arena` is now the only reference: appended in place
        // Same types (checked above): reinterpreting is the identity.
        quantizer.append(unsafeBitCast(blocks, to: [Q.Block].self), to: &arena)
        keyArena = arena
    }

    /// The head dimension d.
    public var headDimension: Int { keyQuantizer.headDimension }
    /// Keys in the full-precision buffer, r = n mod B.
    public var bufferedKeyCount: Int { keyBuffer.count / headDimension }
    /// Values in the full-precision window, min(n, R_v).
    public var windowValueCount: Int { valueWindow.count / headDimension }
    /// Tokens stored, n.
    public var tokenCount: Int { keyBlocks.count * keyQuantizer.groupSize + bufferedKeyCount }

    // MARK: Ingest

    /// Appends one (key, value) pair; when the key buffer reaches B keys it is quantized in B/G
    /// groups and cleared, and when the value window exceeds R_v its oldest value is quantized.
    /// - Throws: `.dimensionMismatch`, `.nonFiniteInput`, or a quantizer error; the cache is
    ///   unchanged when it throws.
    /// - Complexity: O(d) (O(R_v·d) for the window shift), plus quantizing B keys every B tokens.
    public mutating func append(key: [Scalar], value: [Scalar]) throws(KVCacheError) {
        let d = headDimension
        guard key.count == d else { throw .dimensionMismatch(what: "key", expected: d, actual: key.count) }
        guard value.count == d else { throw .dimensionMismatch(what: "value", expected: d, actual: value.count) }
        try AttentionKernels.requireFinite(key, "key")
        try AttentionKernels.requireFinite(value, "value")
        // Compute everything that can throw before mutating.
        var newBlocks: [KeyQuantizer.Block] = []
        if bufferedKeyCount + 1 == bufferSize {
            newBlocks = try quantizeChunk((keyBuffer + key)[...])
        }
        var leaving: GroupwiseValueQuantizer.EncodedToken?
        if windowValueCount + 1 > valueBufferSize {
            leaving = valueBufferSize == 0
                ? try AttentionKernels.encode(value[...], valueQuantizer)
                : try AttentionKernels.encode(valueWindow[0..<d], valueQuantizer)
        }
        if newBlocks.isEmpty {
            keyBuffer.append(contentsOf: key)
        } else {
            appendKeyBlocks(newBlocks)
            keyBuffer.removeAll(keepingCapacity: true)
        }
        if let leaving {
            quantizedValues.append(encoded: leaving)
            if valueBufferSize > 0 {
                valueWindow.removeFirst(d)
                valueWindow.append(contentsOf: value)
            }
        } else {
            valueWindow.append(contentsOf: value)
        }
    }

    /// Appends n tokens at once (the prompt): complete B-key chunks are quantized straight from
    /// `keys`, the last keys join the buffer, and all values but the most recent R_v are quantized.
    /// The result is bit-identical to n calls of ``append(key:value:)``.
    /// - Throws: `.emptyInput` if n = 0; `.dimensionMismatch` if a matrix is not n×d or the row
    ///   counts differ; `.nonFiniteInput`; quantizer errors. The cache is unchanged when it throws.
    /// - Complexity: O(n·d) plus the key quantizer's cost for ⌊(r + n)/B⌋·B keys.
    public mutating func prefill(keys: Matrix<Scalar>, values: Matrix<Scalar>) throws(KVCacheError) {
        let d = headDimension
        guard keys.rows > 0 else { throw .emptyInput(what: "key matrix") }
        guard keys.columns == d else { throw .dimensionMismatch(what: "key matrix columns", expected: d, actual: keys.columns) }
        guard values.columns == d else {
            throw .dimensionMismatch(what: "value matrix columns", expected: d, actual: values.columns)
        }
        guard values.rows == keys.rows else {
            throw .dimensionMismatch(what: "value matrix rows", expected: keys.rows, actual: values.rows)
        }
        try AttentionKernels.requireFinite(keys.elements, "key matrix")
        try AttentionKernels.requireFinite(values.elements, "value matrix")
        var next = self
        try next.ingestKeys(keys.elements[...], count: keys.rows)
        try next.ingestValues(values.elements[...], count: values.rows)
        self = next
    }

    private mutating func ingestKeys(_ keys: ArraySlice<Scalar>, count n: Int) throws(KVCacheError) {
        let d = headDimension, base = keys.startIndex
        var row = 0
        if bufferedKeyCount > 0 {
            row = Swift.min(bufferSize - bufferedKeyCount, n)
            keyBuffer.append(contentsOf: keys[base..<(base + row * d)])
            if bufferedKeyCount == bufferSize {
                appendKeyBlocks(try quantizeChunk(keyBuffer[...]))
                keyBuffer.removeAll(keepingCapacity: true)
            }
        }
        let fullRows = (n - row) / bufferSize * bufferSize
        if fullRows > 0 {
            // All complete B-key chunks at once: the same groups, in order, as chunk by chunk.
            let start = base + row * d
            appendKeyBlocks(try quantizeGroups(keys[start..<(start + fullRows * d)], rows: fullRows))
            row += fullRows
        }
        keyBuffer.append(contentsOf: keys[(base + row * d)..<(base + n * d)])
    }

    private mutating func ingestValues(_ values: ArraySlice<Scalar>, count n: Int) throws(KVCacheError) {
        let d = headDimension, base = values.startIndex
        let toQuantize = Swift.max(0, windowValueCount + n - valueBufferSize)
        let fromWindow = Swift.min(toQuantize, windowValueCount)
        if fromWindow > 0 {
            try AttentionKernels.appendEncoded(valueWindow[0..<(fromWindow * d)], tokens: fromWindow, to: &quantizedValues)
        }
        valueWindow.removeFirst(fromWindow * d)
        let fromNew = toQuantize - fromWindow
        if fromNew > 0 {
            try AttentionKernels.appendEncoded(values[base..<(base + fromNew * d)], tokens: fromNew, to: &quantizedValues)
        }
        valueWindow.append(contentsOf: values[(base + fromNew * d)..<(base + n * d)])
    }

    /// Quantizes B buffered keys (row-major) as B/G groups of G.
    private func quantizeChunk(_ chunk: ArraySlice<Scalar>) throws(KVCacheError) -> [KeyQuantizer.Block] {
        assert(chunk.count == bufferSize * headDimension)
        return try quantizeGroups(chunk, rows: bufferSize)
    }

    /// Quantizes `rows` keys (row-major, a multiple of G) as rows/G groups of G, in order: with
    /// one call when the quantizer batches groups (QJL: one batch transform for all of them),
    /// else group by group. Both give the same blocks and the same first error.
    private func quantizeGroups(_ keys: ArraySlice<Scalar>, rows: Int) throws(KVCacheError) -> [KeyQuantizer.Block] {
        let d = headDimension, g = keyQuantizer.groupSize
        assert(keys.count == rows * d && rows % g == 0)
        if let batched = keyQuantizer as? any BatchedKeyQuantization {
            let matrix: Matrix<Scalar>
            do { matrix = try Matrix(rows: rows, columns: d, elements: Array(keys)) } catch {
                throw .dimensionMismatch(what: "key group elements", expected: rows * d, actual: keys.count)
            }
            if let blocks = try batchedQuantize(batched, matrix) { return blocks }
        }
        var blocks: [KeyQuantizer.Block] = []
        blocks.reserveCapacity(rows / g)
        for group in 0..<(rows / g) {
            let start = keys.startIndex + group * g * d
            let groupKeys: Matrix<Scalar>
            do {
                groupKeys = try Matrix(rows: g, columns: d, elements: Array(keys[start..<(start + g * d)]))
            } catch {
                throw .dimensionMismatch(what: "key group elements", expected: g * d, actual: keys.count)
            }
            blocks.append(try keyQuantizer.quantize(keys: groupKeys))
        }
        return blocks
    }

    /// All groups' blocks from a quantizer that sketches many groups at once; nil if `Q` is not
    /// this cache's quantizer type (it always is when called from ``quantizeGroups(_:rows:)``).
    private func batchedQuantize<Q: BatchedKeyQuantization>(
        _ quantizer: Q, _ keys: Matrix<Scalar>
    ) throws(KVCacheError) -> [KeyQuantizer.Block]? {
        guard Q.self == KeyQuantizer.self else { return nil }
        // Same types (checked above): reinterpreting is the identity.
        let blocks = try quantizer.quantize(groups: unsafeBitCast(keys, to: Matrix<Q.Scalar>.self))
        return unsafeBitCast(blocks, to: [KeyQuantizer.Block].self)
    }

    // MARK: Attention

    /// The logits, weights and output of one attention query.
    public struct Attention: Sendable, Equatable {
        /// ℓ_t after the temperature, token order (oldest first).
        public var logits: [Scalar]
        /// softmax(ℓ).
        public var weights: [Scalar]
        /// Σ_t w_t·v̂_t.
        public var output: [Scalar]
    }

    /// The logits ℓ_t for every stored token: the key quantizer's estimate for quantized keys,
    /// the exact ⟨q, k_t⟩ for buffered keys, divided by √d when the temperature says so.
    /// - Throws: `.dimensionMismatch`, `.nonFiniteInput`, `.emptyInput` if the cache is empty.
    /// - Complexity: O(n·d) plus the key quantizer's per-query cost.
    public func logits(query: [Scalar]) throws(KVCacheError) -> [Scalar] {
        let d = headDimension
        guard query.count == d else { throw .dimensionMismatch(what: "query", expected: d, actual: query.count) }
        try AttentionKernels.requireFinite(query, "query")
        guard tokenCount > 0 else { throw .emptyInput(what: "KV cache") }
        let prepared = try keyQuantizer.prepare(query: query)
        var logits: [Scalar]
        if let arenaQuantizer = keyQuantizer as? any KeyArenaLogits,
           let all = arenaLogits(arenaQuantizer, prepared) {
            logits = all
        } else if let batched = keyQuantizer as? any BatchedKeyLogits,
           let all = batchedLogits(batched, prepared) {
            logits = all
        } else {
            logits = []
            logits.reserveCapacity(tokenCount)
            for block in keyBlocks {
                logits.append(contentsOf: keyQuantizer.logits(prepared, block: block))
            }
        }
        AttentionKernels.appendExactLogits(
            query: query, keys: keyBuffer, count: bufferedKeyCount, dimension: d, to: &logits)
        if temperature == .inverseSquareRootDimension {
            AttentionKernels.divide(&logits, by: Scalar(d).squareRoot())
        }
        return logits
    }

    /// All blocks' logits from a quantizer that scores many blocks at once; nil if `Q` is not
    /// this cache's quantizer type (it always is when called from ``logits(query:)``).
    private func batchedLogits<Q: BatchedKeyLogits>(
        _ quantizer: Q, _ prepared: KeyQuantizer.PreparedQuery
    ) -> [Scalar]? {
        guard Q.self == KeyQuantizer.self else { return nil }
        // Same types (checked above): reinterpreting is the identity.
        let blocks = unsafeBitCast(keyBlocks, to: [Q.Block].self)
        let query = unsafeBitCast(prepared, to: Q.PreparedQuery.self)
        return unsafeBitCast(quantizer.logits(query, blocks: blocks), to: [Scalar].self)
    }

    /// All blocks' logits read from the arena; nil if `Q` is not this cache's quantizer type or
    /// there is no arena (neither happens when called from ``logits(query:)``).
    private func arenaLogits<Q: KeyArenaLogits>(_ quantizer: Q, _ prepared: KeyQuantizer.PreparedQuery) -> [Scalar]? {
        guard Q.self == KeyQuantizer.self, let arena = keyArena as? Q.KeyArena else { return nil }
        // Same types (checked above): reinterpreting is the identity.
        let blocks = unsafeBitCast(keyBlocks, to: [Q.Block].self)
        let query = unsafeBitCast(prepared, to: Q.PreparedQuery.self)
        return unsafeBitCast(quantizer.logits(query, arena: arena, blocks: blocks), to: [Scalar].self)
    }

    /// Logits, softmax weights and the attention output for `query`.
    /// ```
    /// w_t = exp(ℓ_t − max ℓ) / Σ_s exp(ℓ_s − max ℓ),   output = Σ_t w_t·v̂_t
    /// ```
    /// - Throws: as ``logits(query:)``.
    /// - Complexity: O(n·d) plus the key quantizer's per-query cost.
    public func attention(query: [Scalar]) throws(KVCacheError) -> Attention {
        let logits = try logits(query: query)
        let weights = AttentionKernels.softmax(logits)
        let d = headDimension, quantizedCount = quantizedValues.tokenCount
        assert(quantizedCount + windowValueCount == logits.count)
        var output = [Scalar](repeating: 0, count: d)
        AttentionKernels.accumulate(store: quantizedValues, weights: weights, into: &output)
        AttentionKernels.accumulate(
            window: valueWindow, count: windowValueCount, dimension: d, weights: weights,
            firstWeight: quantizedCount, into: &output)
        return Attention(logits: logits, weights: weights, output: output)
    }

    /// The attention output Σ_t softmax(ℓ)_t·v̂_t for `query` (see ``attention(query:)``).
    /// - Throws: as ``logits(query:)``.
    /// - Complexity: O(n·d) plus the key quantizer's per-query cost.
    public func attend(query: [Scalar]) throws(KVCacheError) -> [Scalar] {
        try attention(query: query).output
    }

    // MARK: Accounting

    /// Bits per full-precision entry of the buffer and window (`Scalar`'s width).
    private var fullPrecisionBits: Int { MemoryLayout<Scalar>.size * 8 }

    /// Keys: every quantized block's ledger plus the full-precision buffer.
    public var keyLedger: BitLedger {
        let d = headDimension
        var ledger = BitLedger(components: [], tokens: 0, coordinatesPerToken: d)
        for block in keyBlocks { ledger = ledger.merged(with: keyQuantizer.bitLedger(of: block)) }
        return ledger.merged(with: BitLedger(components: [
            .init(name: "key buffer (\(Scalar.self), \(fullPrecisionBits) bits)",
                  bits: bufferedKeyCount * d * fullPrecisionBits),
        ], tokens: bufferedKeyCount, coordinatesPerToken: d))
    }

    /// Values: the quantized store's ledger plus the full-precision window.
    public var valueLedger: BitLedger {
        let d = headDimension
        return quantizedValues.bitLedger.merged(with: BitLedger(components: [
            .init(name: "value window (\(Scalar.self), \(fullPrecisionBits) bits)",
                  bits: windowValueCount * d * fullPrecisionBits),
        ], tokens: windowValueCount, coordinatesPerToken: d))
    }

    /// Keys and values together, components prefixed "keys: " and "values: "; `tokens` counts
    /// stored vectors (n keys + n values), so bitsPerCoordinate averages over all 2·n·d entries.
    public var bitLedger: BitLedger {
        func prefixed(_ ledger: BitLedger, _ prefix: String) -> BitLedger {
            BitLedger(components: ledger.components.map { .init(name: prefix + $0.name, bits: $0.bits) },
                      tokens: ledger.tokens, coordinatesPerToken: ledger.coordinatesPerToken)
        }
        return prefixed(keyLedger, "keys: ").merged(with: prefixed(valueLedger, "values: "))
    }

    /// Bytes in the stored arrays (element counts × element sizes, not capacities).
    public var allocatedBytes: Int {
        keyBlocks.reduce(0) { $0 + $1.allocatedBytes }
            + keyBuffer.count * MemoryLayout<Scalar>.size
            + quantizedValues.allocatedBytes
            + valueWindow.count * MemoryLayout<Scalar>.size
    }
}

/// The KIVI baseline (arXiv 2402.02750) as a ``StreamingKVCache``.
public enum KIVI {
    /// A KIVI cache: keys per channel in groups of G tokens, values per token in groups of g
    /// channels, both at b bits with Float16 scale and zero point, and the R most recent tokens
    /// in full precision (keys are quantized R at a time, so G must divide R).
    /// ```
    /// StreamingKVCache(keyQuantizer: KIVIKeyQuantizer(d, G, b),
    ///                  valueQuantizer: GroupwiseValueQuantizer(d, g, b),
    ///                  bufferSize: R, valueBufferSize: R)
    /// ```
    /// - Throws: the initializers' errors (bits, group sizes, R).
    /// - Complexity: O(1).
    public static func makeCache<Scalar: LinearAlgebraScalar>(
        headDimension: Int, bits: Int, keyGroupSize: Int, valueGroupSize: Int, residualLength: Int,
        temperature: StreamingKVCache<KIVIKeyQuantizer<Scalar>>.Temperature = .inverseSquareRootDimension,
        scalar: Scalar.Type = Scalar.self
    ) throws(KVCacheError) -> StreamingKVCache<KIVIKeyQuantizer<Scalar>> {
        try StreamingKVCache(
            keyQuantizer: KIVIKeyQuantizer<Scalar>(headDimension: headDimension, groupSize: keyGroupSize, bits: bits),
            valueQuantizer: GroupwiseValueQuantizer(headDimension: headDimension, groupSize: valueGroupSize, bits: bits),
            bufferSize: residualLength, valueBufferSize: residualLength, temperature: temperature)
    }
}

/// Two caches are equal when their configurations and every stored bit and value are equal.
/// (The key arena is derived from `keyBlocks`, so it is not compared separately.)
extension StreamingKVCache: Equatable where KeyQuantizer: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.keyQuantizer == rhs.keyQuantizer && lhs.valueQuantizer == rhs.valueQuantizer
            && lhs.bufferSize == rhs.bufferSize && lhs.valueBufferSize == rhs.valueBufferSize
            && lhs.temperature == rhs.temperature && lhs.keyBlocks == rhs.keyBlocks
            && lhs.keyBuffer == rhs.keyBuffer && lhs.quantizedValues == rhs.quantizedValues
            && lhs.valueWindow == rhs.valueWindow
    }
}

// MARK: - Fast paths

/// A key quantizer that estimates the logits of all stored blocks in one call, faster than
/// ``GroupKeyQuantizer/logits(_:block:)`` block by block and with bit-identical results
/// (QJL: one scoring pass over all groups without outliers; KIVI: unpacked codes, vectorizable
/// loops). ``StreamingKVCache/logits(query:)`` uses it when the quantizer conforms.
protocol BatchedKeyLogits: GroupKeyQuantizer {
    /// The logits of every key of `blocks`, in token order; equal, bit for bit, to the
    /// concatenation of `logits(query, block:)` over the blocks.
    func logits(_ query: PreparedQuery, blocks: [Block]) -> [Scalar]
}

extension QJLKeyQuantizer: BatchedKeyLogits {}

/// A batched key quantizer that also keeps its blocks in a contiguous, append-only arena laid
/// out the way it scores them (QJL: one sign-bit batch per run of groups without outliers), so
/// that a decode step reads the stored keys in place instead of gathering every block again.
/// ``StreamingKVCache`` appends each new block to the arena as it appends it to `keyBlocks`.
protocol KeyArenaLogits: BatchedKeyLogits {
    associatedtype KeyArena: Sendable
    /// An empty arena.
    func makeArena() -> KeyArena
    /// Appends `blocks` (the next blocks after those already in `arena`).
    func append(_ blocks: [Block], to arena: inout KeyArena)
    /// The logits of every key, in token order, from an arena built by appending exactly
    /// `blocks`; equal, bit for bit, to ``BatchedKeyLogits/logits(_:blocks:)``.
    func logits(_ query: PreparedQuery, arena: KeyArena, blocks: [Block]) -> [Scalar]
}

/// A key quantizer that quantizes many consecutive groups in one call (QJL: one batch transform
/// for all of them) with blocks and errors equal to ``GroupKeyQuantizer/quantize(keys:)`` group
/// by group. ``StreamingKVCache`` uses it for every buffer flush and prefill.
protocol BatchedKeyQuantization: GroupKeyQuantizer {
    /// The blocks of the rows/G groups of `keys` (rows a multiple of G), in order.
    func quantize(groups keys: Matrix<Scalar>) throws(KVCacheError) -> [Block]
}

extension QJLKeyQuantizer: BatchedKeyQuantization {}

extension KIVIKeyQuantizer: BatchedKeyLogits {
    /// For each block, channel c outer and token t inner, as ``logits(_:block:)``:
    /// ```
    /// ℓ_t += q_c·(code_{c,t}·scale_c + minimum_c)
    /// ```
    /// with the codes of one channel unpacked to `Scalar` first, so the inner loop vectorizes.
    /// - Complexity: O(n·d).
    func logits(_ query: [Scalar], blocks: [KIVIKeyBlock]) -> [Scalar] {
        let total = blocks.reduce(0) { $0 + $1.tokenCount }
        var logits = [Scalar](repeating: 0, count: total)
        let table = AttentionKernels.byteDecodeTable(bits: bits, as: Scalar.self)
        var decoded = [Scalar](repeating: 0, count: (groupSize * bits + 31) / 32 * (32 / bits))
        var base = 0
        for block in blocks {
            AttentionKernels.addKIVILogits(query: query, block: block, dimension: headDimension, table: table,
                                           decoded: &decoded, into: &logits, at: base)
            base += block.tokenCount
        }
        return logits
    }
}

/// The hot loops of ``StreamingKVCache/attention(query:)``, pre-specialized for Float and Double
/// (the cache is generic and its public methods run unspecialized across modules). Each loop
/// performs the same floating-point operations in the same order as the plain formula next to
/// it, so results are unchanged.
enum AttentionKernels {
    /// (min, max) of the g entries `x[base ..< base + g]`, scanned in index order: the range a
    /// value group's min–max rounding starts from (shared by the one-token and batch encoders).
    /// - Complexity: O(g).
    @inline(__always)
    static func groupRange<Scalar: LinearAlgebraScalar>(
        _ x: UnsafeBufferPointer<Scalar>, _ base: Int, _ g: Int
    ) -> (lower: Scalar, upper: Scalar) {
        var lower = x[base], upper = x[base]
        for i in base..<(base + g) {
            lower = Swift.min(lower, x[i])
            upper = Swift.max(upper, x[i])
        }
        return (lower, upper)
    }

    /// Throws `.nonFiniteInput` at the first NaN or ±∞ entry (``requireFinite(_:_:)``, specialized).
    /// - Complexity: O(n).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func requireFinite<Scalar: LinearAlgebraScalar>(_ values: [Scalar], _ what: String) throws(KVCacheError) {
        let bad: Int? = values.withUnsafeBufferPointer { FiniteCheck.firstNonFiniteIndex($0) }
        if let bad { throw .nonFiniteInput(what: what, index: bad) }
    }

    /// One token's value codes, as ``GroupwiseValueQuantizer/encode(_:)`` computes them
    /// (same rounding, same errors), specialized for contiguous Float and Double slices.
    /// - Complexity: O(d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func encode<Scalar: LinearAlgebraScalar>(
        _ token: ArraySlice<Scalar>, _ quantizer: GroupwiseValueQuantizer
    ) throws(KVCacheError) -> GroupwiseValueQuantizer.EncodedToken {
        let g = quantizer.groupSize, groups = quantizer.groupsPerToken, maximumCode = (1 << quantizer.bits) - 1
        var encoded = GroupwiseValueQuantizer.EncodedToken(
            codes: [UInt32](repeating: 0, count: quantizer.headDimension), scales: [], minimums: [])
        encoded.scales.reserveCapacity(groups)
        encoded.minimums.reserveCapacity(groups)
        let result: Result<Void, KVCacheError> = token.withUnsafeBufferPointer { x in
            encoded.codes.withUnsafeMutableBufferPointer { codes in
                for group in 0..<groups {
                    let base = group * g
                    let (lower, upper) = groupRange(x, base, g)
                    let scale: Float16, minimum: Float16
                    do throws(KVCacheError) {
                        (scale, minimum) = try MinMaxRounding.parameters(
                            lower: lower, upper: upper, maximumCode: maximumCode, what: "value group")
                    } catch {
                        return .failure(error)
                    }
                    encoded.scales.append(scale)
                    encoded.minimums.append(minimum)
                    let s = Scalar(MinMaxRounding.float(scale)), m = Scalar(MinMaxRounding.float(minimum))
                    let top = Scalar(maximumCode)
                    for i in base..<(base + g) {
                        codes[i] = MinMaxRounding.code(x[i], scale: s, minimum: m, maximumCode: top)
                    }
                }
                return .success(())
            }
        }
        try result.get()
        return encoded
    }

    /// ``KIVIKeyQuantizer/quantize(keys:)`` after its shape checks: per channel c the first
    /// minimum and maximum over the G tokens (`Array.min()`/`max()` semantics), the Float16
    /// parameters, then the codes.
    /// ```
    /// code_{c,t} = MinMaxRounding.code(k_{t,c}, scale_c, minimum_c, 2^b − 1)
    /// ```
    /// - Throws: `.nonFiniteInput`, `.halfPrecisionOverflow` (first channel that fails).
    /// - Complexity: O(G·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func quantizeKIVI<Scalar: LinearAlgebraScalar>(
        keys: Matrix<Scalar>, bits: Int
    ) throws(KVCacheError) -> KIVIKeyBlock {
        try requireFinite(keys.elements, "key group")  // AttentionKernels.requireFinite (same index)
        let tokens = keys.rows, d = keys.columns, maximumCode = (1 << bits) - 1
        var codes = PackedCodes(validatedBitsPerCode: bits, codesPerRow: tokens)
        var scales = [Float16](), minimums = [Float16]()
        scales.reserveCapacity(d)
        minimums.reserveCapacity(d)
        var channelCodes = [UInt32](repeating: 0, count: tokens)
        let top = Scalar(maximumCode)
        for c in 0..<d {
            let (lower, upper) = keys.elements.withUnsafeBufferPointer { x in
                // As Sequence.min()/max(): replace only on strict < (keeps the first of ties, e.g. −0 vs +0).
                var lower = x[c], upper = x[c]
                for t in 1..<max(tokens, 1) {
                    let value = x[t * d + c]
                    if value < lower { lower = value }
                    if upper < value { upper = value }
                }
                return (lower, upper)
            }
            let (scale, minimum) = try MinMaxRounding.parameters(
                lower: lower, upper: upper, maximumCode: maximumCode, what: "key channel")
            let s = Scalar(MinMaxRounding.float(scale)), m = Scalar(MinMaxRounding.float(minimum))
            keys.elements.withUnsafeBufferPointer { x in
                channelCodes.withUnsafeMutableBufferPointer { out in
                    for t in 0..<tokens {
                        out[t] = MinMaxRounding.code(x[t * d + c], scale: s, minimum: m, maximumCode: top)
                    }
                }
            }
            codes.appendValidatedRow(channelCodes)
            scales.append(scale)
            minimums.append(minimum)
        }
        return KIVIKeyBlock(tokenCount: tokens, codes: codes, scales: scales, minimums: minimums)
    }

    /// Encodes `tokens` values (row-major, d each) as ``encode(_:_:)`` does, token by token, and
    /// appends them to `store`: the same codes, scales and minimums, written straight into packed
    /// words with one reusable code buffer instead of three arrays per token.
    /// - Throws: the first token's `.halfPrecisionOverflow`, as ``encode(_:_:)``; `store` is then
    ///   unchanged.
    /// - Complexity: O(tokens·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func appendEncoded<Scalar: LinearAlgebraScalar>(
        _ values: ArraySlice<Scalar>, tokens: Int, to store: inout QuantizedValueStore
    ) throws(KVCacheError) {
        let quantizer = store.quantizer
        let d = quantizer.headDimension, g = quantizer.groupSize, groups = quantizer.groupsPerToken
        let bits = quantizer.bits, maximumCode = (1 << bits) - 1, perWord = 32 / bits
        let wordsPerRow = (d * bits + 31) / 32
        assert(values.count == tokens * d)
        var codes = [UInt32](repeating: 0, count: d)
        var words = [UInt32](), scales = [Float16](), minimums = [Float16]()
        words.reserveCapacity(tokens * wordsPerRow)
        scales.reserveCapacity(tokens * groups)
        minimums.reserveCapacity(tokens * groups)
        let top = Scalar(maximumCode), width = UInt32(bits)
        let failure: KVCacheError? = values.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { code in
                for t in 0..<tokens {
                    let row = t * d
                    for group in 0..<groups {
                        let base = row + group * g
                        let (lower, upper) = groupRange(x, base, g)
                        let scale: Float16, minimum: Float16
                        do throws(KVCacheError) {
                            (scale, minimum) = try MinMaxRounding.parameters(
                                lower: lower, upper: upper, maximumCode: maximumCode, what: "value group")
                        } catch {
                            return error
                        }
                        scales.append(scale)
                        minimums.append(minimum)
                        let s = Scalar(MinMaxRounding.float(scale)), m = Scalar(MinMaxRounding.float(minimum))
                        for i in (group * g)..<((group + 1) * g) {
                            code[i] = MinMaxRounding.code(x[row + i], scale: s, minimum: m, maximumCode: top)
                        }
                    }
                    for k in 0..<wordsPerRow {
                        let first = k * perWord, end = Swift.min(first + perWord, d)
                        var word: UInt32 = 0
                        for j in first..<end { word |= code[j] &<< (UInt32(truncatingIfNeeded: j - first) &* width) }
                        words.append(word)
                    }
                }
                return nil
            }
        }
        if let failure { throw failure }
        store.append(packedRows: words, count: tokens, scales: scales, minimums: minimums)
    }

    /// Appends ⟨q, k_t⟩ = Σ_i q_i·k_{t,i} (i ascending) for the `count` buffered keys (row-major).
    /// - Complexity: O(count·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func appendExactLogits<Scalar: LinearAlgebraScalar>(
        query: [Scalar], keys: [Scalar], count: Int, dimension d: Int, to logits: inout [Scalar]
    ) {
        query.withUnsafeBufferPointer { q in
            keys.withUnsafeBufferPointer { buffer in
                for t in 0..<count {
                    var dot: Scalar = 0
                    for i in 0..<d { dot += q[i] * buffer[t * d + i] }
                    logits.append(dot)
                }
            }
        }
    }

    /// ℓ_t ← ℓ_t / divisor.
    /// - Complexity: O(n).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func divide<Scalar: LinearAlgebraScalar>(_ logits: inout [Scalar], by divisor: Scalar) {
        logits.withUnsafeMutableBufferPointer { values in
            for t in values.indices { values[t] /= divisor }
        }
    }

    /// w_t = exp(ℓ_t − max ℓ) / Σ_s exp(ℓ_s − max ℓ), the sum taken in token order.
    /// - Complexity: O(n).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func softmax<Scalar: LinearAlgebraScalar>(_ logits: [Scalar]) -> [Scalar] {
        let largest = logits.max() ?? 0
        var weights = [Scalar](repeating: 0, count: logits.count)
        var total: Scalar = 0
        logits.withUnsafeBufferPointer { x in
            weights.withUnsafeMutableBufferPointer { w in
                for t in x.indices { w[t] = Scalar.exp(x[t] - largest) }
                for t in w.indices { total += w[t] }
                for t in w.indices { w[t] /= total }
            }
        }
        return weights
    }

    /// The codes of every byte value as `Scalar`: entry v·(8/b) + j is code j of byte v,
    /// (v >> (j·b)) & (2^b − 1), so a byte of packed codes decodes with one table row.
    /// - Complexity: O(256·8/b).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func byteDecodeTable<Scalar: LinearAlgebraScalar>(bits: Int, as type: Scalar.Type = Scalar.self) -> [Scalar] {
        let codesPerByte = 8 / bits, mask = (1 << bits) - 1
        var table = [Scalar](repeating: 0, count: 256 * codesPerByte)
        for v in 0..<256 {
            for j in 0..<codesPerByte { table[v * codesPerByte + j] = Scalar((v >> (j * bits)) & mask) }
        }
        return table
    }

    /// Writes the codes of `wordCount` packed words (LSB-first, b bits each) into `codes` as
    /// `Scalar`, 32/b per word, byte by byte through `table` (``byteDecodeTable(bits:as:)``).
    /// Equal to `Scalar((word >> (c·b)) & (2^b − 1))` for code c of each word.
    /// - Complexity: O(wordCount·32/b).
    @inline(__always)
    static func decode<Scalar: LinearAlgebraScalar>(
        words: UnsafePointer<UInt32>, wordCount: Int, bits: Int, table: UnsafeBufferPointer<Scalar>,
        into codes: UnsafeMutableBufferPointer<Scalar>
    ) {
        let codesPerByte = 8 / bits
        if codesPerByte == 4 {
            for k in 0..<wordCount {
                let word = words[k]
                for b in 0..<4 {
                    let row = Int((word >> UInt32(8 * b)) & 0xFF) &* 4, o = k &* 16 &+ b &* 4
                    codes[o] = table[row]
                    codes[o + 1] = table[row + 1]
                    codes[o + 2] = table[row + 2]
                    codes[o + 3] = table[row + 3]
                }
            }
        } else {
            for k in 0..<wordCount {
                let word = words[k]
                for b in 0..<4 {
                    let row = Int((word >> UInt32(8 * b)) & 0xFF) &* codesPerByte
                    let o = (4 &* k &+ b) &* codesPerByte
                    for j in 0..<codesPerByte { codes[o + j] = table[row + j] }
                }
            }
        }
    }

    /// output_i += Σ_t w_t·x̂_{t,i}, x̂_{t,i} = code_{t,i}·scale_{t,γ(i)} + minimum_{t,γ(i)}, tokens in
    /// order, each output entry updated by the same operations in the same order as the plain
    /// formula. Float values with d and g multiples of 16 run the AVX-512 kernel
    /// `ckv_accumulate_values_f32` (16 channels per instruction, the d outputs held in registers
    /// across tokens; ``valueKernelApplies(_:)``). Otherwise each token's codes are decoded a
    /// byte at a time through a 256-row table (no per-code shifts) and its Float16 parameters
    /// converted without library calls (`MinMaxRounding.float`). Both give the plain formula's
    /// result bit for bit (tested).
    /// - Complexity: O(n·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func accumulate<Scalar: LinearAlgebraScalar>(
        store: QuantizedValueStore, weights: [Scalar], into output: inout [Scalar]
    ) {
        let quantizer = store.quantizer, n = store.tokenCount
        let d = quantizer.headDimension, g = quantizer.groupSize, groups = quantizer.groupsPerToken
        let bits = store.codes.bitsPerCode, perWord = 32 / bits, wordsPerRow = store.codes.wordsPerRow
        assert(weights.count >= n && output.count == d)
        guard n > 0 else { return }
        if Scalar.self == Float.self, valueKernelApplies(store.quantizer) {
            // Same operations in the same order, 16 channels per AVX-512 instruction.
            runValueKernel(words: store.codes.words, wordsPerRow: wordsPerRow, bits: bits, scales: store.scales,
                           minimums: store.minimums, groupSize: g, weights: weights, rows: n, columns: d,
                           into: &output, at: 0)
            return
        }
        let table = byteDecodeTable(bits: bits, as: Scalar.self)
        var decoded = [Scalar](repeating: 0, count: wordsPerRow * perWord)
        var parameters = [Scalar](repeating: 0, count: 2 * groups)
        store.codes.words.withUnsafeBufferPointer { words in
            store.scales.withUnsafeBufferPointer { scales in
                store.minimums.withUnsafeBufferPointer { minimums in
                    weights.withUnsafeBufferPointer { w in
                        output.withUnsafeMutableBufferPointer { out in
                            table.withUnsafeBufferPointer { table in
                                decoded.withUnsafeMutableBufferPointer { codes in
                                    parameters.withUnsafeMutableBufferPointer { parameter in
                                        for t in 0..<n {
                                            decode(words: words.baseAddress! + t * wordsPerRow, wordCount: wordsPerRow,
                                                   bits: bits, table: table, into: codes)
                                            for γ in 0..<groups {
                                                parameter[2 * γ] = Scalar(MinMaxRounding.float(scales[t * groups + γ]))
                                                parameter[2 * γ + 1] = Scalar(MinMaxRounding.float(minimums[t * groups + γ]))
                                            }
                                            let weight = w[t]
                                            for γ in 0..<groups {
                                                let scale = parameter[2 * γ], minimum = parameter[2 * γ + 1]
                                                for i in (γ * g)..<((γ + 1) * g) {
                                                    out[i] += weight * (codes[i] * scale + minimum)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `ckv_accumulate_values_f32` on Swift arrays (Scalar must be Float; callers check):
    /// `out[offset + i] += w[t]·(code[t][i]·scale[t][⌊i/g⌋] + min[t][⌊i/g⌋])` for rows t < `rows`,
    /// columns i < `columns`, in row order. The caller has checked the kernel's requirements
    /// (AVX-512, 16 | columns, 16 | g, g | columns, the arrays' sizes).
    /// - Complexity: O(rows·columns).
    private static func runValueKernel<Scalar: LinearAlgebraScalar>(
        words: [UInt32], wordsPerRow: Int, bits: Int, scales: [Float16], minimums: [Float16], groupSize: Int,
        weights: [Scalar], rows: Int, columns: Int, into output: inout [Scalar], at offset: Int
    ) {
        assert(Scalar.self == Float.self && weights.count >= rows && output.count >= offset + columns)
        words.withUnsafeBufferPointer { words in
            scales.withUnsafeBytes { scales in
                minimums.withUnsafeBytes { minimums in
                    weights.withUnsafeBufferPointer { weights in
                        output.withUnsafeMutableBufferPointer { output in
                            weights.withMemoryRebound(to: Float.self) { weights in
                                output.withMemoryRebound(to: Float.self) { output in
                                    guard let wordBase = words.baseAddress, let scaleBase = scales.baseAddress,
                                          let minimumBase = minimums.baseAddress, let weightBase = weights.baseAddress,
                                          let outputBase = output.baseAddress
                                    else { return }
                                    ckv_accumulate_values_f32(wordBase, wordsPerRow, Int32(bits), scaleBase, minimumBase,
                                                              groupSize, weightBase, rows, columns, outputBase + offset)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether ``accumulate(store:weights:into:)`` runs the AVX-512 kernel (CKVCacheKernels) for
    /// Float values of this quantizer: the CPU has AVX-512 F/VL and F16C, and the head dimension
    /// and group size are multiples of 16 (every 16-channel chunk lies in one group).
    static func valueKernelApplies(_ quantizer: GroupwiseValueQuantizer) -> Bool {
        valueKernelAvailable && quantizer.headDimension % 16 == 0 && quantizer.groupSize % 16 == 0
    }

    /// Whether this CPU runs the AVX-512 value kernel.
    static let valueKernelAvailable = ckv_values_avx512_available() != 0

    /// output_i += Σ_t w_{first + t}·v_{t,i} over the `count` full-precision window values.
    /// - Complexity: O(count·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func accumulate<Scalar: LinearAlgebraScalar>(
        window: [Scalar], count: Int, dimension d: Int, weights: [Scalar], firstWeight: Int,
        into output: inout [Scalar]
    ) {
        window.withUnsafeBufferPointer { v in
            output.withUnsafeMutableBufferPointer { out in
                for t in 0..<count {
                    let weight = weights[firstWeight + t]
                    for i in 0..<d { out[i] += weight * v[t * d + i] }
                }
            }
        }
    }

    /// ℓ_{base + t} += q_c·(code_{c,t}·scale_c + minimum_c), channel c outer, token t inner;
    /// each channel's codes decoded a byte at a time through `table` (``byteDecodeTable(bits:as:)``).
    /// - Complexity: O(G·d).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func addKIVILogits<Scalar: LinearAlgebraScalar>(
        query: [Scalar], block: KIVIKeyBlock, dimension d: Int, table: [Scalar],
        decoded: inout [Scalar], into logits: inout [Scalar], at base: Int
    ) {
        let codes = block.codes, tokens = block.tokenCount
        let bits = codes.bitsPerCode, wordsPerRow = codes.wordsPerRow
        assert(decoded.count >= wordsPerRow * (32 / bits))
        if Scalar.self == Float.self, valueKernelAvailable, tokens % 16 == 0, codes.codesPerRow == tokens,
           codes.rowCount == d, block.scales.count == d, logits.count >= base + tokens {
            // The same sum with rows = channels c, weights = q_c, outputs = the G tokens, one
            // (scale, minimum) per row: the value kernel computes it with the same operations.
            runValueKernel(words: codes.words, wordsPerRow: wordsPerRow, bits: bits, scales: block.scales,
                           minimums: block.minimums, groupSize: tokens, weights: query, rows: d, columns: tokens,
                           into: &logits, at: base)
            return
        }
        codes.words.withUnsafeBufferPointer { words in
            query.withUnsafeBufferPointer { q in
                logits.withUnsafeMutableBufferPointer { out in
                    table.withUnsafeBufferPointer { table in
                        decoded.withUnsafeMutableBufferPointer { channel in
                            block.scales.withUnsafeBufferPointer { scales in
                                block.minimums.withUnsafeBufferPointer { minimums in
                                    for c in 0..<d {
                                        decode(words: words.baseAddress! + c * wordsPerRow, wordCount: wordsPerRow,
                                               bits: bits, table: table, into: channel)
                                        let scale = Scalar(MinMaxRounding.float(scales[c]))
                                        let minimum = Scalar(MinMaxRounding.float(minimums[c]))
                                        let weight = q[c]
                                        for t in 0..<tokens {
                                            out[base + t] += weight * (channel[t] * scale + minimum)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
