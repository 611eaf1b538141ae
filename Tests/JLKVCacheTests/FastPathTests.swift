import JLLinearAlgebra
import JLTransforms
import QJL
import Testing
@testable import JLKVCache

// MARK: Batched QJL quantization = group by group

/// Prefill sketches all complete B-chunks with one batch transform and splits the result into
/// groups; streaming quantizes B keys at a time. Both must equal `quantize(keys:)` of each group
/// alone, bit for bit (G ≥ 8 takes the batched path; G = 4 the one-by-one path).
func checkBatchedQuantizationEqualsGroupByGroup<T: JLTransform>(
    _ transform: T, groupSize: Int, outlierCount: Int
) throws {
    let bufferSize = 2 * groupSize, n = 5 * bufferSize + 3, d = transform.inputDimension
    let keys: Matrix<T.Scalar> = try keysWithOutlierChannels(n, d, seed: 31)
    let values: Matrix<T.Scalar> = try gaussianMatrix(n, d, seed: 32)
    func make() throws -> StreamingKVCache<QJLKeyQuantizer<T>> {
        try QJLCache.makeCache(transform: transform, outlierCount: outlierCount, outlierSketchDimension: 24,
                               keyGroupSize: groupSize, bufferSize: bufferSize, valueBits: 2, valueGroupSize: 8)
    }
    var prefilled = try make()
    try prefilled.prefill(keys: keys, values: values)
    var streamed = try make()
    for t in 0..<n { try streamed.append(key: keys.row(t), value: values.row(t)) }
    #expect(prefilled.keyBlocks.count == 10)
    #expect(streamed.keyBlocks == prefilled.keyBlocks)
    let quantizer = prefilled.keyQuantizer
    for (g, block) in prefilled.keyBlocks.enumerated() {
        let rows = Array(keys.elements[(g * groupSize * d)..<((g + 1) * groupSize * d)])
        let alone = try quantizer.quantize(keys: Matrix(rows: groupSize, columns: d, elements: rows))
        #expect(block == alone, "group \(g)")
    }
}

@Test(arguments: [0, 3])
func batchedQJLQuantizationIsBitIdentical(outlierCount: Int) throws {
    for groupSize in [4, 8, 32] {
        try checkBatchedQuantizationEqualsGroupByGroup(
            OrthogonalJL<Float>(inputDimension: 32, sketchDimension: 72, seed: 5),
            groupSize: groupSize, outlierCount: outlierCount)
        try checkBatchedQuantizationEqualsGroupByGroup(
            OrthogonalJL<Double>(inputDimension: 32, sketchDimension: 72, seed: 5),
            groupSize: groupSize, outlierCount: outlierCount)
        try checkBatchedQuantizationEqualsGroupByGroup(
            GaussianJL<Float>(inputDimension: 32, sketchDimension: 128, seed: 6),
            groupSize: groupSize, outlierCount: outlierCount)
    }
}

/// A non-finite key in a later group: the batched path falls back group by group and throws what
/// `quantize(keys:)` of that group throws (index within the group), and the cache is unchanged.
@Test func batchedQJLQuantizationReportsTheGroupError() throws {
    let transform = try OrthogonalJL<Float>(inputDimension: 16, sketchDimension: 64, seed: 7)
    var keys: Matrix<Float> = try gaussianMatrix(64, 16, seed: 33)
    let values: Matrix<Float> = try gaussianMatrix(64, 16, seed: 34)
    var cache = try QJLCache.makeCache(transform: transform, outlierCount: 0, keyGroupSize: 8, bufferSize: 32,
                                         valueGroupSize: 8)
    let quantizer = cache.keyQuantizer
    keys[20, 5] = 70_000  // norm > 65504: Float16 norm overflow in group 2
    let groupKeys = Array(keys.elements[(16 * 16)..<(24 * 16)])
    var expected: KVCacheError?
    let group = try Matrix(rows: 8, columns: 16, elements: groupKeys)
    do { _ = try quantizer.quantize(keys: group) } catch { expected = error }
    #expect(expected != nil)
    #expect(throws: try #require(expected)) { try cache.prefill(keys: keys, values: values) }
    #expect(cache.tokenCount == 0)
}

// MARK: Rounding and Float16 conversion without library calls

/// The shifter rounding equals `rounded(.toNearestOrEven)` followed by the clamp, on halfway
/// points (ties to even), near-integers, negatives and magnitudes beyond 2^22.
func checkShifterRounding<Scalar: BinaryFloatingPoint>(_: Scalar.Type) {
    let top: Scalar = 3
    let probes: [Scalar] = [-1e30, -8_388_609, -4_194_305, -2.5, -1.5, -0.5, -0.0, 0, 0.49999997, 0.5, 1.5, 2.5,
                            2.4999998, 3.5, 4.5, 254.5, 4_194_303.5, 8_388_607, 8_388_609, 1e30]
    // Every multiple of 1/8 in [−25, 275): all ties and near-ties of the codes 0...255.
    let grid = (-200..<2200).map { Scalar($0) / 8 }
    for t in probes + grid {
        let reference = UInt32(Swift.min(Swift.max(t.rounded(.toNearestOrEven), 0), top))
        #expect(MinMaxRounding.code(t, scale: 1, minimum: 0, maximumCode: top) == reference, "t = \(t)")
        let wide = UInt32(Swift.min(Swift.max(t.rounded(.toNearestOrEven), 0), 255))
        #expect(MinMaxRounding.code(t, scale: 1, minimum: 0, maximumCode: 255) == wide, "t = \(t), L = 255")
    }
}

