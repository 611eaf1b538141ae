import ArgumentParser
import JLExperimentKit

/// The command-line options of exp-seed-variance (besides `JLExperimentKit.CommonOptions`).
public struct SeedVarianceOptions: ParsableArguments, Sendable {
    @Option(help: "Number of master seeds S (a harness trial is one master seed; same as --trials).")
    public var seeds: Int?

    @Option(name: .customLong("trials-per-seed"), help: "Inner trials T per master seed (≥ 2).")
    public var trialsPerSeed: Int = 400

    @Option(name: .customLong("dimension"), help: "Input dimension d (≥ 8).")
    public var dimension: Int = 128

    @Option(name: .customLong("sketch-dimension"), help: "Sketch dimension m.")
    public var sketchDimension: Int = 256

    @Option(help: "Transform spec (gaussian, orthogonal-sqrtd, orthogonal-chi, srht, gaussian-hd, sparse-<s>, …).")
    public var transform: String = "gaussian"

    @Option(help: "qjl-derived or qjl-paper.")
    public var estimator: String = "qjl-derived"

    @Option(help: "Angle θ between q and k in degrees (90 = q ⟂ k, the worst case).")
    public var angle: Double = 90

    @Option(help: "ε of the failure event |est − <q,k>| > ε‖q‖‖k‖.")
    public var epsilon: Double = 0.1

    @Option(help: "Number of keys in the logit relative error.")
    public var keys: Int = 16

    public init() {}

    public func validate() throws {
        do { _ = try experiment() } catch { throw ValidationError(error.description) }
        if let seeds, seeds < 2 { throw ValidationError("--seeds must be ≥ 2 to measure a spread across seeds, got \(seeds)") }
    }

    /// The experiment these options describe.
    /// - Throws: `JLExperimentKit.ExperimentError.invalidOption(_:)` naming the bad value.
    public func experiment() throws(ExperimentError) -> SeedVarianceExperiment {
        guard let choice = UnbiasednessEstimator(rawValue: estimator) else {
            throw .invalidOption("--estimator must be qjl-derived or qjl-paper, got '\(estimator)'")
        }
        return try SeedVarianceExperiment(
            inputDimension: dimension, sketchDimension: sketchDimension, transform: transform, estimator: choice,
            angleDegrees: angle, epsilon: epsilon, trialsPerSeed: trialsPerSeed, keyCount: keys)
    }

    /// `common` with `--trials` set from `--seeds` (they name the same count).
    /// - Throws: `JLExperimentKit.ExperimentError.invalidOption(_:)` when both are given and differ.
    public func resolving(_ common: CommonOptions) throws(ExperimentError) -> CommonOptions {
        var resolved = common
        if let seeds {
            if let trials = common.trials, trials != seeds {
                throw .invalidOption("--seeds \(seeds) and --trials \(trials) disagree: a trial of exp-seed-variance is one master seed; give one of them")
            }
            resolved.trials = seeds
        }
        return resolved
    }
}

extension SeedVarianceExperiment {
    /// The `--help` discussion.
    public static let helpText = """
    WHAT IT CHECKS
      Robustness under different random seeds: one QJL configuration (default
      Gaussian S, d = 128, m = 256, q ⟂ k, ε = 0.1) is run with T inner trials
      under each of S master seeds (default 20 × 400). Master seed s is
      derived from --seed; the worst one is printed, so a bad seed can be
      rerun. Shards split the seeds (one block per seed); exp-merge
      recombines.

    FORMULAS (theory.md §1.4, §2.1, §2.8)
      Var_exact   = ((π/2)‖q‖²‖k‖² − <q,k>²)/m for Gaussian S (§2.3 block
                  formula for orthogonal rows)
      mean error  theory 0 (c_d−1 times <q,k> for √d rows with the paper
                  constant); sd across seeds √(Var/T)
      failure     P(|est − <q,k>| > ε) ≈ 2Φ̄(ε/√Var) (CLT; Lemma 3.5
                  discussion, §1.4)
      logit error E‖â − a‖²/‖a‖² = Σ_j[(π/2)‖q‖²‖k_j‖² − a_j²]/(m Σ_j a_j²)
      (Gaussian S; its square root is shown)
      Var ratio   per-seed s²/Var_exact, expected 1 with sd ≈ √(2/(T−1))

    COLUMNS
      theory         the closed-form value of the per-seed metric ("none"
                     where none exists)
      mean, std      mean and standard deviation of the per-seed values across
                     the S seeds
      expected std   the theoretical sd of one seed's value: std should be
                     close to it
      min, max       the extremes over seeds; worst seed: index (master seed
                     value) farthest from theory
      pooled CI      interval for the metric from all S·T trials together
                     (Student t for the mean error and E‖â−a‖²/‖a‖² (shown as
                     its square root), Wilson for the failure rate, chi-square
                     widened for kurtosis for the variance ratio)
      theory in CI   ✓ if the theory lies in the pooled interval (the failure
                     theory is a CLT approximation)
      across seeds   Var over seeds of the per-seed mean error divided by
                     Var_exact/T, with its chi-square interval on S − 1
                     degrees of freedom: ✓ means the seed-to-seed spread is
                     exactly what the estimator's variance predicts (no
                     seed-dependent systematic error)
"""
}
