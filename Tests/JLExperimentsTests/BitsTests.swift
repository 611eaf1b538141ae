import Foundation
import JLExperimentKit
import JLKVCache
import JLLinearAlgebra
import JLRandom
import JLTransforms
import JLTurboQuant
import QJL
import Testing
@testable import JLExperiments

/// A small exp-bits: d = 16, n = 64 LLM-like keys, two of each method.
let bitsSmall = ["--dimension", "16", "--qjl-m", "2", "--qjl-outliers", "1:0.5", "--outlier-count", "2", "--group-size", "16",
                 "--kivi-bits", "2,4", "--kivi-group-sizes", "32", "--turbo-mse-bits", "1,2", "--turbo-prod-bits", "2",
                 "--value-group-size", "16", "--top-k", "4"]

func bitsExperiment(_ arguments: [String], inputs: [String] = ["--key-count", "64", "--llm-outlier-channels", "2"]) throws -> BitsExperiment {
    try BitsOptions.parse(arguments).makeExperiment(seed: CommonOptions.defaultSeed, inputs: InputOptions.parse(inputs))
}

func runBits(_ experiment: BitsExperiment, _ arguments: [String]) async throws -> SessionOutcome {
    let settings = try CommonOptions.parse(arguments).settings()
    return try await ExperimentSession(experiment: experiment, settings: settings,
                                       arguments: ["/x/exp-bits"] + bitsSmall + arguments, gitRevision: "test").execute()
}

@Suite("exp-bits")
struct BitsTests {
    @Test("identical JSON for the same arguments and for --threads 1 and 2; shards 0/2 + 1/2 merge to the unsharded file")
    func determinism() async throws {
        let experiment = try bitsExperiment(bitsSmall)
        let scratch = try InputsScratch()
        let one = try await runBits(experiment, ["--trials", "20", "--threads", "1", "--quiet"])
        let two = try await runBits(experiment, ["--trials", "20", "--threads", "2", "--quiet"])
        #expect(one.json == two.json)
        var files: [String] = []
        for shard in 0..<2 {
            let path = "\(scratch.path)/bits\(shard).json"
            _ = try await runBits(experiment, ["--trials", "20", "--shard", "\(shard)/2", "--json", path, "--quiet"])
            files.append(path)
        }
        var registry = ExperimentRegistry()
        registry.register(BitsExperiment.self)
        #expect(try mergeShards(files: files, registry: registry) == one.json)
        let other = try await runBits(experiment, ["--trials", "20", "--seed", "9", "--quiet"])
        #expect(other.json != one.json)
        #expect(one.svg?.contains("<svg") == true)
        #expect(one.standardOutput.contains("kivi b=2 G=32"))
    }

