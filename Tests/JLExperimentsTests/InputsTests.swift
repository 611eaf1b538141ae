import Foundation
import JLExperimentKit
import JLNumpy
import JLRandom
import Testing
@testable import JLExperiments

/// A unique scratch directory, removed when the value goes away.
final class InputsScratch {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/jlexperiments-inputs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func write(_ name: String, shape: [Int], values: [Float]) throws -> String {
        let file = "\(path)/\(name)"
        try NpyArray(shape: shape, values: values).write(toFile: file)
        return file
    }
}

@Suite("Experiment inputs")
struct InputsTests {
    @Test("unit pairs have unit norms and the requested angle", arguments: [PairOrientation.canonicalPlane, .random])
    func unitPairs(orientation: PairOrientation) throws {
        for degrees in [0.0, 30, 90, 135, 180] {
            let theta = degrees * Double.pi / 180
            let pair = try SyntheticInputs.unitPair(angle: theta, dimension: 16, orientation: orientation,
                                                    stream: RandomStream(seed: 7).child(UInt64(degrees)))
            let qq = pair.query.reduce(0) { $0 + $1 * $1 }, kk = pair.key.reduce(0) { $0 + $1 * $1 }
            let qk = zip(pair.query, pair.key).reduce(0) { $0 + $1.0 * $1.1 }
            // Rounding only: a few ulps on sums of 16 terms.
            #expect(Swift.abs(qq - 1) < 1e-14 && Swift.abs(kk - 1) < 1e-14)
            #expect(Swift.abs(qk - cos(theta)) < 1e-14)
        }
        let perpendicular = try SyntheticInputs.unitPair(angle: Double.pi / 2, dimension: 4, orientation: .canonicalPlane, stream: RandomStream(seed: 1))
        let e0: [Double] = [1, 0, 0, 0], e1: [Double] = [0, 1, 0, 0]
        #expect(perpendicular.query == e0)
        #expect(perpendicular.key == e1)  // exact q ⟂ k
        #expect(throws: InputError.self) { try SyntheticInputs.unitPair(angle: 1, dimension: 1, orientation: .random, stream: RandomStream(seed: 1)) }
    }

