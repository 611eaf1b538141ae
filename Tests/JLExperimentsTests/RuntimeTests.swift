import Foundation
import JLKVCache
import JLLinearAlgebra
import JLRandom
import JLTransforms
import QJL
import Testing
@testable import JLExperiments

// MARK: - The study in quick mode

/// Two short lengths, one timed repetition: every (n, method) row is present, in order, with
/// finite positive times, exact's ratios exactly 1 and as many samples as repetitions.
@Test func runtimeStudyQuickRunHasEveryRow() throws {
    let configuration = try RuntimeConfiguration(lengths: [256, 128], repeats: 2, warmups: 0)
    let report = try RuntimeStudy.run(configuration)
    #expect(report.rows.map(\.length) == [128, 128, 128, 256, 256, 256])
    #expect(report.rows.map(\.method) == [.exact, .qjl, .kivi, .exact, .qjl, .kivi])
    for row in report.rows {
        #expect(row.quantizeMilliseconds > 0 && row.quantizeMilliseconds.isFinite)
        #expect(row.generateMilliseconds > 0 && row.generateMilliseconds.isFinite)
        #expect(row.quantizeSamples.count == 2 && row.generateSamples.count == 2)
        #expect(row.quantizeMilliseconds == RuntimeStudy.median(row.quantizeSamples))
    }
    for row in report.rows where row.method == .exact {
        #expect(row.quantizeRatioToExact == 1 && row.generateRatioToExact == 1 && row.outputRelativeError == 0)
    }
    // Quantized attention is attention: its output is closer to exact than the zero vector
    // (relative error 1) on these Gaussian tokens; a cache that lost its values would give ≥ 1.
    for row in report.rows where row.method != .exact {
        #expect(row.outputRelativeError > 0 && row.outputRelativeError < 1)
    }
    let table = report.table.render()
    #expect(table.split(separator: "\n").count == 2 + 6)
    #expect(table.contains("QJL") && table.contains("KIVI") && table.contains("exact"))
}

/// The JSON decodes back to the same rows and carries the machine and the timing note.
@Test func runtimeReportJSONRoundTrips() throws {
    let report = try RuntimeStudy.run(try RuntimeConfiguration(lengths: [128], repeats: 1, warmups: 0))
    let bytes = try report.json()
    struct Document: Decodable {
        let experiment: String
        let note: String
        let configuration: RuntimeConfiguration
        let machine: MachineDescription
        let rows: [RuntimeRow]
    }
    let document = try JSONDecoder().decode(Document.self, from: Data(bytes))
    #expect(document.experiment == "exp-runtime")
    #expect(document.note.contains("timings"))
    #expect(document.rows == report.rows)
    #expect(document.configuration == report.configuration)
    #expect(document.machine.threads == 1 && !document.machine.blas.configuration.isEmpty)
    let svg = try report.plotSVG()
    #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
    #expect(report.csv.rows.count == 3)
}

// MARK: - Options

@Test func runtimeLengthsParse() throws {
    #expect(try RuntimeConfiguration.parseLengths("1k,2k,4096") == [1024, 2048, 4096])
    #expect(try RuntimeConfiguration.parseLengths("131_072") == [131_072])
    #expect(try RuntimeConfiguration.parseScoringPath("lookup-table") == .lookupTable)
    #expect(RuntimeConfiguration.fullLengths.first == 1024 && RuntimeConfiguration.fullLengths.last == 131_072)
    #expect(RuntimeConfiguration.quickLengths.last == 8192)
}

@Test(arguments: ["", "abc", "1024,,2048", "1.5k", "1024;2048"])
func runtimeBadLengthTextIsOneLineError(_ text: String) {
    #expect(throws: RuntimeError.unparsableLengths(text)) { try RuntimeConfiguration.parseLengths(text) }
    #expect(!RuntimeError.unparsableLengths(text).description.contains("\n"))
}

/// Each bad setting is rejected with the case and one line naming the requirement.
@Test func runtimeBadSettingsAreRejected() {
    func error(_ make: () throws(RuntimeError) -> RuntimeConfiguration) -> RuntimeError? {
        do { _ = try make(); return nil } catch { return error }
    }
    let cases: [(RuntimeError?, String)] = [
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [0]) }, "positive"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [-128]) }, "positive"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [100]) }, "multiple of the buffer size 128"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [160]) }, "multiple of the buffer size 128"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [128, 128]) }, "listed once"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [128], threads: 0) }, "--threads"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [128], repeats: 0) }, "--repeats"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [128], repeats: 127) }, "buffer size"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [128], warmups: -1) }, "--warmup"),
        (error { () throws(RuntimeError) in try RuntimeConfiguration(lengths: [128], outlierCount: 128) }, "--outliers"),
    ]
    for (caught, phrase) in cases {
        let message = caught?.description ?? "no error"
        #expect(message.contains(phrase), "\(message)")
        #expect(!message.contains("\n"))
    }
    #expect(throws: RuntimeError.self) { try RuntimeConfiguration.parseScoringPath("fast") }
}

@Test func runtimeMedian() {
    #expect(RuntimeStudy.median([3, 1, 2]) == 2)
    #expect(RuntimeStudy.median([4, 1, 3, 2]) == 2.5)
    #expect(RuntimeStudy.median([]).isNaN)
}

// MARK: - The exact baseline

