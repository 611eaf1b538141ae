import Foundation
import JLExperimentKit
import JLStatistics
import JLTheory
import JLTransforms
import Testing
@testable import JLExperiments

/// Builds the experiment an `exp-transforms` command line would build.
func transformsExperiment(_ arguments: [String]) throws -> TransformsExperiment {
    try TransformsOptions.parse(arguments).makeExperiment()
}

/// Small but complete: every structured family, the DCT path at d = 12, both placements.
let transformsSmall = ["--dimension", "16", "--sketch-dimensions", "16,24",
                       "--transforms", "gaussian,orthogonal-sqrtd,srht-hadamard,srht-dct@12,sparse-2"]

func runTransforms(_ experiment: TransformsExperiment, _ arguments: [String]) async throws -> SessionOutcome {
    let settings = try CommonOptions.parse(arguments).settings()
    return try await ExperimentSession(experiment: experiment, settings: settings,
                                       arguments: ["/x/exp-transforms"] + transformsSmall + arguments, gitRevision: "test").execute()
}

@Suite("exp-transforms")
struct TransformsTests {
    @Test("identical JSON for the same arguments and for --threads 1 and 2; shards 0/2 + 1/2 merge to the unsharded file")
    func determinism() async throws {
        let experiment = try transformsExperiment(transformsSmall)
        let scratch = try InputsScratch()
        let one = try await runTransforms(experiment, ["--trials", "60", "--threads", "1", "--quiet"])
        let again = try await runTransforms(experiment, ["--trials", "60", "--threads", "1", "--quiet"])
        let two = try await runTransforms(experiment, ["--trials", "60", "--threads", "2", "--quiet"])
        #expect(one.json == again.json)
        #expect(one.json == two.json)
        var files: [String] = []
        for shard in 0..<2 {
            let path = "\(scratch.path)/transforms\(shard).json"
            _ = try await runTransforms(experiment, ["--trials", "60", "--shard", "\(shard)/2", "--json", path, "--quiet"])
            files.append(path)
        }
        var registry = ExperimentRegistry()
        registry.register(TransformsExperiment.self)
        #expect(try mergeShards(files: files, registry: registry) == one.json)
        let other = try await runTransforms(experiment, ["--trials", "60", "--seed", "5", "--quiet"])
        #expect(other.json != one.json)  // the seed matters
        #expect(one.svg?.contains("<svg") == true)
        #expect(one.csv?.contains("srht-dct,12,axis,24,") == true)
    }

    @Test("closed forms: SRHT with k = e₁ at m = d is exactly √(π/2); sparse-s with k = e₁ has factor √(π/2)√(s/m); Gaussian rows unbiased")
    func biasFactors() async throws {
        let experiment = try transformsExperiment(transformsSmall)
        let outcome = try await runTransforms(experiment, ["--trials", "150", "--quiet"])
        let report = try ResultCoding.makeDecoder().decode(ReportFile<TransformsExperiment>.self, from: outcome.json).report
        func row(_ transform: String, _ placement: String, _ m: Int) throws -> TransformRow {
            try #require(report.rows.first { $0.transform == transform && $0.placement == placement && $0.sketchDimension == m })
        }
        // One full Hadamard block: all d rows of H·D are used, so Σ_r (Sq)_r s_{r,0} = d·q₀ for every draw.
        let srht = try row("srht-hadamard", "axis", 16)
        #expect(Swift.abs(srht.meanFactorPaper - (Double.pi / 2).squareRoot()) < 1e-9)  // rounding of 16 sums only
        #expect(srht.exactFactorPaper == srhtBasisKeyMeanFactor)
        // Statistical checks: |mean − exact| < 6 standard errors (false-failure probability ~2e-9 per check
        // under normality); the standard error comes from the 95% t half-width / t_{0.975, n−1}.
        let t975 = try StudentT(degreesOfFreedom: 149).quantile(0.975)
        for (transform, placement, m) in [("sparse-2", "axis", 24), ("gaussian", "random", 16), ("orthogonal-sqrtd", "axis", 24)] {
            let cell = try row(transform, placement, m)
            let exact = try #require(cell.exactFactorPaper)
            let standardError = (cell.meanFactorUpper - cell.meanFactorPaper) / t975
            #expect(Swift.abs(cell.meanFactorPaper - exact) < 6 * standardError, "\(transform) \(placement) m=\(m)")
        }
        let sparse = try row("sparse-2", "axis", 24)
        #expect(Swift.abs(try #require(sparse.exactFactorPaper) - (Double.pi / 2).squareRoot() * (2.0 / 24).squareRoot()) < 1e-15)
        // Orthogonal √d rows: c_16 = √8·Γ(8)/Γ(8.5) (theory.md §2.3), the derived constant removes it.
        let orthogonal = try row("orthogonal-sqrtd", "random", 16)
        let c16 = 8.0.squareRoot() * exp(lgamma(8) - lgamma(8.5))
        #expect(Swift.abs(try #require(orthogonal.exactFactorPaper) - c16) < 1e-12)
        #expect(Swift.abs(orthogonal.meanFactorDerived * c16 - orthogonal.meanFactorPaper) < 1e-12)
        #expect(orthogonal.isUnbiasedDerived && !srht.isUnbiasedDerived)
    }

