import JLLinearAlgebra
import QJL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact baseline of the runtime study: one attention head's keys and values in fp32,
/// attention by two BLAS matrix–vector products around a softmax (arXiv 2406.03482 Fig. 3's
/// "exact" method, on CPU).
///
/// ```
/// ℓ = K q / √d                      (sgemv, K ∈ R^{n×d} row-major)
/// w = softmax(ℓ)                    (max subtracted, sum in token order)
/// o = Vᵀ w                          (sgemv, V ∈ R^{n×d} row-major)
/// ```
/// - Complexity: prefill O(n·d) (a copy); append O(d) amortized; attend O(n·d), memory bound:
///   it reads 2·n·d·4 bytes.
public struct ExactAttentionCache: Sendable {
    /// Head dimension d.
    public let headDimension: Int
    /// Keys, row-major n×d.
    public private(set) var keys: [Float]
    /// Values, row-major n×d.
    public private(set) var values: [Float]

    /// An empty cache with room for `capacity` tokens.
    /// - Complexity: O(capacity·d) to reserve.
    public init(headDimension: Int, capacity: Int = 0) {
        self.headDimension = headDimension
        self.keys = []
        self.values = []
        keys.reserveCapacity(max(0, capacity) * headDimension)
        values.reserveCapacity(max(0, capacity) * headDimension)
    }

    /// Tokens stored, n.
    public var tokenCount: Int { keys.count / max(1, headDimension) }

    /// Appends the prompt's keys and values (n×d each, same n).
    /// - Throws: ``RuntimeError/cache(_:)`` on a shape mismatch.
    /// - Complexity: O(n·d).
    public mutating func prefill(keys newKeys: Matrix<Float>, values newValues: Matrix<Float>) throws(RuntimeError) {
        guard newKeys.columns == headDimension, newValues.columns == headDimension, newKeys.rows == newValues.rows else {
            throw .cache("exact cache: keys \(newKeys.rows)×\(newKeys.columns) and values \(newValues.rows)×\(newValues.columns) must both be n×\(headDimension)")
        }
        keys.append(contentsOf: newKeys.elements)
        values.append(contentsOf: newValues.elements)
    }

    /// Appends one key and value (d entries each).
    /// - Throws: ``RuntimeError/cache(_:)`` on a length mismatch.
    /// - Complexity: O(d) amortized.
    public mutating func append(key: [Float], value: [Float]) throws(RuntimeError) {
        guard key.count == headDimension, value.count == headDimension else {
            throw .cache("exact cache: key and value must have \(headDimension) entries, got \(key.count) and \(value.count)")
        }
        keys.append(contentsOf: key)
        values.append(contentsOf: value)
    }

    /// o = Vᵀ softmax(K q/√d).
    /// - Throws: ``RuntimeError/cache(_:)`` if the cache is empty, q has ≠ d entries, or n
    ///   exceeds the 32-bit BLAS index range.
    /// - Complexity: O(n·d).
    public func attend(query: [Float]) throws(RuntimeError) -> [Float] {
        let d = headDimension, n = tokenCount
        guard n > 0 else { throw .cache("exact cache is empty; prefill first") }
        guard query.count == d else { throw .cache("query has \(query.count) entries, expected \(d)") }
        guard let rows = Int32(exactly: n), let columns = Int32(exactly: d) else {
            throw .cache("n = \(n) exceeds the 32-bit BLAS index range")
        }
        var logits = [Float](repeating: 0, count: n)
        var output = [Float](repeating: 0, count: d)
        let alpha = 1 / Float(d).squareRoot()
        keys.withUnsafeBufferPointer { k in
            query.withUnsafeBufferPointer { q in
                logits.withUnsafeMutableBufferPointer { l in
                    guard let kBase = k.baseAddress, let qBase = q.baseAddress, let lBase = l.baseAddress else { return }
                    Float.blasGEMV(transpose: false, m: rows, n: columns, alpha: alpha, a: kBase, lda: columns,
                                   x: qBase, incx: 1, beta: 0, y: lBase, incy: 1)
                }
            }
        }
        ExactAttentionCache.softmaxInPlace(&logits)
        values.withUnsafeBufferPointer { v in
            logits.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { o in
                    guard let vBase = v.baseAddress, let wBase = w.baseAddress, let oBase = o.baseAddress else { return }
                    Float.blasGEMV(transpose: true, m: rows, n: columns, alpha: 1, a: vBase, lda: columns,
                                   x: wBase, incx: 1, beta: 0, y: oBase, incy: 1)
                }
            }
        }
        return output
    }

    /// x ← softmax(x): exp(x_t − max x), divided by the sum taken in token order.
    /// - Complexity: O(n).
    static func softmaxInPlace(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { values in
            var largest = -Float.infinity
            for v in values { largest = Swift.max(largest, v) }
            var total: Float = 0
            for t in values.indices {
                values[t] = expf(values[t] - largest)
                total += values[t]
            }
            let inverse = 1 / total
            for t in values.indices { values[t] *= inverse }
        }
    }
}
