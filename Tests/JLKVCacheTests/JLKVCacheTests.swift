import JLLinearAlgebra
import JLRandom
import QJL
import Testing
@testable import JLKVCache

// MARK: Helpers

/// An n×d matrix of scale·N(0,1) + offset entries from a fixed JLRandom stream.
func gaussianMatrix<Scalar: LinearAlgebraScalar>(
    _ n: Int, _ d: Int, seed: UInt64, scale: Double = 1, offset: Double = 0, as: Scalar.Type = Scalar.self
) throws -> Matrix<Scalar> {
    let entries: [Double] = RandomStream(seed: seed).gaussians(n * d)
    return try Matrix(rows: n, columns: d, elements: entries.map { Scalar($0 * scale + offset) })
}

/// Float16 parameters the way the quantizer must compute them (theory.md §3.5), in `Scalar`.
func expectedParameters<Scalar: BinaryFloatingPoint>(
    _ group: [Scalar], levels: Int
) -> (scale: Float16, minimum: Float16) {
    let lo = group.min() ?? 0, hi = group.max() ?? 0
    return (Float16((hi - lo) / Scalar(levels)), Float16(lo))
}

// MARK: Value quantization

/// Per element: |x − x̂| ≤ scale/2 + |δ_min| + L·|δ_s| + arithmetic slack (MinMaxRounding's bound),
/// and the stored parameters are exactly fp16(min) and fp16((max − min)/L).
func checkValueRoundTrip<Scalar: LinearAlgebraScalar>(_: Scalar.Type, bits: Int) throws {
    let n = 40, d = 64, g = 16
    let levels = (1 << bits) - 1
    let quantizer = try GroupwiseValueQuantizer(headDimension: d, groupSize: g, bits: bits)
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 11, scale: 3, offset: 0.7)
    let store = try quantizer.quantize(values)
    #expect(store.tokenCount == n)
    var largestRatio = 0.0
    for t in 0..<n {
        let token = values.row(t)
        let decoded: [Scalar] = store.dequantizedToken(t)
        for group in 0..<(d / g) {
            let slice = Array(token[(group * g)..<((group + 1) * g)])
            let scale = store.scales[t * (d / g) + group], minimum = store.minimums[t * (d / g) + group]
            let expected = expectedParameters(slice, levels: levels)
            #expect(scale == expected.scale && minimum == expected.minimum)
            // Exact (Double) deviations of the stored parameters from the exact min and step.
            let lo = Double(slice.min() ?? 0), hi = Double(slice.max() ?? 0)
            let exactStep = (hi - lo) / Double(levels)
            let deltaMin = abs(Double(minimum) - lo), deltaStep = abs(Double(scale) - exactStep)
            // Float16 round-to-nearest: relative error ≤ 2^-11 in the normal range.
            #expect(deltaMin <= 0x1p-11 * abs(lo) + 0x1p-25)
            #expect(deltaStep <= 0x1p-11 * exactStep + 0x1p-25)
            for offset in 0..<g {
                let i = group * g + offset
                let x = Double(token[i]), x̂ = Double(decoded[i])
                // Slack: subtraction, division, rounding decision and decode in Scalar each add at
                // most ~1 ulp of max(|x|, |x̂|); 8 ulps covers them with margin.
                let slack = 8 * Double(Scalar.ulpOfOne) * max(abs(x), abs(x̂), 1)
                let bound = Double(scale) / 2 + deltaMin + Double(levels) * deltaStep
                #expect(abs(x - x̂) <= bound + slack)
                #expect(store.codes.code(row: t, column: i) <= UInt32(levels))
                if scale > 0 { largestRatio = max(largestRatio, abs(x - x̂) / Double(scale)) }
            }
        }
    }
    // The bound is not vacuous: some element's error is close to scale/2 (uniform-ish rounding
    // residuals over 2560 entries make max < 0.4 essentially impossible).
    #expect(largestRatio > 0.4)
}

