import Foundation
import JLExperimentKit
@testable import JLExperiments
import Testing

@Suite("exp-seed-variance")
struct SeedVarianceTests {
    func small() throws -> SeedVarianceExperiment {
        try SeedVarianceExperiment(inputDimension: 16, sketchDimension: 32, trialsPerSeed: 60, keyCount: 4)
    }

    @Test("same arguments and --threads 1 / 2 give identical JSON; shards merge to the same bytes")
    func determinismAndMerge() async throws {
        let scratch = try UnbiasednessScratch()
        let experiment = try small()
        try await runExperiment(experiment, ["--trials", "6", "--threads", "1", "--quiet", "--json", scratch.file("a.json")])
        try await runExperiment(experiment, ["--trials", "6", "--threads", "2", "--quiet", "--json", scratch.file("b.json")])
        let full = try scratch.read("a.json")
        #expect(full == (try scratch.read("b.json")))
        var files: [String] = []
        for index in 0..<3 {
            files.append(scratch.file("s\(index).json"))
            try await runExperiment(experiment, ["--trials", "6", "--shard", "\(index)/3", "--quiet", "--json", files[index]])
        }
        var registry = ExperimentRegistry()
        registry.register(SeedVarianceExperiment.self)
        registry.register(UnbiasednessExperiment.self)
        #expect(try mergeShards(files: files, registry: registry) == full)
    }

    /// Gaussian S, q ⟂ k, m = 32: Var_exact = (π/2)/32. The per-seed variance ratios and the
    /// across-seed spread must be consistent with it (95 % intervals: 5 % false failure for an
    /// arbitrary seed each; fixed seed here). The seeds are distinct and the worst seed is one of them.
    @Test("per-seed metrics match the exact variance")
    func metrics() async throws {
        let outcome = try await runExperiment(try small(), ["--trials", "8", "--quiet"])
        let report = try decodeReport(SeedVarianceExperiment.self, outcome.json)
        #expect(report.seeds == 8)
        #expect(Set(report.masterSeeds).count == 8)
        #expect(abs((report.exactVariance ?? 0) - Double.pi / 2 / 32) < 1e-15)
        let meanError = report.metrics[0]
        #expect(meanError.values.count == 8)
        #expect(meanError.theoryInPooledInterval == true)
        #expect(report.masterSeeds.contains(meanError.worstMasterSeed))
        #expect(abs((meanError.expectedStandardDeviation ?? 0) - (Double.pi / 2 / 32 / 60).squareRoot()) < 1e-15)
        let lower = try #require(report.acrossSeedVarianceLower), upper = try #require(report.acrossSeedVarianceUpper)
        #expect(lower <= 1 && 1 <= upper)
        #expect(report.metrics[3].theoryInPooledInterval == true)
        #expect(report.metrics[2].theoryInPooledInterval == true)
    }

    @Test("bad options are refused", arguments: [
        ["--trials-per-seed", "1"], ["--dimension", "4"], ["--estimator", "simhash"], ["--angle", "-1"],
        ["--epsilon", "0"], ["--keys", "0"], ["--transform", "nope"], ["--seeds", "1"],
    ])
    func badOptions(arguments: [String]) {
        #expect(throws: (any Error).self) { _ = try SeedVarianceOptions.parse(arguments) }
    }

    @Test("--seeds sets --trials; conflicting values are refused")
    func seedsOption() throws {
        let options = try SeedVarianceOptions.parse(["--seeds", "5"])
        #expect(try options.resolving(try CommonOptions.parse([])).trials == 5)
        #expect(throws: ExperimentError.self) { try options.resolving(try CommonOptions.parse(["--trials", "6"])) }
    }
}
