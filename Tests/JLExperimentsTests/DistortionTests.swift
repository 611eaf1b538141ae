import Foundation
import JLExperimentKit
import JLRandom
import JLStatistics
import JLTheory
import JLTransforms
import Testing
@testable import JLExperiments

/// Builds the experiment an `exp-distortion` command line would build.
func distortionExperiment(_ arguments: [String], seed: UInt64 = CommonOptions.defaultSeed) throws -> DistortionExperiment {
    let options = try DistortionOptions.parse(arguments)
    let inputs = try InputOptions.parse(["--key-count", "24"])  // small synthetic attention part
    return try options.makeExperiment(seed: seed, inputs: inputs)
}

/// A small but complete configuration: both parts, two transforms, two angles.
let smallArguments = ["--dimension", "16", "--sketch-dimensions", "8,24,40", "--angles", "90,60",
                      "--epsilons", "0.1,0.3", "--attention-sketch-dimensions", "16,48", "--attention-trials", "30"]

func runDistortion(_ experiment: DistortionExperiment, _ arguments: [String]) async throws -> SessionOutcome {
    let settings = try CommonOptions.parse(arguments).settings()
    let session = ExperimentSession(experiment: experiment, settings: settings,
                                    arguments: ["/x/exp-distortion"] + smallArguments + arguments, gitRevision: "test")
    return try await session.execute()
}

@Suite("exp-distortion")
struct DistortionTests {
    @Test("same arguments give identical JSON; --threads 1 and 2 agree; shards 0/2 + 1/2 merge to the unsharded file")
    func determinism() async throws {
        let experiment = try distortionExperiment(smallArguments)
        let scratch = try InputsScratch()
        let one = try await runDistortion(experiment, ["--trials", "60", "--threads", "1", "--quiet"])
        let again = try await runDistortion(experiment, ["--trials", "60", "--threads", "1", "--quiet"])
        let two = try await runDistortion(experiment, ["--trials", "60", "--threads", "2", "--quiet"])
        #expect(one.json == again.json)
        #expect(one.json == two.json)
        var files: [String] = []
        for shard in 0..<2 {
            let path = "\(scratch.path)/shard\(shard).json"
            _ = try await runDistortion(experiment, ["--trials", "60", "--shard", "\(shard)/2", "--json", path, "--quiet"])
            files.append(path)
        }
        var registry = ExperimentRegistry()
        registry.register(DistortionExperiment.self)
        #expect(try mergeShards(files: files, registry: registry) == one.json)
        let other = try await runDistortion(try distortionExperiment(smallArguments, seed: 5), ["--trials", "60", "--seed", "5", "--quiet"])
        #expect(other.json != one.json)  // the seed matters (guards against a constant output)
        #expect(one.svg?.hasPrefix("<svg") == true || one.svg?.contains("<svg") == true)
        #expect(one.csv?.contains("lemma35,gaussian,8,") == true)
        let report = try ResultCoding.makeDecoder().decode(ReportFile<DistortionExperiment>.self, from: one.json).report
        #expect(report.trials == 60 && report.attention.allSatisfy { $0.trials == 30 })  // --attention-trials 30 spans blocks 0 and 1
    }

    @Test("verdicts: violated iff the Wilson interval lies above δ, holds iff at or below, else inconclusive")
    func verdicts() throws {
        let experiment = try distortionExperiment(smallArguments)
        func row(_ failures: Int, _ n: Int, m: Int) throws -> DistortionRow {
            try experiment.distortionRow(kind: .gaussian, spec: "gaussian", m: m, epsilon: 0.1, degrees: 90,
                                         failures: failures, trials: n, squaredErrorSum: 0)
        }
        // m = 1115: δ_stated = 0.000999, δ_corrected = 0.0664. 50/1000: Wilson [0.038, 0.065].
        let broken = try row(50, 1000, m: 1115)
        #expect(broken.verdictStated == .violated && broken.verdictCorrected == .holds)
        #expect(broken.trialsToDecideStated == nil)
        // m = 542: δ_stated = 0.0497. 0/1000: Wilson upper 0.00383 → holds.
        #expect(try row(0, 1000, m: 542).verdictStated == .holds)
        // 50/1000 against δ = 0.0497: the interval straddles δ.
        let open = try row(50, 1000, m: 542)
        #expect(open.verdictStated == .inconclusive)
        #expect(open.trialsToDecideStated == DecisionRule.trialsToDecide(observedRate: 0.05, bound: open.statedDelta))
        // m = 64: both bounds ≥ 1, anything holds (vacuously).
        let vacuous = try row(1000, 1000, m: 64)
        #expect(vacuous.statedDelta >= 1 && vacuous.verdictStated == .holds)
    }