@Test(arguments: [1, 2, 4, 8])
func valueQuantizerRoundTripBoundPerElement(bits: Int) throws {
    try checkValueRoundTrip(Float.self, bits: bits)
    try checkValueRoundTrip(Double.self, bits: bits)
}

@Test func valueCodesDecodeToTheGridExactly() throws {
    // Group entries on a Float16-exact grid min + k·step decode exactly: codes are k.
    let quantizer = try GroupwiseValueQuantizer(headDimension: 8, groupSize: 4, bits: 2)
    var store = quantizer.makeStore()
    let token: [Float] = [-1.5, -1.25, -1.0, -0.75, 8, 2, 4, 6]
    try store.append(token: token)
    #expect(store.dequantizedToken(0, as: Float.self) == token)
    #expect(store.codes.row(0) == [0, 1, 2, 3, 3, 0, 1, 2])
    #expect(store.scales == [0.25, 2] && store.minimums == [-1.5, 2])
}

@Test func constantGroupIsExactWithZeroScale() throws {
    let quantizer = try GroupwiseValueQuantizer(headDimension: 32, groupSize: 16, bits: 2)
    for scalarIsDouble in [false, true] {
        var store = quantizer.makeStore()
        // 0.375 and −2.5 are Float16-exact: decode is exact. 0.3 is not: decode gives fp16(0.3).
        let exactToken = [Double](repeating: 0.375, count: 16) + [Double](repeating: -2.5, count: 16)
        let inexactToken = [Double](repeating: 0.3, count: 32)
        if scalarIsDouble {
            try store.append(token: exactToken)
            try store.append(token: inexactToken)
            #expect(store.dequantizedToken(0, as: Double.self) == exactToken)
            #expect(store.dequantizedToken(1, as: Double.self) == [Double](repeating: Double(Float16(0.3)), count: 32))
        } else {
            try store.append(token: exactToken.map(Float.init))
            try store.append(token: inexactToken.map(Float.init))
            #expect(store.dequantizedToken(0, as: Float.self) == exactToken.map(Float.init))
            #expect(store.dequantizedToken(1, as: Float.self) == [Float](repeating: Float(Float16(0.3)), count: 32))
        }
        #expect(store.scales == [0, 0, 0, 0])
        #expect(store.codes.words.allSatisfy { $0 == 0 })
    }
}

// MARK: Packing

