internal import CQJLKernels
import Dispatch
import JLLinearAlgebra

/// The C scoring kernels (module CQJLKernels) behind ``ScoringPath/vectorized`` and
/// ``ScoringPath/approximateInt8``. The C boundary stays in this file.
enum ScoringKernels {
    /// Keys per kernel call: each block's sign bits stay in L2 while every head scores them.
    static let keysPerBlock = 4096

    /// Whether this CPU runs the AVX-512 exact kernel (F, BW, VL, DQ, F16C).
    static var exactKernelAvailable: Bool { cqjl_exact_avx512_available() != 0 }

    /// Whether this CPU runs the AVX-512 VNNI int8 kernel (otherwise portable C, same results).
    static var int8KernelAvailable: Bool { cqjl_int8_avx512_available() != 0 }

    /// Exact Float scores through the AVX-512 masked-sum kernel; nil when the CPU lacks it.
    static func exactScores(
        projectedQueries: Matrix<Float>, keys: SignSketchBatch, scale: Float, threads: Int, range: Range<Int>
    ) -> [Float]? {
        guard exactKernelAvailable else { return nil }
        let heads = projectedQueries.rows, m = keys.sketchDimension, words = keys.wordsPerKey
        var padded = [Float](repeating: 0, count: heads * 64 * words)
        var totals = [Float](repeating: 0, count: heads)
        for h in 0..<heads {
            var total: Float = 0
            for r in 0..<m {
                let x = projectedQueries.elements[h * m + r]
                padded[h * 64 * words + r] = x
                total += x
            }
            totals[h] = total
        }
        let paddedQueries = padded, queryTotals = totals
        return run(keys: keys, heads: heads, threads: threads, range: range) { block, norms, out in
            paddedQueries.withUnsafeBufferPointer { x in
                for h in 0..<heads {
                    cqjl_exact_scores_avx512(block.bits, words, block.count, x.baseAddress! + h * 64 * words,
                                             queryTotals[h], scale, norms.pointer, norms.isHalf,
                                             out.baseAddress! + h * block.outputStride + block.outputOffset)
                }
            }
        }
    }

    /// Exact Float scores through the portable C byte-table kernel (any CPU): the same
    /// operations, in the same order, as ``LookupTables/score(keys:range:offset:scale:norms:output:n:)``.
    static func tableScores(
        projectedQueries: Matrix<Float>, keys: SignSketchBatch, scale: Float, threads: Int, range: Range<Int>
    ) -> [Float] {
        let tables = LookupTables(projectedQueries: projectedQueries)
        let heads = projectedQueries.rows, words = keys.wordsPerKey, bytes = tables.bytesPerKey
        return run(keys: keys, heads: heads, threads: threads, range: range) { block, norms, out in
            tables.entries.withUnsafeBufferPointer { table in
                for h in 0..<heads {
                    cqjl_table_scores(block.bits, words, bytes, block.count, table.baseAddress! + h * bytes * 256,
                                      tables.totals[h], scale, norms.pointer, norms.isHalf,
                                      out.baseAddress! + h * block.outputStride + block.outputOffset)
                }
            }
        }
    }

    /// Approximate scores from int8-quantized S·q (see ``Int8Query``).
    static func int8Scores<Scalar: LinearAlgebraScalar>(
        queries: [Int8Query<Scalar>], keys: SignSketchBatch, scale: Scalar, threads: Int, range: Range<Int>
    ) -> [Scalar] {
        let heads = queries.count, words = keys.wordsPerKey
        let tableCount = words * 8 * 256
        if Scalar.self == Float.self {
            let floatScale = Float(scale)
            let output = run(keys: keys, heads: heads, threads: threads, range: range) { block, norms, out in
                var table = [Int32](repeating: 0, count: int8KernelAvailable ? 0 : tableCount)
                table.withUnsafeMutableBufferPointer { t in
                    for h in 0..<heads {
                        queries[h].levels.withUnsafeBufferPointer { q in
                            cqjl_int8_scores(block.bits, words, block.count, q.baseAddress!, queries[h].levelTotal,
                                             Float(queries[h].step), floatScale, norms.pointer, norms.isHalf,
                                             t.baseAddress, out.baseAddress! + h * block.outputStride + block.outputOffset)
                        }
                    }
                }
            }
            return unsafeBitCast(output, to: [Scalar].self)  // Scalar == Float, checked above
        }
        let decodedNorms = keys.keyNorms
        let output: [Double] = run(keys: keys, heads: heads, threads: threads, range: range) { block, _, out in
            var table = [Int32](repeating: 0, count: int8KernelAvailable ? 0 : tableCount)
            var sums = [Int32](repeating: 0, count: block.count)
            table.withUnsafeMutableBufferPointer { t in
                sums.withUnsafeMutableBufferPointer { s in
                    for h in 0..<heads {
                        queries[h].levels.withUnsafeBufferPointer { q in
                            cqjl_int8_sums(block.bits, words, block.count, q.baseAddress!, t.baseAddress, s.baseAddress!)
                        }
                        let step = Double(queries[h].step), total = queries[h].levelTotal
                        for j in 0..<block.count {
                            let value = step * Double(2 * s[j] - total)
                            out[h * block.outputStride + block.outputOffset + j] =
                                (Double(scale) * Double(decodedNorms[block.firstKey + j])) * value
                        }
                    }
                }
            }
        }
        return output.map { Scalar($0) }
    }

    /// One block of keys handed to a kernel.
    struct Block {
        let bits: UnsafePointer<UInt64>
        let count: Int
        let firstKey: Int
        let outputOffset: Int
        let outputStride: Int
    }

