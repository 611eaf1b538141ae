import ArgumentParser
import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLPlot
import JLRandom
import JLStatistics
import JLTransforms
import QJL

private typealias Format = JLExperimentKit.NumberFormat

/// The options of `exp-transforms` beyond `JLExperimentKit/CommonOptions`.
public struct TransformsOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("dimension"), help: "Input dimension d of the entries without @d.")
    public var inputDimension: Int = 128

    @Option(help: "Comma-separated transform specs, spec or spec@d (srht-dct needs a d that is not a power of two to take the DCT path; default srht-dct@96).")
    public var transforms: String = TransformsOptions.defaultTransforms

    @Option(name: .customLong("sketch-dimensions"), help: "Comma-separated m sweep (128,192,256 shows the non-monotone orthogonal variance at d = 128).")
    public var sketchDimensions: String = "128,192,256"

    @Option(help: "Angle θ between q and k in degrees, in [0, 90).")
    public var angle: Double = 60

    @Option(help: "Tail threshold ε: P(|Prod − ⟨q,k⟩| > ε‖q‖‖k‖).")
    public var epsilon: Double = 0.1

    @Option(help: "Comma-separated pair placements: random (Haar-random plane), axis (k = e_1, SRHT's worst case).")
    public var placements: String = "random,axis"

    @Option(name: .customLong("timing-keys"), help: "Keys per timed batch for the time-per-key table on stderr (0: no timing). Timings never enter --json.")
    public var timingKeys: Int = 2048

    /// The default sweep: every family, srht-dct at d = 96 (its DCT path).
    public static let defaultTransforms = "gaussian,orthogonal-sqrtd,orthogonal-chi,orthogonal-expectedchi,srht-hadamard,srht-dct@96,gaussian-hd,sparse-4"

    public init() {}

    /// The experiment for these options.
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)` (exit 64).
    public func makeExperiment() throws(ExperimentError) -> TransformsExperiment {
        guard inputDimension >= 2, inputDimension <= 4096 else {
            throw .invalidOption("--dimension must be in 2...4096, got \(inputDimension)")
        }
        guard timingKeys >= 0 else { throw .invalidOption("--timing-keys must be ≥ 0, got \(timingKeys)") }
        let entries = try DistortionOptions.list(transforms, option: "--transforms") { $0.isEmpty ? nil : $0 }
        var parsed: [TransformEntry] = []
        for text in entries { parsed.append(try TransformEntry.parse(text, defaultDimension: inputDimension)) }
        let ms = try DistortionOptions.list(sketchDimensions, option: "--sketch-dimensions") { Int($0) }
        let places = try DistortionOptions.list(placements, option: "--placements") { PairPlacement(rawValue: $0.lowercased()) }
        return try TransformsExperiment(transforms: parsed, sketchDimensions: ms, angleDegrees: angle,
                                        epsilon: epsilon, placements: Array(Set(places)).sorted { $0.rawValue > $1.rawValue })
    }
}

extension TransformsExperiment {
    public static let helpAbstract = "QJL with every JL transform at equal m: bias, variance, tails, time per key and memory."

    public static let helpDiscussion = """
    WHAT IT MEASURES (QJL, arXiv 2406.03482; theory.md §2.1, §2.3-2.5, §3.1)
      Prod(q,k) = (c/m) ||k|| <Sq, sign(Sk)>, sign(0) = -1, unit q and k at angle theta (default 60 degrees).
      Per trial: a fresh transform (seed from the trial stream) per (transform, m), and one pair per placement:
        random: q, k in a Haar-random plane;  axis: k = e_1, q = cos(theta) e_1 + sin(theta) v (SRHT's worst case).
      Rotation-invariant families (gaussian, orthogonal-*, gaussian-hd) give the same law for both placements.
      srht-dct runs at d = 96 by default (spec@d): a power-of-two d would take the Hadamard path.

    HOW TO READ THE COLUMNS
      d, place, m       input dimension, pair placement, sketch dimension.
      E/<q,k> paper     mean of Prod with c = sqrt(pi/2) divided by <q,k> = cos(theta); 1 = unbiased.
      95% t             Student t interval of that factor over trials.
      exact             the closed-form factor: gaussian/chi rows 1; orthogonal-sqrtd c_d = sqrt(d/2) G(d/2)/G((d+1)/2);
                        srht (Hadamard) with k = e_1: sqrt(pi/2) = 1.2533; sparse-s with k = e_1: sqrt(pi/2) sqrt(s/m);
                        "-" where none exists (srht, sparse with random pairs: the bias depends on k, theory.md §2.5).
      E/<q,k> derived   the same with the derived constant (AsymmetricQJLEstimator .derived: 1/(L mu_d) for Haar rows
                        of length L; sqrt(pi/2) where no unbiasing constant exists). "unbiased" says whether it is exact.
      Var/gauss         sample variance of Prod_derived over (pi/2 - cos^2 theta)/m, the exact Gaussian-row variance.
      closed/gauss      the exact orthogonal-row variance (JLTheory.qjlOrthogonalMoments, §2.3) over the Gaussian one;
                        below 1 within one block of d rows, and not monotone in m (d = 128: m = 128, 192, 256).
      Var/closed        sample over closed form (about 1 +- 3 sqrt(2/trials)).
      P(|err|>eps)      tail rate of Prod_derived with a 95% Wilson interval; CLT: 2(1 - Phi(eps/sigma_gauss)).
      dense B           bytes of S materialized in Float32 (4 m d).
      fast-state B      bytes a fast apply keeps instead: SRHT B ceil(d/8) sign bytes + 2m row indices; sparse-s
                        d s (2 + 1/8); gaussian-hd ceil(d/8) + 4 m d; gaussian and orthogonal: dense. Every family is
                        regenerated from an 8-byte seed.
      Time per key (stderr only, not in --json): building the transform, and sketch + sign packing of
      --timing-keys keys (SignSketchBatch with Float16 norms), wall clock in this process, one thread.
    """

    /// The stdout table.
    public func table(for report: TransformsReport, manifest: RunManifest) -> TextTable {
        var table = TextTable(headers: [
            "transform", "d", "place", "m", "E/⟨q,k⟩ paper", "95% t", "exact", "E/⟨q,k⟩ derived", "unbiased",
            "Var/gauss", "closed/gauss", "Var/closed", "P(|err|>ε)", "95% Wilson", "CLT gauss", "dense B", "fast-state B",
        ])
        func opt(_ x: Double?, _ digits: Int = 5) -> String { x.map { Format.significant($0, digits: digits) } ?? "—" }
        for row in report.rows {
            table.append([
                row.transform, "\(row.inputDimension)", row.placement, "\(row.sketchDimension)",
                Format.significant(row.meanFactorPaper, digits: 5),
                DistortionExperiment.interval(row.meanFactorLower, row.meanFactorUpper, digits: 4),
                opt(row.exactFactorPaper), Format.significant(row.meanFactorDerived, digits: 5),
                row.isUnbiasedDerived ? "yes" : "no",
                Format.significant(row.varianceRatio, digits: 4), opt(row.closedFormVarianceRatio, 4),
                opt(row.sampleOverClosedForm, 4),
                Format.significant(row.tailRate, digits: 3), DistortionExperiment.interval(row.tailLower, row.tailUpper),
                Format.significant(row.gaussianTail, digits: 3), "\(row.memory.denseBytes)", "\(row.memory.fastStateBytes)",
            ])
        }
        return table
    }

    /// Full-precision CSV, one row per cell.
    public func csv(for report: TransformsReport, manifest: RunManifest) -> CSVTable {
        var csv = CSVTable(header: [
            "transform", "d", "placement", "m", "row_law", "c_paper", "c_derived", "factor_paper", "factor_lower", "factor_upper",
            "factor_exact", "factor_derived", "unbiased_derived", "var_over_gauss", "closed_over_gauss", "var_over_closed",
            "exceedances", "trials", "tail", "tail_lower", "tail_upper", "tail_clt_gauss", "dense_bytes", "seed_bytes", "fast_state_bytes",
        ])
        func text(_ x: Double?) -> String { x.map { Format.significant($0, digits: 17) } ?? "" }
        for row in report.rows {
            csv.append([
                row.transform, "\(row.inputDimension)", row.placement, "\(row.sketchDimension)", row.rowLaw,
                text(row.paperConstant), text(row.derivedConstant), text(row.meanFactorPaper), text(row.meanFactorLower),
                text(row.meanFactorUpper), text(row.exactFactorPaper), text(row.meanFactorDerived), "\(row.isUnbiasedDerived)",
                text(row.varianceRatio), text(row.closedFormVarianceRatio), text(row.sampleOverClosedForm),
                "\(row.exceedances)", "\(row.trials)", text(row.tailRate), text(row.tailLower), text(row.tailUpper),
                text(row.gaussianTail), "\(row.memory.denseBytes)", "\(row.memory.seedBytes)", "\(row.memory.fastStateBytes)",
            ])
        }
        return csv
    }

    /// Two panels: the paper-constant mean factor with 95% t bars per transform and placement
    /// against m; the variance ratio against m (log y).
    public func plot(for report: TransformsReport, manifest: RunManifest) -> String? {
        var bias = Plot(title: "E Prod/⟨q,k⟩, c = √(π/2) (\(report.trials) trials)", xLabel: "sketch dimension m",
                        yLabel: "mean factor", width: 640, height: 520, legendPosition: .topRight)
        var variance = Plot(title: "Var(Prod_derived) / Gaussian variance", xLabel: "sketch dimension m",
                            yLabel: "variance ratio", yScale: .log10, width: 640, height: 520, legendPosition: .topRight)
        do {
            var order: [String] = []
            var groups: [String: [TransformRow]] = [:]
            for row in report.rows {
                let key = "\(row.transform)@\(row.inputDimension) \(row.placement)"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(row)
            }
            for key in order {
                let rows = groups[key] ?? []
                let m = rows.map { Double($0.sketchDimension) }
                try bias.errorBars(x: m, lower: rows.map(\.meanFactorLower), upper: rows.map(\.meanFactorUpper),
                                   center: rows.map(\.meanFactorPaper), label: key)
                try variance.line(x: m, y: rows.map(\.varianceRatio), label: key, markers: true)
            }
            bias.horizontalLine(at: 1.0, label: "unbiased")
            bias.horizontalLine(at: (Double.pi / 2).squareRoot(), label: "√(π/2)")
            variance.horizontalLine(at: 1.0, label: "Gaussian rows")
            return try Figure(rows: 1, columns: 2, panels: [bias, variance],
                              title: "exp-transforms: QJL with each JL transform (arXiv 2406.03482)").render()
        } catch {
            return nil
        }
    }
}

/// Wall-clock time per key of building a transform and of sketching + packing keys (stderr only).
public struct TransformTiming: Sendable {
    public var transform: String
    public var inputDimension: Int
    public var sketchDimension: Int
    /// Seconds to build the transform from its seed.
    public var buildSeconds: Double
    /// Seconds per key for S·k, sign packing and the Float16 norm (SignSketchBatch).
    public var secondsPerKey: Double

    /// Measures every (transform, m) of `experiment` on `keyCount` Gaussian keys (Float32, one thread).
    /// - Complexity: one transform build and one batch sketch per cell.
    public static func measure(_ experiment: TransformsExperiment, keyCount: Int, seed: UInt64) -> [TransformTiming] {
        guard keyCount >= 1 else { return [] }
        let clock = ContinuousClock()
        var timings: [TransformTiming] = []
        for entry in experiment.transforms {
            let d = entry.inputDimension
            let gaussians: [Double] = RandomStream(seed: seed).child("timing-keys").gaussians(keyCount * d)
            let elements = gaussians.map { Float($0) }
            guard let keys = try? Matrix(rows: keyCount, columns: d, elements: elements) else { continue }
            for m in experiment.sketchDimensions {
                var transform: (any JLTransform<Float>)?
                let build = clock.measure {
                    transform = try? entry.kind.make(inputDimension: d, sketchDimension: m, seed: seed, as: Float.self)
                }
                guard let transform else { continue }
                let sketch = clock.measure {
                    _ = try? SignSketchBatch(keys: keys, transform: transform, normPrecision: .float16)
                }
                timings.append(TransformTiming(
                    transform: entry.spec, inputDimension: d, sketchDimension: m,
                    buildSeconds: Self.seconds(build), secondsPerKey: Self.seconds(sketch) / Double(keyCount)))
            }
        }
        return timings
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// The stderr table.
    public static func table(_ timings: [TransformTiming], keyCount: Int) -> String {
        var table = TextTable(headers: ["transform", "d", "m", "build ms", "sketch+pack µs/key"])
        for t in timings {
            table.append([t.transform, "\(t.inputDimension)", "\(t.sketchDimension)",
                          Format.significant(t.buildSeconds * 1e3, digits: 3), Format.significant(t.secondsPerKey * 1e6, digits: 3)])
        }
        return "time per key (wall clock, Float32, 1 thread, \(keyCount) keys; not in --json):\n" + table.render()
    }
}