@Test(arguments: [(1, 45), (2, 20), (2, 16), (4, 12), (8, 7)])
func packedCodesRoundTrip(bits: Int, codesPerRow: Int) throws {
    var packed = try PackedCodes(bitsPerCode: bits, codesPerRow: codesPerRow)
    #expect(packed.wordsPerRow == (codesPerRow * bits + 31) / 32)
    #expect(packed.paddingBitsPerRow == 32 * packed.wordsPerRow - codesPerRow * bits)
    var cursor = RandomCursor(stream: RandomStream(seed: 5))
    var rows: [[UInt32]] = []
    for _ in 0..<9 {
        let row = (0..<codesPerRow).map { _ in UInt32(cursor.nextInt(below: 1 << bits)) }
        rows.append(row)
        try packed.appendRow(row)
    }
    #expect(packed.rowCount == 9)
    #expect(packed.words.count == 9 * packed.wordsPerRow)
    for (r, row) in rows.enumerated() { #expect(packed.row(r) == row) }
    // Padding bits stay zero.
    let usedBitsInLastWord = (codesPerRow * bits) % 32
    if usedBitsInLastWord != 0 {
        for r in 0..<9 {
            #expect(packed.words[r * packed.wordsPerRow + packed.wordsPerRow - 1] >> UInt32(usedBitsInLastWord) == 0)
        }
    }
}

@Test func packedCodesAreLSBFirst() throws {
    // b = 2, 20 codes (d not a multiple of 16): word 0 holds codes 0…15, code j at bits 2j…2j+1;
    // word 1 holds codes 16…19 in its low 8 bits and 24 zero padding bits.
    var packed = try PackedCodes(bitsPerCode: 2, codesPerRow: 20)
    var codes = [UInt32](repeating: 0, count: 20)
    codes[0] = 1; codes[1] = 2; codes[2] = 3; codes[15] = 3; codes[16] = 2; codes[19] = 1
    try packed.appendRow(codes)
    let word0: UInt32 = 1 | (2 << 2) | (3 << 4) | (3 << 30)
    let word1: UInt32 = 2 | (1 << 6)
    #expect(packed.words == [word0, word1])
    #expect(packed.paddingBitsPerRow == 24)
}

@Test func valueStorePacksTokensWithRowPadding() throws {
    // d = 20, g = 4, b = 2: 2 words per token, 24 padding bits per token.
    let quantizer = try GroupwiseValueQuantizer(headDimension: 20, groupSize: 4, bits: 2)
    let values: Matrix<Float> = try gaussianMatrix(5, 20, seed: 3)
    let store = try quantizer.quantize(values)
    #expect(store.codes.wordsPerRow == 2 && store.codes.words.count == 10)
    for t in 0..<5 {
        let row = values.row(t)
        for i in 0..<20 {
            let group = Array(row[(i / 4 * 4)..<(i / 4 * 4 + 4)])
            let (scale, minimum) = expectedParameters(group, levels: 3)
            let expected = scale > 0
                ? UInt32(min(max(((row[i] - Float(minimum)) / Float(scale)).rounded(.toNearestOrEven), 0), 3)) : 0
            #expect(store.codes.code(row: t, column: i) == expected)
        }
    }
}

// MARK: KIVI keys

@Test func kiviKeysArePerChannelOverTokens() throws {
    // k[t, c] = a_c + t·step_c on a Float16-exact grid, G = 4, b = 2 (L = 3): each channel's
    // min/max are over the 4 tokens, so scale_c = |step_c|, codes t or 3 − t, decode exact.
    let a: [Float] = [-1, 0.5, 100, -3], step: [Float] = [0.25, -0.5, 2, 0]
    let quantizer = try KIVIKeyQuantizer<Float>(headDimension: 4, groupSize: 4, bits: 2)
    let keys = try Matrix<Float>(rows: 4, columns: 4) { t, c in a[c] + Float(t) * step[c] }
    let block = try quantizer.quantize(keys: keys)
    #expect(block.scales == [0.25, 0.5, 2, 0])
    #expect(block.minimums == [-1, -1, 100, -3])
    #expect(block.codes.row(0) == [0, 1, 2, 3])
    #expect(block.codes.row(1) == [3, 2, 1, 0])
    #expect(block.codes.row(3) == [0, 0, 0, 0])
    #expect(quantizer.dequantize(block) == (0..<4).map { keys.row($0) })
    // Logits equal q·k̂ exactly here (all products are exact in Float).
    let q: [Float] = [1, -2, 0.5, 4]
    let expected = (0..<4).map { t in zip(q, keys.row(t)).reduce(0) { $0 + $1.0 * $1.1 } }
    #expect(quantizer.logits(try quantizer.prepare(query: q), block: block) == expected)
}

@Test func kiviKeyStatsOnRandomKeys() throws {
    let g = 32, d = 16
    let quantizer = try KIVIKeyQuantizer<Double>(headDimension: d, groupSize: g, bits: 4)
    let keys: Matrix<Double> = try gaussianMatrix(g, d, seed: 21, scale: 2)
    let block = try quantizer.quantize(keys: keys)
    let decoded = quantizer.dequantize(block)
    for c in 0..<d {
        let channel = (0..<g).map { keys[$0, c] }
        let (scale, minimum) = expectedParameters(channel, levels: 15)
        #expect(block.scales[c] == scale && block.minimums[c] == minimum)
        let lo = channel.min() ?? 0, hi = channel.max() ?? 0
        let bound = Double(scale) / 2 + abs(Double(minimum) - lo) + 15 * abs(Double(scale) - (hi - lo) / 15)
        for t in 0..<g { #expect(abs(decoded[t][c] - keys[t, c]) <= bound + 1e-12) }
    }
}

// MARK: Streaming cache

func makeCache<Scalar: LinearAlgebraScalar>(
    _: Scalar.Type, d: Int = 16, bits: Int = 2, keyGroup: Int = 8, buffer: Int = 32, valueGroup: Int = 8,
    valueBuffer: Int = 20
) throws -> StreamingKVCache<KIVIKeyQuantizer<Scalar>> {
    try StreamingKVCache(
        keyQuantizer: KIVIKeyQuantizer<Scalar>(headDimension: d, groupSize: keyGroup, bits: bits),
        valueQuantizer: GroupwiseValueQuantizer(headDimension: d, groupSize: valueGroup, bits: bits),
        bufferSize: buffer, valueBufferSize: valueBuffer)
}

func checkStreamingEqualsPrefill<Scalar: LinearAlgebraScalar>(_: Scalar.Type, valueBuffer: Int) throws {
    let n = 101, d = 16
    let keys: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 1, scale: 2)
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, seed: 2)
    let query: [Scalar] = try gaussianMatrix(1, d, seed: 3).elements

    var streamed = try makeCache(Scalar.self, valueBuffer: valueBuffer)
    for t in 0..<n { try streamed.append(key: keys.row(t), value: values.row(t)) }
    var prefilled = try makeCache(Scalar.self, valueBuffer: valueBuffer)
    try prefilled.prefill(keys: keys, values: values)
    // Two prefills (the first leaves a partial buffer) and prefill-then-stream.
    var split = try makeCache(Scalar.self, valueBuffer: valueBuffer)
    try split.prefill(keys: Matrix(rows: 45, columns: d, elements: Array(keys.elements[0..<(45 * d)])),
                      values: Matrix(rows: 45, columns: d, elements: Array(values.elements[0..<(45 * d)])))
    try split.prefill(keys: Matrix(rows: 56, columns: d, elements: Array(keys.elements[(45 * d)...])),
                      values: Matrix(rows: 56, columns: d, elements: Array(values.elements[(45 * d)...])))
    var mixed = try makeCache(Scalar.self, valueBuffer: valueBuffer)
    try mixed.prefill(keys: Matrix(rows: 10, columns: d, elements: Array(keys.elements[0..<(10 * d)])),
                      values: Matrix(rows: 10, columns: d, elements: Array(values.elements[0..<(10 * d)])))
    for t in 10..<n { try mixed.append(key: keys.row(t), value: values.row(t)) }

    // 101 = 3·32 + 5: 12 groups of 8 quantized, 5 buffered; values: 101 − R_v quantized.
    #expect(prefilled.keyBlocks.count == 12 && prefilled.bufferedKeyCount == 5)
    #expect(prefilled.quantizedValues.tokenCount == max(0, n - valueBuffer))
    #expect(prefilled.windowValueCount == min(n, valueBuffer))
    #expect(prefilled.keyBuffer == Array(keys.elements[(96 * d)...]))
    for other in [streamed, split, mixed] {
        #expect(other.keyBlocks == prefilled.keyBlocks)
        #expect(other.keyBuffer == prefilled.keyBuffer)
        #expect(other.quantizedValues == prefilled.quantizedValues)
        #expect(other.valueWindow == prefilled.valueWindow)
        #expect(other == prefilled)
        #expect(try other.attend(query: query) == prefilled.attend(query: query))
    }
}