/// o = Vᵀ softmax(K q/√d) against a direct Double evaluation; Float BLAS and a Float softmax
/// over 300 tokens agree to a relative 1e-5 (about 100 Float roundings of 6e-8 each).
@Test func exactAttentionCacheMatchesFormula() throws {
    let n = 300, d = 16
    let stream = RandomStream(seed: 5)
    func gaussian(_ label: String, _ count: Int) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        x.withUnsafeMutableBufferPointer { stream.child(label).fillGaussian($0) }
        return x
    }
    let keys = gaussian("k", n * d), values = gaussian("v", n * d), query = gaussian("q", d)
    var cache = ExactAttentionCache(headDimension: d)
    try cache.prefill(keys: try Matrix(rows: n - 1, columns: d, elements: Array(keys[0..<((n - 1) * d)])),
                      values: try Matrix(rows: n - 1, columns: d, elements: Array(values[0..<((n - 1) * d)])))
    try cache.append(key: Array(keys[((n - 1) * d)...]), value: Array(values[((n - 1) * d)...]))
    let output = try cache.attend(query: query)
    var logits = (0..<n).map { t in (0..<d).reduce(0.0) { $0 + Double(query[$1]) * Double(keys[t * d + $1]) } / Double(d).squareRoot() }
    let largest = logits.max() ?? 0
    logits = logits.map { Foundation.exp($0 - largest) }
    let total = logits.reduce(0, +)
    let expected = (0..<d).map { i in (0..<n).reduce(0.0) { $0 + logits[$1] / total * Double(values[$1 * d + i]) } }
    let norm = expected.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
    let error = zip(output, expected).reduce(0.0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) }.squareRoot()
    #expect(error / norm < 1e-5)
    // Zero keys: uniform weights, the output is the mean value.
    var flat = ExactAttentionCache(headDimension: 2)
    try flat.prefill(keys: try Matrix(rows: 2, columns: 2), values: try Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 6]))
    #expect(try flat.attend(query: [1, 1]) == [2, 4])
    #expect(throws: RuntimeError.self) { try flat.attend(query: [1]) }
}

// MARK: - The JLKVCache fast paths are bit-identical to the block-by-block formulas

/// The cache's logits equal the concatenation of `logits(_:block:)` over its blocks plus the
/// exact buffered dots, /√d; its output equals Σ_t w_t·x̂_t with x̂ from `dequantizedToken`
/// and the window values, in token order: exact equality, because the fast loops do the same
/// operations in the same order.
func checkFastPathsMatchBlockByBlock<Q: GroupKeyQuantizer>(_ cache: StreamingKVCache<Q>, query: [Q.Scalar]) throws {
    typealias Scalar = Q.Scalar
    let d = cache.headDimension
    let prepared = try cache.keyQuantizer.prepare(query: query)
    var expected: [Scalar] = cache.keyBlocks.flatMap { cache.keyQuantizer.logits(prepared, block: $0) }
    for t in 0..<cache.bufferedKeyCount {
        var dot: Scalar = 0
        for i in 0..<d { dot += query[i] * cache.keyBuffer[t * d + i] }
        expected.append(dot)
    }
    expected = expected.map { $0 / Scalar(d).squareRoot() }
    let attention = try cache.attention(query: query)
    #expect(attention.logits == expected)
    let largest = expected.max() ?? 0
    var weights = expected.map { Scalar.exp($0 - largest) }
    let total = weights.reduce(0, +)
    weights = weights.map { $0 / total }
    #expect(attention.weights == weights)
    var output = [Scalar](repeating: 0, count: d)
    let quantized = cache.quantizedValues.tokenCount
    for t in 0..<quantized {
        let x̂: [Scalar] = cache.quantizedValues.dequantizedToken(t)
        for i in 0..<d { output[i] += weights[t] * x̂[i] }
    }
    for t in 0..<cache.windowValueCount {
        for i in 0..<d { output[i] += weights[quantized + t] * cache.valueWindow[t * d + i] }
    }
    #expect(attention.output == output)
}

func gaussianMatrix<Scalar: LinearAlgebraScalar>(_ rows: Int, _ columns: Int, _ stream: RandomStream) throws -> Matrix<Scalar> {
    var x = [Scalar](repeating: 0, count: rows * columns)
    x.withUnsafeMutableBufferPointer { stream.fillGaussian($0) }
    return try Matrix(rows: rows, columns: columns, elements: x)
}

func checkFastPaths<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
    let d = 64, n = 16 * 20 + 5  // 20 groups of 16 keys plus 5 buffered (B = 32)
    let stream = RandomStream(seed: 17)
    let keys: Matrix<Scalar> = try gaussianMatrix(n, d, stream.child("keys"))
    let values: Matrix<Scalar> = try gaussianMatrix(n, d, stream.child("values"))
    let query = try (gaussianMatrix(1, d, stream.child("query")) as Matrix<Scalar>).elements
    let transform = try GaussianJL<Scalar>(inputDimension: d, sketchDimension: 96, seed: 3)
    for outliers in [0, 3] {
        for path in [ScoringPath.lookupTable, .vectorized, .plain] {
            var qjl = try QJLCache.makeCache(transform: transform, outlierCount: outliers, keyGroupSize: 16, bufferSize: 32,
                                             valueBits: 2, valueGroupSize: 16, scoringPath: path, scoringThreads: 2)
            try qjl.prefill(keys: keys, values: values)
            try checkFastPathsMatchBlockByBlock(qjl, query: query)
        }
    }
    for bits in [2, 4] {
        var kivi = try KIVI.makeCache(headDimension: d, bits: bits, keyGroupSize: 16, valueGroupSize: 16,
                                      residualLength: 32, scalar: Scalar.self)
        try kivi.prefill(keys: keys, values: values)
        try checkFastPathsMatchBlockByBlock(kivi, query: query)
    }
}

@Test func cacheFastPathsAreBitIdenticalFloat() throws { try checkFastPaths(Float.self) }
@Test func cacheFastPathsAreBitIdenticalDouble() throws { try checkFastPaths(Double.self) }
