import JLLinearAlgebra
import QJL

/// One quantized group of keys as a key quantizer stores it (e.g. packed codes with per-channel
/// scales for KIVI, packed sign bits + key norms + outlier indices for QJL).
public protocol QuantizedKeyBlock: Sendable, Equatable {
    /// Keys in the block (the quantizer's group size).
    var tokenCount: Int { get }
    /// Bytes in the block's stored arrays (element counts × element sizes, not capacities);
    /// the quantizer's ``GroupKeyQuantizer/bitLedger(of:)`` must account for exactly these.
    var allocatedBytes: Int { get }
}

/// A key quantizer that works on groups of `groupSize` consecutive tokens and estimates the
/// logits ⟨q, k_t⟩ of a query against a stored group (theory.md §1.5, §3.2–3.4).
///
/// ```
/// block   = quantize(keys: K)            K ∈ R^{groupSize × d}
/// state   = prepare(query: q)            once per query (QJL: the sketch S·q)
/// ℓ_t     ≈ ⟨q, k_t⟩ = logits(state, block)[t],   t < groupSize     (raw, no 1/√d)
/// ```
/// ``StreamingKVCache`` calls `quantize` whenever its full-precision buffer fills, once per group
/// of the buffer, and `prepare` once per `attend`. A QJL conformer fits as `Block` = packed sign
/// bits, Float16 norms and outlier channel indices per group (outliers chosen per group, as the
/// official code does), and `PreparedQuery` = S·q in Float32.
/// - Complexity: conformers document their own costs.
public protocol GroupKeyQuantizer: Sendable {
    /// The scalar type of keys and queries.
    associatedtype Scalar: LinearAlgebraScalar
    /// One stored group.
    associatedtype Block: QuantizedKeyBlock
    /// Per-query state reused across all blocks.
    associatedtype PreparedQuery: Sendable

    /// The head dimension d.
    var headDimension: Int { get }
    /// Tokens per quantized group.
    var groupSize: Int { get }

    /// Quantizes one group of keys, a `groupSize × d` matrix (one key per row).
    /// - Throws: `.dimensionMismatch` on a wrong shape, `.nonFiniteInput`, or conformer errors.
    func quantize(keys: Matrix<Scalar>) throws(KVCacheError) -> Block

    /// Per-query precomputation; `query.count == headDimension` and finiteness are checked by the
    /// caller (``StreamingKVCache``), but a conformer may check again.
    func prepare(query: [Scalar]) throws(KVCacheError) -> PreparedQuery

    /// The estimated raw logits ⟨q, k_t⟩ for the block's tokens, in token order.
    func logits(_ query: PreparedQuery, block: Block) -> [Scalar]

    /// The block's itemized storage (theory.md §3.7), `tokens == block.tokenCount`,
    /// `coordinatesPerToken == headDimension`, and `totalBits == 8·block.allocatedBytes`.
    func bitLedger(of block: Block) -> BitLedger
}