    @Test("generators are pure functions of the stream")
    func determinism() throws {
        let stream = RandomStream(seed: 11).child("keys")
        #expect(try SyntheticInputs.gaussianKeys(count: 5, dimension: 8, stream: stream)
                == (try SyntheticInputs.gaussianKeys(count: 5, dimension: 8, stream: stream)))
        let model = LLMLikeKeyModel()
        #expect(try model.sample(count: 6, dimension: 16, stream: stream) == (try model.sample(count: 6, dimension: 16, stream: stream)))
        #expect(try model.sample(count: 6, dimension: 16, stream: stream) != (try model.sample(count: 6, dimension: 16, stream: stream.child(1))))
    }

    @Test("LLM-like keys: outlier channels carry the documented scales and dominate the key norms")
    func llmLikeKeys() throws {
        let model = LLMLikeKeyModel()
        let d = 128, n = 400
        let stream = RandomStream(seed: 3)
        let scales = model.channelScales(dimension: d, stream: stream)
        let expectedScales: [Double] = [10, 10 + 20.0 / 3, 10 + 40.0 / 3, 30]
        let outlierScales = scales.filter { $0 != 1 }.sorted()
        #expect(outlierScales.count == 4)
        for (scale, expected) in zip(outlierScales, expectedScales) { #expect(Swift.abs(scale - expected) < 1e-12) }
        let input = try model.sample(count: n, dimension: d, stream: stream)
        // Mean square of channel c over keys is scale_c²·(mean_c² + 1); averaged over n = 400 keys
        // its relative standard error is ≤ √(2/400) ≈ 0.07, so 0.5 is > 6σ away for both checks.
        for c in 0..<d {
            let meanSquare = (0..<n).map { input.keys[$0 * d + c] * input.keys[$0 * d + c] }.reduce(0, +) / Double(n)
            let floor = scales[c] * scales[c]
            #expect(meanSquare > 0.5 * floor)
        }
        let scaled = try input.scaled(toMaxNorm: 0.5)
        #expect(Swift.abs(scaled.maxNorm - 0.5) < 1e-12)
        #expect(Swift.abs(scaled.queryNormSquared.squareRoot() - 0.5) < 1e-12)
        #expect(throws: InputError.self) { try LLMLikeKeyModel(outlierChannels: 200).sample(count: 2, dimension: 16, stream: stream) }
    }

    @Test("real data: both layouts load, head and token select the right vectors")
    func realData() throws {
        let scratch = try InputsScratch()
        let values = (0..<(2 * 3 * 4)).map { Float($0) }
        let keys = try scratch.write("k.npy", shape: [2, 3, 4], values: values)
        let queries = try scratch.write("q.npy", shape: [2, 3, 4], values: values.map { -$0 })
        let data = try RealAttentionData(keysPath: keys, queriesPath: queries)
        #expect(data.headCount == 2 && data.keyTokenCount == 3 && data.dimension == 4)
        let input = try data.attentionInput(head: 1, queryToken: 0)
        let expectedKeys: [Double] = (12..<24).map(Double.init)
        let expectedQuery: [Double] = [-12, -13, -14, -15]
        let lastQuery: [Double] = [-8, -9, -10, -11]
        #expect(input.keys == expectedKeys)
        #expect(input.query == expectedQuery)
        #expect(try data.attentionInput(head: 0).query == lastQuery)  // default: last token
        let flatKeys = try scratch.write("k2.npy", shape: [3, 4], values: Array(values[0..<12]))
        let flatQueries = try scratch.write("q2.npy", shape: [5, 4], values: Array(values[0..<20]))
        #expect(try RealAttentionData(keysPath: flatKeys, queriesPath: flatQueries).headCount == 1)
        #expect(throws: InputError.indexOutOfRange(what: "--head", index: 2, count: 2)) { try data.attentionInput(head: 2) }
    }

    @Test("real data: bad shapes, mismatches and NaN are one-line data errors (exit 65)")
    func realDataErrors() throws {
        let scratch = try InputsScratch()
        let good = try scratch.write("good.npy", shape: [2, 4], values: [Float](repeating: 1, count: 8))
        let flat = try scratch.write("flat.npy", shape: [8], values: [Float](repeating: 1, count: 8))
        let deep = try scratch.write("deep.npy", shape: [1, 1, 2, 4], values: [Float](repeating: 1, count: 8))
        let otherD = try scratch.write("d5.npy", shape: [2, 5], values: [Float](repeating: 1, count: 10))
        let heads3 = try scratch.write("h3.npy", shape: [1, 2, 4], values: [Float](repeating: 1, count: 8))
        let nan = try scratch.write("nan.npy", shape: [2, 4], values: [1, 2, 3, .nan, 5, 6, 7, 8])
        let cases: [(String, String, InputError)] = [
            (flat, good, .badShape(path: flat, shape: [8])),
            (deep, good, .badShape(path: deep, shape: [1, 1, 2, 4])),
            (good, otherD, .shapeMismatch(keys: [2, 4], queries: [2, 5])),
            (good, heads3, .shapeMismatch(keys: [2, 4], queries: [1, 2, 4])),
            (good, nan, .nonFinite(path: nan, index: 3)),
        ]
        for (keys, queries, expected) in cases {
            #expect(throws: expected) { try RealAttentionData(keysPath: keys, queriesPath: queries) }
            #expect(expected.experimentError.exitStatus == .dataError)
            #expect(!expected.description.contains("\n"))
        }
        #expect(throws: InputError.self) { try RealAttentionData(keysPath: "\(scratch.path)/missing.npy", queriesPath: good) }
        #expect(InputError.incompleteRealData.experimentError.exitStatus == .usage)
        #expect(throws: (any Error).self) { try InputOptions.parse(["--keys", good]) }
    }

    @Test("the shipped MiniLM files load through the options")
    func miniLM() throws {
        let directory = "/work/shared/data/minilm"
        guard FileManager.default.fileExists(atPath: "\(directory)/keys_layer3.npy") else { return }
        let options = try InputOptions.parse(["--keys", "\(directory)/keys_layer3.npy", "--queries", "\(directory)/queries_layer3.npy", "--head", "2"])
        let input = try options.source(dimension: 128).input(dimension: 128, stream: RandomStream(seed: 1))
        #expect(input.dimension == 32 && input.tokenCount == 512)
    }
}