    @Test("each row's ledger bits equal the container's allocated bytes, and the closed forms of the counts")
    func ledgers() throws {
        let experiment = try bitsExperiment(bitsSmall)
        let outcomeRows = try experiment.finalize(
            [BitsExperiment.Accumulator(trials: 2, squaredErrorSums: .init(repeating: 0, count: experiment.configurations.count),
                                        biasSums: .init(repeating: 0, count: experiment.configurations.count),
                                        biasSquaredSums: .init(repeating: 0, count: experiment.configurations.count),
                                        logitErrorSums: .init(repeating: 0, count: experiment.configurations.count),
                                        maxScoreErrorSums: .init(repeating: 0, count: experiment.configurations.count),
                                        totalVariationSums: .init(repeating: 0, count: experiment.configurations.count),
                                        klSums: .init(repeating: 0, count: experiment.configurations.count),
                                        recallSums: .init(repeating: 0, count: experiment.configurations.count),
                                        outputErrorSums: .init(repeating: 0, count: experiment.configurations.count))],
            manifest: try ExperimentSession(experiment: experiment, settings: RunSettings(trials: 2), gitRevision: "test").manifest()).rows
        let d = 16, n = 64
        let keys = try experiment.keyMatrix(Double.self)
        for (configuration, row) in zip(experiment.configurations, outcomeRows) {
            let allocated: Int
            switch configuration.method {
            case .qjl:
                let transform = try GaussianJL<Double>(inputDimension: d, sketchDimension: configuration.sketchDimension, seed: 3)
                allocated = try OutlierSplitSketch(keys: keys, transform: transform, groupSize: configuration.groupSize,
                                                   outlierCount: configuration.outlierCount,
                                                   outlierSketchDimension: configuration.outlierSketchDimension,
                                                   normPrecision: configuration.normPrecision).allocatedBytes
            case .kivi:
                let quantizer = try KIVIKeyQuantizer<Double>(headDimension: d, groupSize: configuration.groupSize, bits: configuration.bits)
                var bytes = 0
                for start in stride(from: 0, to: n, by: configuration.groupSize) {
                    let group = try Matrix(rows: configuration.groupSize, columns: d,
                                           elements: Array(keys.elements[(start * d)..<((start + configuration.groupSize) * d)]))
                    bytes += try quantizer.quantize(keys: group).allocatedBytes
                }
                allocated = bytes
            case .turboMSE:
                allocated = try TurboQuantMSE<Double>(inputDimension: d, bits: configuration.bits, seed: 3, normPrecision: .float16)
                    .quantize(keys).allocatedBytes
            case .turboProd:
                allocated = try TurboQuantProd<Double>(inputDimension: d, bits: configuration.bits, seed: 3, normPrecision: .float16)
                    .quantize(keys).allocatedBytes
            }
            let ledgerBits = row.ledger.reduce(0) { $0 + $1.bits }
            #expect(ledgerBits == 8 * allocated, "\(configuration)")
            #expect(row.bitsPerCoordinate == Double(ledgerBits) / Double(n * d), "\(configuration)")
        }
        func bits(_ label: String) throws -> Double { try #require(outcomeRows.first { $0.configuration == label }).bitsPerCoordinate }
        // KIVI b=2, G=32: 2 + 2·16/32 = 3 (docs/bits.md). QJL m = 32 at d = 16: 32 signs + 32 padding + 16 norm = 80 bits/16.
        #expect(try bits("kivi b=2 G=32") == 3)
        #expect(try bits("qjl m=32") == 5)
        // QJL m = 16, o = 2, m_O = 8, G = 16: (16 + 48 pad + 16) + (8 + 56 pad + 16) + 2·8/16 per token = 161/16.
        #expect(try bits("qjl m=16 o=2 mO=8") == 161.0 / 16)
        // TurboQuant_mse b = 1 at d = 16: 16 indices + 48 padding (64-bit words) + 16 norm = 5 bits per coordinate.
        #expect(try bits("tq-mse b=1") == 5)
    }

    @Test("KIVI is deterministic (zero-width bias interval); all metrics are finite and recall is in [0, 1]")
    func metrics() async throws {
        let experiment = try bitsExperiment(bitsSmall)
        let outcome = try await runBits(experiment, ["--trials", "4", "--quiet"])
        let report = try ResultCoding.makeDecoder().decode(ReportFile<BitsExperiment>.self, from: outcome.json).report
        let kivi = try #require(report.rows.first { $0.configuration == "kivi b=4 G=32" })
        #expect(kivi.biasLower == kivi.biasUpper)
        for row in report.rows {
            let values = [row.mseOverMeanSquare, row.logitRelativeError, row.totalVariation, row.klDivergence, row.outputError]
            #expect(values.allSatisfy { $0.isFinite })
            #expect((0...1).contains(row.topKRecall))
        }
        // More bits, less error, for the deterministic KIVI at fixed G.
        let kivi2 = try #require(report.rows.first { $0.configuration == "kivi b=2 G=32" })
        #expect(kivi.mseOverMeanSquare < kivi2.mseOverMeanSquare)
        #expect(report.valueBitsPerCoordinate == 4)  // 2 + 2·16/16 with value groups of 16 at d = 16
    }

    @Test("bad options are rejected with exit status 64", arguments: [
        ["--kivi-bits", "5"], ["--group-size", "48"], ["--qjl-outliers", "2"], ["--value-bits", "7"], ["--top-k", "0"],
        ["--qjl-norm", "float8"], ["--turbo-prod-bits", "11"], ["--qjl-m=-1"], ["--outlier-count", "16"],
    ])
    func badOptions(arguments: [String]) throws {
        do {
            _ = try bitsExperiment(["--dimension", "16", "--turbo-mse-bits", "", "--turbo-prod-bits", "2", "--kivi-group-sizes", "32"] + arguments)
            Issue.record("accepted \(arguments)")
        } catch let error as ExperimentError {
            #expect(error.exitStatus == .usage, "\(error)")
        }
    }

    @Test("real keys: MiniLM layer 3 (d = 32) run end to end", .enabled(if: FileManager.default.fileExists(atPath: "/work/shared/data/minilm/keys_layer3.npy")))
    func miniLM() async throws {
        let experiment = try bitsExperiment(
            ["--qjl-m", "2", "--qjl-outliers", "", "--kivi-bits", "2", "--kivi-group-sizes", "32", "--turbo-mse-bits", "2", "--turbo-prod-bits", "3"],
            inputs: ["--keys", "/work/shared/data/minilm/keys_layer3.npy", "--queries", "/work/shared/data/minilm/queries_layer3.npy", "--key-count", "64"])
        #expect(experiment.inputDimension == 32 && experiment.tokenCount == 64)
        let outcome = try await runBits(experiment, ["--trials", "2", "--quiet"])
        #expect(outcome.standardOutput.contains("keys_layer3.npy"))
        #expect(outcome.standardOutput.contains("qjl m=64"))
    }
}