    @Test("trials to decide: n > z²δ(1−δ)/(p̂−δ)², checked against the Wilson interval itself")
    func trialsToDecide() throws {
        // p̂ = 0, δ = 0.05: n > 3.8415·0.95/0.05 = 72.99 → 73; Wilson(0, n).upper = z²/(n + z²).
        #expect(DecisionRule.trialsToDecide(observedRate: 0, bound: 0.05) == 73)
        #expect(try ConfidenceInterval.wilson(successes: 0, trials: 73, level: 0.95).upper <= 0.05)
        #expect(try ConfidenceInterval.wilson(successes: 0, trials: 72, level: 0.95).upper > 0.05)
        // p̂ = 0.2, δ = 0.1: n > 3.8415·0.09/0.01 = 34.57 → 35 (k = 7 of 35 is exactly 0.2).
        #expect(DecisionRule.trialsToDecide(observedRate: 0.2, bound: 0.1) == 35)
        #expect(try ConfidenceInterval.wilson(successes: 7, trials: 35, level: 0.95).lower > 0.1)
        #expect(try ConfidenceInterval.wilson(successes: 6, trials: 30, level: 0.95).lower <= 0.1)
        #expect(DecisionRule.trialsToDecide(observedRate: 0.1, bound: 0.1) == Int.max)
    }

    @Test("regenerated columns equal GaussianJL(d, m, seed), and the prefix estimates equal Prod_QJL from apply", arguments: [128, 7])
    func gaussianColumns(d: Int) throws {
        let m = 40, seed: UInt64 = 0xDEAD_BEEF
        let transform = try GaussianJL<Double>(inputDimension: d, sketchDimension: m, seed: seed)
        let sketch = PlaneSketch.gaussian(rows: m, inputDimension: d, seed: seed)
        #expect(sketch.firstColumn == (0..<m).map { transform.sketchMatrix[$0, 0] })
        #expect(sketch.secondColumn == (0..<m).map { transform.sketchMatrix[$0, 1] })
        #expect(sketch.firstColumn[3] == GaussianJL<Double>.entry(row: 3, column: 0, inputDimension: d, seed: seed))
        let theta = 1.0
        var q = [Double](repeating: 0, count: d), k = q
        q[0] = 1; k[0] = cos(theta); k[1] = sin(theta)
        let sq = try transform.apply(q), sk = try transform.apply(k)
        let errors = sketch.estimationErrors(cosine: cos(theta), sine: sin(theta), checkpoints: [10, 40], as: Double.self)
        for (position, rows) in [10, 40].enumerated() {
            let sum = (0..<rows).reduce(0.0) { $0 + (sk[$1] > 0 ? sq[$1] : -sq[$1]) }
            let prod = (Double.pi / 2).squareRoot() / Double(rows) * sum
            #expect(Swift.abs(errors[position] - (prod - cos(theta))) < 1e-12)  // summation-order rounding only
        }
    }