    @Test("orthogonal closed-form variance ratio is the §2.3 formula and is not monotone in m at d = 128 (128 → 192 → 256)")
    func orthogonalVarianceNonMonotone() throws {
        let experiment = try transformsExperiment(["--transforms", "orthogonal-sqrtd", "--sketch-dimensions", "128,192,256"])
        let entry = experiment.transforms[0]
        var ratios: [Double] = []
        for m in [128, 192, 256] {
            let row = try experiment.row(entry: entry, placement: .random, m: m, trials: 10, sum: 5, squaredSum: 3,
                                         exceedances: 0, cosine: 0.5)
            let geometry = try InnerProductGeometry(queryNorm: 1, keyNorm: 1, cosine: 0.5)
            let moments = try qjlOrthogonalMoments(geometry, inputDimension: 128, sketchDimension: m, scaling: .sqrtD)
            let c = 128.0.squareRoot() / 2.0.squareRoot() * exp(lgamma(64) - lgamma(64.5))
            let gaussian = (Double.pi / 2 - 0.25) / Double(m)
            let ratio = try #require(row.closedFormVarianceRatio)
            #expect(Swift.abs(ratio - moments.variance / (c * c) / gaussian) < 1e-9 * ratio)  // derived constant divides by c_d
            ratios.append(ratio)
        }
        #expect(ratios[1] > ratios[0] && ratios[1] > ratios[2])
    }

    @Test("memory: dense 4md, SRHT B⌈d/8⌉ + 2m, sparse-s d·s·(2 + 1/8), seed 8 bytes")
    func memory() {
        let srht = TransformMemory(kind: .srht(.hadamard), inputDimension: 128, sketchDimension: 256)
        #expect(srht.denseBytes == 4 * 128 * 256 && srht.fastStateBytes == 2 * 16 + 512 && srht.seedBytes == 8)
        #expect(TransformMemory(kind: .sparseSign(4), inputDimension: 128, sketchDimension: 256).fastStateBytes == 128 * 4 * 2 + 64)
        #expect(TransformMemory(kind: .gaussian, inputDimension: 10, sketchDimension: 3).fastStateBytes == 120)
    }

    @Test("bad options are rejected with exit status 64", arguments: [
        ["--angle", "90"], ["--transforms", "srht-hadamard@96"], ["--transforms", "sparse-300"], ["--transforms", "nope"],
        ["--placements", "diagonal"], ["--sketch-dimensions", "0"], ["--epsilon=-1"], ["--transforms", "gaussian@1"],
        ["--timing-keys=-1"],
    ])
    func badOptions(arguments: [String]) throws {
        do {
            _ = try transformsExperiment(["--sketch-dimensions", "128"] + arguments)
            Issue.record("accepted \(arguments)")
        } catch let error as ExperimentError {
            #expect(error.exitStatus == .usage, "\(error)")
        }
    }

    @Test("timing measures every cell and renders a table (stderr only; the JSON never holds timings)")
    func timing() throws {
        let experiment = try transformsExperiment(["--dimension", "16", "--sketch-dimensions", "16", "--transforms", "gaussian,srht"])
        let timings = TransformTiming.measure(experiment, keyCount: 8, seed: 1)
        #expect(timings.count == 2 && timings.allSatisfy { $0.secondsPerKey > 0 && $0.buildSeconds >= 0 })
        #expect(TransformTiming.table(timings, keyCount: 8).contains("srht"))
    }
}