@Test(arguments: [0, 1, 20, 200])
func streamingEqualsPrefill(valueBuffer: Int) throws {
    try checkStreamingEqualsPrefill(Float.self, valueBuffer: valueBuffer)
    try checkStreamingEqualsPrefill(Double.self, valueBuffer: valueBuffer)
}

@Test func attentionMatchesDequantizedReference() throws {
    let n = 77, d = 16
    var cache = try makeCache(Double.self)
    let keys: Matrix<Double> = try gaussianMatrix(n, d, seed: 7)
    let values: Matrix<Double> = try gaussianMatrix(n, d, seed: 8)
    try cache.prefill(keys: keys, values: values)
    let query: [Double] = try gaussianMatrix(1, d, seed: 9).elements
    // Reference: dequantize everything, then textbook softmax(q·k̂/√d)·v̂.
    var k̂ = cache.keyBlocks.flatMap { cache.keyQuantizer.dequantize($0) }
    for t in 0..<cache.bufferedKeyCount { k̂.append(Array(cache.keyBuffer[(t * d)..<((t + 1) * d)])) }
    var v̂ = (0..<cache.quantizedValues.tokenCount).map { cache.quantizedValues.dequantizedToken($0, as: Double.self) }
    for t in 0..<cache.windowValueCount { v̂.append(Array(cache.valueWindow[(t * d)..<((t + 1) * d)])) }
    #expect(k̂.count == n && v̂.count == n)
    let logits = k̂.map { k in zip(query, k).reduce(0) { $0 + $1.0 * $1.1 } / Double(d).squareRoot() }
    let exps = logits.map { Double.exp($0 - (logits.max() ?? 0)) }
    let weights = exps.map { $0 / exps.reduce(0, +) }
    let reference = (0..<d).map { i in (0..<n).reduce(0.0) { $0 + weights[$1] * v̂[$1][i] } }
    let attention = try cache.attention(query: query)
    // Same math, different summation order: Double rounding ~1e-16 per op over ≤ 77·16 terms.
    for t in 0..<n { #expect(abs(attention.logits[t] - logits[t]) <= 1e-12) }
    for i in 0..<d { #expect(abs(attention.output[i] - reference[i]) <= 1e-12) }
    // The quantized cache really differs from full precision (b = 2), so the test has teeth.
    let exact = (0..<n).map { t in zip(query, keys.row(t)).reduce(0) { $0 + $1.0 * $1.1 } / 4 }
    #expect(zip(exact, attention.logits).contains { abs($0 - $1) > 1e-3 })
}

@Test func residualOnlyCacheIsExactAttention() throws {
    // n < B and n ≤ R_v: nothing quantized; no temperature: logits are the exact q·k.
    let n = 10, d = 8
    var cache = try StreamingKVCache(
        keyQuantizer: KIVIKeyQuantizer<Float>(headDimension: d, groupSize: 4, bits: 2),
        valueQuantizer: GroupwiseValueQuantizer(headDimension: d, groupSize: 4, bits: 2),
        bufferSize: 16, valueBufferSize: 16, temperature: .none)
    let keys: Matrix<Float> = try gaussianMatrix(n, d, seed: 4)
    let values: Matrix<Float> = try gaussianMatrix(n, d, seed: 5)
    try cache.prefill(keys: keys, values: values)
    #expect(cache.keyBlocks.isEmpty && cache.quantizedValues.tokenCount == 0)
    let query: [Float] = try gaussianMatrix(1, d, seed: 6).elements
    let exact = (0..<n).map { t in zip(query, keys.row(t)).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
    #expect(try cache.logits(query: query) == exact)
    let weights = try cache.attention(query: query).weights
    // Weights sum to 1 up to Float rounding of a 10-term sum (≤ 10 ulps).
    #expect(abs(weights.reduce(0, +) - 1) <= 10 * Float.ulpOfOne)
}

// MARK: Ledgers

@Test func officialValueConfigurationIsThreeBitsPerCoordinate() throws {
    // theory.md §3.7: b = 2, g = 32, d = 128 → 2 + 2·16/32 = 3.0 bits per coordinate.
    let quantizer = try GroupwiseValueQuantizer(headDimension: 128, groupSize: 32, bits: 2)
    let store = try quantizer.quantize(try gaussianMatrix(7, 128, seed: 1, as: Float.self))
    #expect(store.bitLedger.bitsPerCoordinate == 3.0)
    #expect(store.bitLedger.totalBits == 8 * store.allocatedBytes)
    // KIVI-2 keys with G = 32 count the same way.
    let kivi = try KIVIKeyQuantizer<Float>(headDimension: 128, groupSize: 32, bits: 2)
    let block = try kivi.quantize(keys: try gaussianMatrix(32, 128, seed: 2))
    #expect(kivi.bitLedger(of: block).bitsPerCoordinate == 3.0)
}

@Test(arguments: [(20, 4, 2), (128, 32, 2), (12, 12, 4), (9, 3, 8), (33, 11, 1)])
func valueStoreLedgerEqualsAllocatedBytes(d: Int, g: Int, bits: Int) throws {
    let quantizer = try GroupwiseValueQuantizer(headDimension: d, groupSize: g, bits: bits)
    for n in [0, 1, 5] {
        var store = quantizer.makeStore()
        if n > 0 { try store.append(tokens: try gaussianMatrix(n, d, seed: 9, as: Double.self)) }
        let ledger = store.bitLedger
        #expect(ledger.totalBits == 8 * store.allocatedBytes)
        #expect(ledger.tokens == n && ledger.coordinatesPerToken == d)
        #expect(store.allocatedBytes == n * store.codes.wordsPerRow * 4 + n * (d / g) * 4)
    }
}

@Test(arguments: [(8, 2), (32, 2), (5, 4), (3, 8)])
func kiviBlockLedgerEqualsAllocatedBytes(groupSize: Int, bits: Int) throws {
    let d = 12
    let quantizer = try KIVIKeyQuantizer<Float>(headDimension: d, groupSize: groupSize, bits: bits)
    let block = try quantizer.quantize(keys: try gaussianMatrix(groupSize, d, seed: 3))
    let ledger = quantizer.bitLedger(of: block)
    #expect(ledger.totalBits == 8 * block.allocatedBytes)
    #expect(ledger.tokens == groupSize)
    #expect(block.allocatedBytes == d * ((groupSize * bits + 31) / 32) * 4 + d * 4)
}

func checkCacheLedger<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
    // d = 20 with b = 2 pads each value token and each 8-token key channel row.
    for n in [0, 1, 31, 32, 33, 100] {
        var cache = try makeCache(Scalar.self, d: 20, bits: 2, keyGroup: 8, buffer: 32, valueGroup: 4, valueBuffer: 20)
        if n > 0 {
            try cache.prefill(keys: try gaussianMatrix(n, 20, seed: 1), values: try gaussianMatrix(n, 20, seed: 2))
        }
        let ledger = cache.bitLedger
        #expect(ledger.totalBits == 8 * cache.allocatedBytes)
        #expect(cache.keyLedger.tokens == n && cache.valueLedger.tokens == n)
        #expect(ledger.tokens == 2 * n && ledger.coordinatesPerToken == 20)
        #expect(cache.keyLedger.totalBits + cache.valueLedger.totalBits == ledger.totalBits)
    }
}

@Test func cacheLedgerEqualsAllocatedBytes() throws {
    try checkCacheLedger(Float.self)
    try checkCacheLedger(Double.self)
}

@Test func cacheLedgerFormulaForOfficialValuesAndKIVIKeys() throws {
    // 200 tokens, B = R_v = 128, KIVI-2 keys G = 32 and values g = 32, d = 128, Float buffers:
    // keys: 128 quantized at 3 bits + 72 buffered at 32; values: 72 quantized at 3 + 128 at 32.
    var cache = try KIVI.makeCache(headDimension: 128, bits: 2, keyGroupSize: 32, valueGroupSize: 32,
                                   residualLength: 128, scalar: Float.self)
    try cache.prefill(keys: try gaussianMatrix(200, 128, seed: 1), values: try gaussianMatrix(200, 128, seed: 2))
    let keyBits: Double = (128 * 3 + 72 * 32) / 200
    let valueBits: Double = (72 * 3 + 128 * 32) / 200
    let allBits: Double = (200 * 3 + 200 * 32) / 400
    #expect(cache.keyLedger.bitsPerCoordinate == keyBits)
    #expect(cache.valueLedger.bitsPerCoordinate == valueBits)
    #expect(cache.bitLedger.bitsPerCoordinate == allBits)
    #expect(cache.bitLedger.totalBits == 8 * cache.allocatedBytes)
}

// MARK: Errors

@Test func typedErrors() throws {
    #expect(throws: KVCacheError.groupSizeNotDividing(what: "value channel", groupSize: 24, length: 128)) {
        try GroupwiseValueQuantizer(headDimension: 128, groupSize: 24, bits: 2)
    }
    #expect(throws: KVCacheError.bitsNotAllowed(bits: 3, allowed: [1, 2, 4, 8])) {
        try GroupwiseValueQuantizer(headDimension: 128, groupSize: 32, bits: 3)
    }
    #expect(throws: KVCacheError.bitsNotAllowed(bits: 0, allowed: [1, 2, 4, 8])) {
        try KIVIKeyQuantizer<Float>(headDimension: 128, groupSize: 32, bits: 0)
    }
    #expect(throws: KVCacheError.groupSizeNotDividing(what: "key token", groupSize: 8, length: 20)) {
        try makeCache(Float.self, buffer: 20)
    }
    var cache = try makeCache(Float.self)
    try cache.prefill(keys: try gaussianMatrix(40, 16, seed: 1), values: try gaussianMatrix(40, 16, seed: 2))
    let before = cache
    let good = [Float](repeating: 0.5, count: 16)
    #expect(throws: KVCacheError.dimensionMismatch(what: "key", expected: 16, actual: 15)) {
        try cache.append(key: Array(good.dropLast()), value: good)
    }
    var bad = good
    bad[3] = .nan
    #expect(throws: KVCacheError.nonFiniteInput(what: "value", index: 3)) { try cache.append(key: good, value: bad) }
    bad[3] = .infinity
    #expect(throws: KVCacheError.nonFiniteInput(what: "query", index: 3)) { try cache.attend(query: bad) }
    #expect(cache == before)  // failed appends leave the cache unchanged
    var huge = good
    huge[0] = 1e6
    // With R_v = 0 a value is quantized on arrival: (1e6 − 0.5)/3 overflows the Float16 scale.
    var noWindow = try makeCache(Float.self, valueBuffer: 0)
    let unchanged = noWindow
    let error = #expect(throws: KVCacheError.self) { try noWindow.append(key: good, value: huge) }
    if case .halfPrecisionOverflow(let what, _)? = error { #expect(what == "value group scale") } else {
        Issue.record("expected halfPrecisionOverflow, got \(String(describing: error))")
    }
    #expect(noWindow == unchanged)
    #expect(throws: KVCacheError.emptyInput(what: "key matrix")) {
        try cache.prefill(keys: Matrix(rows: 0, columns: 16), values: Matrix(rows: 0, columns: 16))
    }
    #expect(throws: KVCacheError.dimensionMismatch(what: "value matrix rows", expected: 2, actual: 3)) {
        try cache.prefill(keys: gaussianMatrix(2, 16, seed: 1), values: gaussianMatrix(3, 16, seed: 1))
    }
    #expect(throws: KVCacheError.emptyInput(what: "KV cache")) { try makeCache(Float.self).attend(query: good) }
    #expect(cache == before)
}

@Test func errorMessagesAreOneLine() {
    let errors: [KVCacheError] = [
        .groupSizeNotDividing(what: "value channel", groupSize: 24, length: 128),
        .bitsNotAllowed(bits: 3, allowed: [1, 2, 4, 8]),
        .dimensionMismatch(what: "key", expected: 16, actual: 15),
        .nonFiniteInput(what: "value", index: 3),
        .emptyInput(what: "key matrix"),
        .invalidParameter(name: "key buffer size", value: 0, requirement: "≥ 1"),
        .halfPrecisionOverflow(what: "value group scale", value: 333_333),
    ]
    for error in errors {
        #expect(!error.description.isEmpty && !error.description.contains("\n"))
    }
    #expect(KVCacheError.bitsNotAllowed(bits: 3, allowed: [1, 2, 4, 8]).description
        == "3 bits per code is not supported; use one of [1, 2, 4, 8]")
}