    @Test("OrthogonalJL prefix property: the first m rows of OrthogonalJL(d, m_max, seed) are OrthogonalJL(d, m, seed)")
    func orthogonalPrefix() throws {
        let d = 16
        let large = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: 48, seed: 99)
        for m in [5, 16, 20, 33] {
            let small = try OrthogonalJL<Double>(inputDimension: d, sketchDimension: m, seed: 99)
            let difference = zip(small.sketchMatrix.elements, large.sketchMatrix.elements.prefix(m * d)).map { Swift.abs($0 - $1) }.max() ?? 1
            // Householder column k depends on columns ≤ k only; LAPACK may block differently for
            // d×r and d×d inputs, so allow rounding (entries are O(√d) = 4).
            #expect(difference < 1e-12)
        }
    }

    @Test("the orthogonal plane sketch has the exact OrthogonalJL law: MSE matches the §2.3 closed form, not the Gaussian one")
    func orthogonalLaw() throws {
        let d = 16, m = 24, draws = 4000
        let root = RandomStream(seed: 2024)
        for degrees in [90.0, 30] {
            let theta = degrees * Double.pi / 180
            var sumSquares = 0.0
            for draw in 0..<draws {
                let sketch = PlaneSketch.orthogonal(rows: m, inputDimension: d, rowLength: .sqrtD, stream: root.child(UInt64(draw)))
                let error = sketch.estimationErrors(cosine: cos(theta), sine: sin(theta), checkpoints: [m], as: Double.self)[0]
                sumSquares += error * error
            }
            let geometry = try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: cos(theta))
            let exact = try qjlOrthogonalMoments(geometry, inputDimension: d, sketchDimension: m, scaling: .sqrtD).meanSquaredError(target: cos(theta))
            let gaussian = try qjlGaussianMoments(geometry, sketchDimension: m).variance
            // Relative sd of a mean of 4000 squared near-normal errors is √(2/4000) = 0.022; 6σ = 0.134.
            let tolerance = 6 * (2.0 / Double(draws)).squareRoot()
            #expect(Swift.abs(sumSquares / Double(draws) / exact - 1) < tolerance)
            #expect(Swift.abs(gaussian / exact - 1) > 2 * tolerance)  // the check can tell the two laws apart
        }
    }

    @Test("at m = 1115, ε = 0.1, q ⟂ k, 3000 trials: the stated Lemma 3.5 is violated; at m = 2490 the corrected bound is not")
    func statedLemmaViolated() async throws {
        // P(fail) ≈ 0.0077 (CLT); "violated" needs k ≥ 7 failures of 3000 (Wilson lower > 0.000999).
        // For an arbitrary seed P(k ≤ 6) = P(Binomial(3000, 0.0077) ≤ 6) ≈ 2.5e-5; at m = 2490 the
        // corrected verdict at 1000 trials is "violated" only for k ≥ 3 failures (Wilson lower > 0.000998),
        // probability P(Binomial(1000, 6.85e-5) ≥ 3) ≈ 5.4e-5 (checked below).
        func report(_ m: Int, trials: Int) async throws -> DistortionReport {
            let experiment = try distortionExperiment(["--transforms", "gaussian", "--sketch-dimensions", "\(m)", "--no-attention"])
            let outcome = try await runDistortion(experiment, ["--trials", "\(trials)", "--threads", "2", "--quiet"])
            return try ResultCoding.makeDecoder().decode(ReportFile<DistortionExperiment>.self, from: outcome.json).report
        }
        let stated = try #require(try await report(1115, trials: 3000).distortion.first)
        let corrected = try #require(try await report(2490, trials: 1000).distortion.first)
        #expect(stated.verdictStated == .violated)
        #expect(corrected.verdictCorrected != .violated)
        #expect(try BinomialTail.atLeast(7, trials: 3000, probability: 0.0077) > 1 - 1e-4)
        #expect(try BinomialTail.atLeast(3, trials: 1000, probability: 6.85e-5) < 1e-4)
        #expect(try ConfidenceInterval.wilson(successes: 3, trials: 1000, level: 0.95).lower > corrected.correctedDelta)
        #expect(try ConfidenceInterval.wilson(successes: 2, trials: 1000, level: 0.95).lower <= corrected.correctedDelta)
        #expect(try ConfidenceInterval.wilson(successes: 7, trials: 3000, level: 0.95).lower > stated.statedDelta)
        #expect(try ConfidenceInterval.wilson(successes: 6, trials: 3000, level: 0.95).lower <= stated.statedDelta)
    }

    @Test("bad options are one-line usage errors")
    func badOptions() throws {
        #expect(throws: ExperimentError.self) { try distortionExperiment(["--transforms", "srht"]) }
        #expect(throws: ExperimentError.self) { try distortionExperiment(["--epsilons", "0,0.1"]) }
        #expect(throws: ExperimentError.self) { try distortionExperiment(["--sketch-dimensions", "64,x"]) }
        #expect(throws: ExperimentError.self) { try distortionExperiment(["--angles", "200"]) }
        #expect(throws: ExperimentError.self) { try distortionExperiment(["--max-norm", "0"]) }
        do {
            _ = try distortionExperiment(["--transforms", "sparse-2"])
        } catch let error as ExperimentError {
            #expect(error.exitStatus == .usage && !error.description.contains("\n"))
        }
    }
}