    /// The stored norms as the kernels read them.
    struct NormPointer {
        let pointer: UnsafeRawPointer
        let isHalf: Int32
    }

    /// Splits `range` into `threads` contiguous chunks and each chunk into blocks of
    /// ``keysPerBlock`` keys; `body` fills heads × block.count scores of its block.
    static func run<Element: Numeric & Sendable>(
        keys: SignSketchBatch, heads: Int, threads: Int, range: Range<Int>,
        body: @Sendable (Block, NormPointer, UnsafeMutableBufferPointer<Element>) -> Void
    ) -> [Element] {
        let n = range.count, words = keys.wordsPerKey
        guard heads > 0, n > 0 else { return [Element](repeating: 0, count: heads * n) }
        let chunkCount = min(threads, n)
        let chunkSize = (n + chunkCount - 1) / chunkCount
        // Uninitialized: every entry (h, j) is written exactly once by the worker owning key j,
        // so there is no zero-fill pass and each worker first-touches (page-faults) its own pages.
        return [Element](unsafeUninitializedCapacity: heads * n) { out, initializedCount in
            withStoredNorms(keys) { norms in
                keys.signBits.withUnsafeBufferPointer { bits in
                    let shared = KernelShared(bits: bits.baseAddress!, norms: norms, out: out)
                    DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                        var start = chunk * chunkSize
                        let end = min(n, (chunk + 1) * chunkSize)
                        while start < end {
                            let count = min(keysPerBlock, end - start)
                            let key = range.lowerBound + start
                            let block = Block(bits: shared.bits + key * words, count: count, firstKey: key,
                                              outputOffset: start, outputStride: n)
                            let norm = NormPointer(pointer: shared.norms.pointer + key * Int(shared.norms.stride),
                                                   isHalf: shared.norms.isHalf)
                            body(block, norm, shared.out)
                            start += count
                        }
                    }
                }
            }
            initializedCount = heads * n
        }
    }

    /// Pointers shared by the workers of one call. Invariant: workers only read `bits`/`norms`
    /// and write the output entries of their own key range.
    struct KernelShared<Element>: @unchecked Sendable {
        let bits: UnsafePointer<UInt64>
        let norms: (pointer: UnsafeRawPointer, stride: Int32, isHalf: Int32)
        let out: UnsafeMutableBufferPointer<Element>
    }

    static func withStoredNorms<R>(
        _ keys: SignSketchBatch, _ body: ((pointer: UnsafeRawPointer, stride: Int32, isHalf: Int32)) -> R
    ) -> R {
        switch keys.storedNorms {
        case let .float16(values):
            values.withUnsafeBytes { body(($0.baseAddress ?? UnsafeRawPointer(bitPattern: 2)!, 2, 1)) }
        case let .float32(values):
            values.withUnsafeBytes { body(($0.baseAddress ?? UnsafeRawPointer(bitPattern: 4)!, 4, 0)) }
        }
    }
}

/// One projected query x = S·q rounded to int8 levels for ``ScoringPath/approximateInt8``:
///
/// ```
/// step = max_r |x_r| / 127,   q_r = round(x_r / step) ∈ [−127, 127]
/// approximate Σ_r x_r·(2·bit_r − 1)  =  step·(2·Σ_{bit_r = 1} q_r − Σ_r q_r)   (integer sums, exact)
/// quantization error ≤ E = Σ_r |x_r − step·q_r|  ≤  m·step/2
/// ```
/// - Source: the fast-scan idea of quantized lookup sums (theory.md §3.3); the bound is the
///   triangle inequality over the m terms.
struct Int8Query<Scalar: LinearAlgebraScalar>: Sendable {
    /// q_r, zero-padded to 64·⌈m/64⌉ entries.
    let levels: [Int8]
    /// Σ_r q_r.
    let levelTotal: Int32
    /// The quantization step (0 for an all-zero query).
    let step: Scalar
    /// E = Σ_r |x_r − step·q_r|, in Double.
    let quantizationError: Double
    /// Σ_r |x_r|, in Double.
    let absoluteSum: Double

    init(_ x: ArraySlice<Scalar>, paddedLength: Int) {
        var maxAbs: Scalar = 0
        for value in x { maxAbs = max(maxAbs, abs(value)) }
        let step = maxAbs / 127
        var levels = [Int8](repeating: 0, count: paddedLength)
        var total: Int32 = 0, error = 0.0, absoluteSum = 0.0
        for (r, value) in x.enumerated() {
            let level = step > 0 ? Int8(clamping: Int((value / step).rounded())) : 0
            levels[r] = level
            total += Int32(level)
            error += abs(Double(value) - Double(step) * Double(level))
            absoluteSum += abs(Double(value))
        }
        self.levels = levels
        self.levelTotal = total
        self.step = step
        self.quantizationError = error
        self.absoluteSum = absoluteSum
    }

    /// The per-unit-norm error bound of the approximate score against the exact real-number
    /// score (c/m)·‖k‖·Σ_r x_r·(2·bit_r − 1) (with ‖k‖ the stored norm):
    ///
    /// ```
    /// |ŝ − s| ≤ (|c|/m)·‖k‖·(E + 6u·(Σ_r |x_r| + E)),   u = unit roundoff of Scalar
    /// ```
    /// The 6u term covers the Float/Double rounding of c/m, step·J, the int → float conversion
    /// of J and the two final products.
    func errorBoundPerUnitNorm(constant: Double, sketchDimension m: Int) -> Double {
        let u = Double(Scalar.ulpOfOne) / 2
        return abs(constant) / Double(m) * (quantizationError + 6 * u * (absoluteSum + quantizationError))
    }
}