@Test func shifterRoundingMatchesRoundHalfEven() {
    checkShifterRounding(Float.self)
    checkShifterRounding(Double.self)
}

/// Every finite Float16 converts exactly as `Float(h)` (all 63,488 finite patterns, ±0 and
/// subnormals included), and the non-finite ones still convert (ordinary path).
@Test func halfConversionIsExactForEveryPattern() {
    var mismatches = 0
    for pattern in 0...UInt16.max {
        let half = Float16(bitPattern: pattern)
        let fast = MinMaxRounding.float(half), reference = Float(half)
        if half.isNaN { if !fast.isNaN { mismatches += 1 } } else if fast.bitPattern != reference.bitPattern { mismatches += 1 }
    }
    #expect(mismatches == 0)
}

// MARK: Value accumulation = the plain formula

/// The fast accumulation (AVX-512 kernel where it applies, else table decoding) equals the
/// generic per-entry formula bit for bit, for every allowed width b, both scalar types, and
/// shapes on both sides of the kernel's conditions: (d, g) = (48, 16) and (128, 32) and
/// (256, 64) (kernel for Float: one, one and two 128-channel register blocks), (40, 8) (g and
/// d not multiples of 16: table path).
func checkAccumulationMatchesPlainFormula<Scalar: LinearAlgebraScalar>(
    _: Scalar.Type, bits: Int, d: Int, g: Int
) throws {
    let n = 37, groups = d / g
    let quantizer = try GroupwiseValueQuantizer(headDimension: d, groupSize: g, bits: bits)
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 35, scale: 3, offset: -1)
    let store = try quantizer.quantize(values)
    let weights: [Scalar] = (0..<n).map { Scalar(1 + ($0 % 7)) / Scalar(29) }
    // A non-zero starting output: the kernel must add to it, not overwrite it.
    let start: [Scalar] = (0..<d).map { Scalar($0 % 5) / 3 - 0.5 }
    var fast = start, plain = start
    AttentionKernels.accumulate(store: store, weights: weights, into: &fast)
    // The formula with the library's Float16 conversion and per-code shifts.
    for t in 0..<n {
        for i in 0..<d {
            let scale = Scalar(store.scales[t * groups + i / g]), minimum = Scalar(store.minimums[t * groups + i / g])
            plain[i] += weights[t] * (Scalar(store.codes.code(row: t, column: i)) * scale + minimum)
        }
    }
    #expect(fast == plain, "b = \(bits), d = \(d), g = \(g), \(Scalar.self)")
}

@Test(arguments: [1, 2, 4, 8])
func valueAccumulationIsBitIdentical(bits: Int) throws {
    for (d, g) in [(48, 16), (128, 32), (256, 64), (40, 8)] {
        try checkAccumulationMatchesPlainFormula(Float.self, bits: bits, d: d, g: g)
        try checkAccumulationMatchesPlainFormula(Double.self, bits: bits, d: d, g: g)
    }
}

/// The AVX-512 value kernel is taken exactly where documented (so the test above exercises it
/// on machines that have it).
@Test func valueKernelConditions() throws {
    let kernelShape = try GroupwiseValueQuantizer(headDimension: 128, groupSize: 32, bits: 2)
    let tableShape = try GroupwiseValueQuantizer(headDimension: 40, groupSize: 8, bits: 2)
    #expect(AttentionKernels.valueKernelApplies(kernelShape) == AttentionKernels.valueKernelAvailable)
    #expect(!AttentionKernels.valueKernelApplies(tableShape))
}


// MARK: KIVI batched key logits = the per-block formula

/// The batched KIVI key logits (the value kernel with rows = channels where it applies: Float,
/// G a multiple of 16; table decoding otherwise) equal ``KIVIKeyQuantizer/logits(_:block:)``
/// block by block, bit for bit, for every width b, G ∈ {8, 16, 32} and both scalar types.
func checkKIVIBatchedLogits<Scalar: LinearAlgebraScalar>(_: Scalar.Type, bits: Int, groupSize: Int) throws {
    let d = 24, groups = 3
    let quantizer = try KIVIKeyQuantizer<Scalar>(headDimension: d, groupSize: groupSize, bits: bits)
    let keys: Matrix<Scalar> = try gaussianMatrix(groups * groupSize, d, seed: 51, scale: 2, offset: 0.5)
    let blocks = try (0..<groups).map { g in
        try quantizer.quantize(keys: try Matrix(rows: groupSize, columns: d, elements: Array(
            keys.elements[(g * groupSize * d)..<((g + 1) * groupSize * d)])))
    }
    let query: [Scalar] = try gaussianMatrix(1, d, seed: 52).elements
    let batched = quantizer.logits(query, blocks: blocks)
    let plain = blocks.flatMap { quantizer.logits(query, block: $0) }
    #expect(batched == plain, "b = \(bits), G = \(groupSize), \(Scalar.self)")
}

@Test(arguments: [1, 2, 4, 8])
func kiviBatchedLogitsAreBitIdentical(bits: Int) throws {
    for groupSize in [8, 16, 32] {
        try checkKIVIBatchedLogits(Float.self, bits: bits, groupSize: groupSize)
        try checkKIVIBatchedLogits(Double.self, bits: bits, groupSize: groupSize)
    }
}
